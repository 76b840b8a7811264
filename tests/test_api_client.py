"""A client no one here wrote: openapi-python-client generates one from /api/schema/ with no
warning (--fail-on-warning), and it works against the live app: a list, a detail, a filtered list,
a CSV export read as text (never as JSON), the summary report as typed data."""

import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from commitments import models

pytestmark = pytest.mark.django_db

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "tracker_client"
# The workbook's and the package's media types are files to the client (bytes), as application/octet-stream is.
CONFIG = {
    "package_name_override": PACKAGE,
    "content_type_overrides": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "application/octet-stream",
        "application/zip": "application/octet-stream",
    },
    "post_hooks": [],
}


@pytest.fixture
def generated(seeded, public, settings, client, tmp_path):
    """The client package generated from the schema the app serves, importable."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "token": None}}
    cache.clear()
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(client.get("/api/schema/?format=json").json()))
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG))
    output = tmp_path / PACKAGE
    result = subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            schema,
            "--output-path",
            output,
            "--meta",
            "none",
            "--config",
            config,
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Warning" not in report and "Error" not in report, report
    sys.path.insert(0, str(tmp_path))
    # As Django's test client does: the WSGI handler would otherwise close the test's connection
    # (on PostgreSQL, inside the test's transaction: every later query would fail).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def live_client(package):
    import httpx

    client = package.Client(base_url="http://testserver", raise_on_unexpected_status=True)
    transport = httpx.WSGITransport(app=get_wsgi_application())
    return client.set_httpx_client(httpx.Client(transport=transport, base_url="http://testserver"))


def test_a_generated_client_reads_the_api(generated):
    pd = pytest.importorskip("pandas")
    from tracker_client.api.pledges import pledges_export_csv, pledges_list, pledges_retrieve
    from tracker_client.api.reports import reports_summary_json
    from tracker_client.api.summits import summits_list, summits_retrieve

    api = live_client(generated)

    page = pledges_list.sync(client=api, page_size=5)
    assert len(page.results) == 5 and page.next_ is not None

    answer = pledges_retrieve.sync_detailed(str(page.results[0].id), client=api)
    assert answer.status_code == 200, answer.content
    pledge = answer.parsed
    assert (pledge.id, pledge.title) == (page.results[0].id, page.results[0].title)

    # A summit's detail: references that may be null, attendances nested.
    summit = summits_list.sync(client=api).results[0]
    detail = summits_retrieve.sync(summit.slug, client=api)
    assert detail.slug == summit.slug

    french = pledges_list.sync(client=api, state=["FR"], page_size=500)
    expected = set(models.Pledge.objects.filter(pledgers__code="FR").values_list("pk", flat=True))
    assert {row.id for row in french.results} == expected and expected

    # The CSV export: text, handed over as text, with the same pledges.
    response = pledges_export_csv.sync_detailed(client=api, state=["FR"])
    assert response.status_code == 200
    assert isinstance(response.parsed, str)
    frame = pd.read_csv(io.StringIO(response.parsed), keep_default_na=False)
    assert set(frame["slug"]) == set(models.Pledge.objects.filter(pk__in=expected).values_list("slug", flat=True))

    report = reports_summary_json.sync(client=api)
    assert report.currency == "EUR"
    assert report.total.pledges == models.Pledge.objects.filter(part_of=None).count()
