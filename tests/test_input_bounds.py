"""Issue 13 A: a time the database cannot compare is a 400 with the bound's words on every surface
that filters by time (the API list, the change feed, the exports, the summary report, the public
list), never a 500, and never a CSV that starts with 200 and is then cut off."""

from urllib.parse import quote

import pytest

from commitments import bounds

from . import builders as make

pytestmark = [pytest.mark.django_db]

# PostgreSQL compares offsets to ±15:59, Python parses them to ±23:59; past the real ones (−12:00
# to +14:00) a time is a typing mistake. The last is before year 1 once moved to UTC.
OUT_OF_BOUNDS = [
    "2020-01-01T00:00:00+16:00",
    "2020-01-01T00:00:00-16:00",
    "2020-01-01T00:00:00+23:59",
    "2020-01-01T00:00:00+14:01",
    "0001-01-01T00:00:00+01:00",
]

SURFACES = [
    ("/api/pledges/?updated_since={}", "updated_since"),
    ("/api/pledges/?format=csv&updated_since={}", "updated_since"),
    ("/api/pledges/export.csv?updated_since={}", "updated_since"),
    ("/api/pledges/export.xlsx?updated_since={}", "updated_since"),
    ("/api/reports/summary.csv?updated_since={}", "updated_since"),
    ("/api/reports/summary.json?updated_since={}", "updated_since"),
    ("/api/reports/summary.xlsx?updated_since={}", "updated_since"),
    ("/api/changes/?since={}", "since"),
]


@pytest.fixture
def pledge(public):
    return make.pledge("hubs", pledgers=("FR",))


@pytest.mark.parametrize("moment", OUT_OF_BOUNDS)
@pytest.mark.parametrize(("url", "field"), SURFACES)
def test_an_out_of_bounds_time_is_a_400_on_every_api_surface(client, pledge, url, field, moment):
    response = client.get(url.format(quote(moment)))
    assert response.status_code == 400, (response.status_code, response.content[:300])
    messages = response.json()[field]
    assert messages[0] in (bounds.OFFSET_MESSAGE, bounds.RANGE_MESSAGE)


@pytest.mark.parametrize("moment", OUT_OF_BOUNDS)
def test_an_out_of_bounds_time_is_a_400_on_the_public_list(client, pledge, moment):
    response = client.get(f"/pledges/?updated_since={quote(moment)}")
    assert response.status_code == 400
    assert (bounds.OFFSET_MESSAGE in response.text) or (bounds.RANGE_MESSAGE in response.text)


@pytest.mark.parametrize("moment", ["2020-01-01T00:00:00+14:00", "2020-01-01T00:00:00-12:00", "2020-01-01"])
@pytest.mark.parametrize(("url", "field"), SURFACES)
def test_the_real_offsets_still_filter(client, pledge, url, field, moment):
    assert client.get(url.format(quote(moment))).status_code == 200


def test_a_csv_whose_query_fails_is_an_error_status_not_a_short_200(client, pledge, monkeypatch):
    """The first chunk holds the first row, made before the response starts: a query that fails
    is answered with an error status rather than a header and a cut-off stream."""
    from django.db import OperationalError

    from commitments.exports import files

    def broken(queryset=None, chunk_size=None):
        raise OperationalError("the database went away")
        yield  # a generator, as the real one

    monkeypatch.setattr(files, "iter_pledges", broken)
    monkeypatch.setattr(files.pg_copy, "usable", lambda queryset: False)  # the Python writer on PostgreSQL too
    client.raise_request_exception = False
    response = client.get("/api/pledges/export.csv")
    assert response.status_code == 503
    assert response["Retry-After"]


def test_a_csv_whose_count_fails_is_an_error_status_not_a_short_200(client, pledge, monkeypatch):
    """The row count (X-Row-Count) runs the export's filters before the response starts, on
    either writer: a database gone by then is a 503."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    from commitments import summary

    def broken(self):
        raise OperationalError("the database went away")

    monkeypatch.setattr(QuerySet, "count", broken)
    # On PostgreSQL an unfiltered pledge count is read from the summary (commitments/summary.py).
    monkeypatch.setattr(summary, "row_count", lambda *args, **kwargs: broken(None))
    client.raise_request_exception = False
    response = client.get("/api/pledges/export.csv")
    assert response.status_code == 503
    assert response["Retry-After"]
