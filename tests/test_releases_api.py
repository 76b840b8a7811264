"""Releases through the API and the pages: `?release=N` answers what the register said in release
N (lists, details, exports, byte for byte), the releases' addresses, the diff between two releases
or a release and now (exactly the changes made, status moves first; JSON, CSV and the page), the
read rule, and bad input (400 or 404, never a 500)."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client

from commitments import models, services
from commitments.choices import Status
from commitments.releases import make_release

from . import builders as make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle_left_over():
    """The throttles count in the cache: each test starts with none of another's requests."""
    cache.clear()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def small(db):
    """Four pledges (`moved` announced, `renamed`, `doomed`, `kept`) with citations, and release 1 of them."""
    fr, gb = make.state("FR", "France"), make.state("GB", "United Kingdom")
    source = make.source("report", title="The report")
    pledges = {}
    for slug in ("moved", "renamed", "doomed", "kept"):
        pledges[slug] = make.pledge(slug, title=f"Pledge {slug}", pledgers=(fr, gb) if slug == "kept" else (fr,))
        models.Citation.objects.create(pledge=pledges[slug], source=source, quote=f"the {slug} phrase")
    make.move(pledges["moved"], Status.ANNOUNCED, datetime.date(2025, 3, 1), source=source, quote="announced it")
    release = make_release("Release one", "The first.")
    return {"release": release, "source": source, **pledges}


def edit_after(small):
    """The edits made after release 1: a status move, a renamed pledge, a new pledge, a deleted one."""
    make.move(small["moved"], Status.AGREED, datetime.date(2026, 2, 1), source=small["source"], quote="they agreed it")
    renamed = models.Pledge.objects.get(slug="renamed")
    renamed.title = "A new title"
    renamed.save()
    make.pledge("added", title="Pledge added")
    services.delete_pledge(models.Pledge.objects.get(slug="doomed"))


# ---------------------------------------------------------------------------------------------
# ?release=N


def test_a_change_after_a_release_is_invisible_under_release(small, client, public):
    edit_after(small)
    live = {row["slug"]: row for row in client.get("/api/pledges/").json()["results"]}
    past = {row["slug"]: row for row in client.get("/api/pledges/?release=1").json()["results"]}
    assert set(live) == {"moved", "renamed", "kept", "added"}
    assert set(past) == {"moved", "renamed", "doomed", "kept"}
    assert (live["renamed"]["title"], past["renamed"]["title"]) == ("A new title", "Pledge renamed")
    assert (live["moved"]["status"], past["moved"]["status"]) == ("agreed", "announced")
    # A record's own address, its history and the other lists too.
    pk = small["renamed"].pk
    assert client.get(f"/api/pledges/{pk}/?release=1").json()["title"] == "Pledge renamed"
    assert client.get(f"/api/pledges/{pk}/").json()["title"] == "A new title"
    doomed = small["doomed"].pk
    assert client.get(f"/api/pledges/{doomed}/").status_code == 404
    assert client.get(f"/api/pledges/{doomed}/?release=1").json()["slug"] == "doomed"
    history = client.get(f"/api/pledges/{small['moved'].pk}/history/?release=1").json()["results"]
    assert [row["to_status"] for row in history] == ["announced"]
    quotes = {row["quote"] for row in client.get("/api/citations/?release=1").json()["results"]}
    assert "the doomed phrase" in quotes
    assert client.get("/api/pledges/?release=1").headers["X-Release"] == "1"
    # Filters read the release too.
    assert [r["slug"] for r in client.get("/api/pledges/?release=1&status=agreed").json()["results"]] == []
    assert [r["slug"] for r in client.get("/api/pledges/?status=agreed").json()["results"]] == ["moved"]


def test_release_reproduces_its_exports_byte_for_byte(small, client, public):
    at_release = {
        path: body(client.get(f"{path}?release=1")) for path in ("/api/pledges/export.csv", "/api/states/export.csv")
    }
    # The same file as the live register gave at the time of the release.
    assert at_release["/api/pledges/export.csv"] == body(client.get("/api/pledges/export.csv"))
    edit_after(small)
    assert body(client.get("/api/pledges/export.csv")) != at_release["/api/pledges/export.csv"]
    for path, data in at_release.items():
        response = client.get(f"{path}?release=1")
        assert response.status_code == 200
        assert body(response) == data, path
    assert b"Pledge renamed" in at_release["/api/pledges/export.csv"]
    assert b"doomed" in at_release["/api/pledges/export.csv"]
    # ?format=csv on the list, the workbook and the summary report read the release too.
    assert body(client.get("/api/pledges/?format=csv&release=1")) == at_release["/api/pledges/export.csv"]
    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get("/api/pledges/export.xlsx?release=1"))))
    titles = {row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert {"Pledge renamed", "Pledge doomed"} <= titles and "A new title" not in titles
    summary = client.get("/api/reports/summary.json?release=1").json()
    assert summary["total"]["pledges"] == 4
    # The data package of release 1 is the one frozen in it.
    assert body(client.get("/api/data-package.zip?release=1")) == bytes(small["release"].package)


def test_a_write_under_release_is_refused(small):
    client = Client()
    client.force_login(make.user("ana", "Analyst"))
    pledge = small["renamed"]
    response = client.patch(
        f"/api/pledges/{pledge.pk}/?release=1",
        {"title": "x"},
        content_type="application/json",
        **make.if_match(pledge),
    )
    assert response.status_code == 400 and "release" in response.json()
    response = client.post(
        "/api/pledges/?release=1", {"slug": "n", "title": "n", "category": "troops"}, "application/json"
    )
    assert response.status_code == 400 and "release" in response.json()
    assert models.Pledge.objects.get(pk=pledge.pk).title == "Pledge renamed"
    assert not models.Pledge.objects.filter(slug="n").exists()


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("release=abc", 400, "whole number"),
        ("release=0", 400, "whole number"),
        ("release=-1", 400, "whole number"),
        ("release=99999999999", 400, "whole number"),
        ("release=1&release=1", 400, "once"),
        ("release=9", 404, "no release 9"),
    ],
)
def test_a_bad_release_parameter(small, client, public, query, status, message):
    for path in ("/api/pledges/", f"/api/pledges/{small['kept'].pk}/", "/api/pledges/export.csv", "/api/states/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == status, path
        assert message in str(response.json()), path


def test_the_change_feed_answers_for_the_live_register_only(small, client, public):
    response = client.get("/api/changes/?release=1")
    assert response.status_code == 400 and "release" in response.json()


def test_an_empty_release_parameter_is_the_live_register(small, client, public):
    edit_after(small)
    assert client.get(f"/api/pledges/{small['renamed'].pk}/?release=").json()["title"] == "A new title"


# ---------------------------------------------------------------------------------------------
# The releases' addresses


def test_the_releases_addresses(small, client, public):
    make_release("Release two")
    listing = client.get("/api/releases/").json()["results"]
    assert [row["number"] for row in listing] == [2, 1]
    one = client.get("/api/releases/1/").json()
    release = small["release"]
    assert one["title"] == "Release one" and one["notes"] == "The first."
    assert one["package_sha256"] == release.package_sha256 and one["package_bytes"] == release.package_bytes
    assert one["counts"]["pledges"] == 4
    assert one["diff_from_previous_url"] is None
    assert one["diff_to_now_url"].endswith("/api/releases/1/diff/now/")
    assert "package" not in one and "snapshot" not in one and "created_by" not in one
    package = client.get(one["package_url"])
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    assert package["ETag"] == f'"{release.package_sha256}"'
    assert client.get(one["package_url"], HTTP_IF_NONE_MATCH=package["ETag"]).status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/api/releases/9/",
        "/api/releases/abc/",
        "/api/releases/0x1/",
        "/api/releases/9/package.zip",
        "/api/releases/1/diff/9/",
        "/api/releases/1/diff/later/",
        "/api/releases/9/diff/now/",
        "/api/releases/1/diff/9/export.csv",
    ],
)
def test_no_such_release_is_a_404(small, client, public, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "release" in response.json()["detail"].lower()


# ---------------------------------------------------------------------------------------------
# Diffs


def test_the_diff_lists_exactly_the_changes_made_between_two_releases(small, client, public):
    doomed_citation = models.Citation.objects.get(pledge=small["doomed"]).key
    edit_after(small)
    make_release("Release two")
    diff = client.get("/api/releases/1/diff/2/").json()
    assert (diff["from"]["release"], diff["to"]["release"]) == (1, 2)
    assert diff["status_moves"] == [
        {
            "table": "pledges",
            "record": "moved",
            "label": "Pledge moved",
            "sequence": 2,
            "from_status": "announced",
            "to_status": "agreed",
            "effective_date": "2026-02-01",
            "quote": "they agreed it",
            "source": "report",
            "source_title": "The report",
            "note": "as reported",
        }
    ]
    changes = {(c["change"], c["table"], c["record"]) for c in diff["changes"]}
    assert changes == {
        ("changed", "pledges", "moved"),
        ("added", "status_changes", "moved / 2"),
        ("changed", "pledges", "renamed"),
        ("added", "pledges", "added"),
        ("added", "pledge_pledgers", "added / FR"),
        ("removed", "pledges", "doomed"),
        ("removed", "pledge_pledgers", "doomed / FR"),
        ("removed", "citations", doomed_citation),
    }
    fields = {c["record"]: {f["field"]: (f["from"], f["to"]) for f in c.get("fields", [])} for c in diff["changes"]}
    assert fields["renamed"]["title"] == ("Pledge renamed", "A new title")
    assert set(fields["renamed"]) == {"title", "version", "updated_at"}
    assert fields["moved"]["status"] == ("announced", "agreed")
    assert fields["moved"]["status_changed_on"] == ("2025-03-01", "2026-02-01")
    assert diff["counts"] == {"status_moves": 1, "added": 3, "removed": 3, "changed": 2}
    # Nothing changed between a release and itself, nor between release 2 and now.
    assert client.get("/api/releases/2/diff/2/").json()["changes"] == []
    now = client.get("/api/releases/2/diff/now/").json()
    assert now["to"]["release"] is None and now["changes"] == [] and now["status_moves"] == []
    # Release 1 to now is release 1 to 2.
    assert client.get("/api/releases/1/diff/now/").json()["changes"] == diff["changes"]


def test_the_diff_as_csv(small, client, public):
    edit_after(small)
    pledge = models.Pledge.objects.get(slug="kept")
    pledge.title = "=HYPERLINK(1)"
    pledge.save()
    response = client.get("/api/releases/1/diff/now/export.csv?bom=1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeffchange,table,record,label,field,old,new,effective_date,quote,source\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1] == [
        "status_move", "pledges", "moved", "Pledge moved", "status", "announced", "agreed", "2026-02-01",
        "they agreed it", "report",
    ]  # fmt: skip
    assert [
        "changed",
        "pledges",
        "renamed",
        "A new title",
        "title",
        "Pledge renamed",
        "A new title",
        "",
        "",
        "",
    ] in rows
    assert ["removed", "pledges", "doomed", "Pledge doomed", "", "", "", "", "", ""] in rows
    # Excel-safe: a formula-like value is written with a leading '.
    assert [
        "changed",
        "pledges",
        "kept",
        "'=HYPERLINK(1)",
        "title",
        "Pledge kept",
        "'=HYPERLINK(1)",
        "",
        "",
        "",
    ] in rows
    assert client.get("/api/releases/1/diff/now/export.csv?bom=maybe").status_code == 400


def test_the_diff_page(small, client, public):
    edit_after(small)
    make_release("Release two")
    page = client.get("/releases/1/diff/2/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Status moves") < html.index("Records added, removed and changed")
    assert "Pledge moved" in html and "they agreed it" in html and "The report" in html
    assert "Pledge renamed → A new title" in html
    assert client.get("/releases/1/diff/now/").status_code == 200
    listing = client.get("/releases/").content.decode()
    assert "Release one" in listing and "Release two" in listing and small["release"].package_sha256 in listing
    for path in ("/releases/9/diff/now/", "/releases/1/diff/9/", "/releases/1/diff/soon/"):
        assert client.get(path).status_code == 404


# ---------------------------------------------------------------------------------------------
# The read rule


def test_releases_follow_the_read_rule(small, settings):
    settings.PUBLIC_READ = False
    anonymous = Client()
    for path in (
        "/api/releases/",
        "/api/releases/1/",
        "/api/releases/1/package.zip",
        "/api/releases/1/diff/now/",
        "/api/pledges/?release=1",
        "/api/pledges/?release=99",  # not even whether a release exists
        "/api/pledges/export.csv?release=1",
    ):
        assert anonymous.get(path).status_code in (401, 403), path
    for path in ("/releases/", "/releases/1/diff/now/"):
        assert anonymous.get(path).status_code == 302  # to the login
    viewer = Client()
    viewer.force_login(make.user("vic", "Viewer"))
    assert viewer.get("/api/pledges/?release=1").status_code == 200
    assert viewer.get("/releases/").status_code == 200
    _, key = models.ApiToken.issue(make.user("script", "Viewer", staff=False), name="read")
    token = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert token.get("/api/releases/1/package.zip").status_code == 200
    assert token.get("/api/pledges/?release=1").status_code == 200


def test_the_diff_reads_only_what_may_differ_and_finds_the_same(small, monkeypatch):
    """The diff reads the rows SQLite finds different (and the rows that refer to them); compared
    whole, table by table, it finds exactly the same. A renamed slug moves the pledge and every row
    naming it by that slug."""
    from commitments.releases import diff as diffs

    edit_after(small)
    kept = models.Pledge.objects.get(slug="kept")
    kept.slug = "kept-renamed"
    kept.save()
    two = make_release("Release two")
    one = models.Release.objects.metadata().get(number=1)

    def changes():
        found = diffs.compare(diffs.release_side(one), diffs.release_side(two))
        return [c.as_dict() for c in found.changes], [m.as_dict() for m in found.status_moves]

    by_candidates = changes()
    monkeypatch.setattr(diffs, "FULL_COMPARE_ABOVE", 0)
    assert changes() == by_candidates
    moved = {(c["change"], c["table"], c["record"]) for c in by_candidates[0]}
    assert {
        ("removed", "pledges", "kept"),
        ("added", "pledges", "kept-renamed"),
        ("removed", "pledge_pledgers", "kept / GB"),
        ("added", "pledge_pledgers", "kept-renamed / GB"),
    } <= moved
    citation = models.Citation.objects.get(pledge=kept)
    assert ("changed", "citations", citation.key) in moved  # its pledge column names the new slug
