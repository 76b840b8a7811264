"""Review before publication across every way in (issue 14): with review on, an analyst's edit made
in the admin, through the API, by a CSV import or as a status change is invisible to anonymous
readers (public page, API, CSV export, change feed, as_of) until a reviewer approves it; then it is
visible. The author cannot approve their own edit; review off publishes at once."""

import datetime

import pytest
from django.test import Client

from commitments import exports, imports
from commitments.choices import Status
from commitments.models import Pledge, Revision, RevisionState, StatusChange, Summit

from . import builders as make
from .html_forms import form_data
from .test_admin_status import change as status_form
from .test_imports import STATUS_COLUMNS, export_bytes, rows_of, to_csv

pytestmark = pytest.mark.django_db

ADMIN = "/admin/commitments/pledge/"


@pytest.fixture
def settle(settings):
    settings.API_CHANGES_SETTLE_SECONDS = 0


def anonymous_sees(pledge, text: str) -> dict:
    """Where an anonymous reader finds `text` about `pledge`: the public page, the API detail and
    list, the CSV export, the change feed (as a pledge update after the pledge's creation)."""
    client = Client()
    page = client.get(f"/pledges/{pledge.pk}/")
    detail = client.get(f"/api/pledges/{pledge.pk}/")
    listing = client.get("/api/pledges/", {"page_size": 200})
    csv = client.get("/api/pledges/export.csv")
    csv_text = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    return {
        "page": text in page.content.decode(),
        "api": text in detail.content.decode(),
        "list": text in listing.content.decode(),
        "csv": text in csv_text,
    }


def first_message(response) -> str:
    return str(next(iter(response.wsgi_request._messages)))


def feed_updates(pledge) -> int:
    results = Client().get("/api/changes/").json()["results"]
    return sum(1 for r in results if r["resource"] == "pledge" and r["id"] == pledge.pk and r["change"] == "updated")


def approve_by_api(reviewer, revision) -> dict:
    client = make.session_client(reviewer)
    response = client.post(f"/api/revisions/{revision.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_an_admin_edit_is_invisible_until_approved(review_on, public, settle, analyst_client, reviewer):
    pledge = make.french_pledge()
    url = f"{ADMIN}{pledge.pk}/change/"
    response = analyst_client.post(url, form_data(analyst_client.get(url), "pledge_form", title="Reviewed title"))
    assert response.status_code == 302
    revision = Revision.objects.get()
    assert f"Saved for review as revision #{revision.pk}" in first_message(response)
    assert anonymous_sees(pledge, "Reviewed title") == dict.fromkeys(["page", "api", "list", "csv"], False)
    updates = feed_updates(pledge)
    # The record's page names the pending revision.
    page = analyst_client.get(url).content.decode()
    assert "Pending revision" in page and f"#{revision.pk}</a> by ana" in page

    approve_by_api(reviewer, revision)

    assert anonymous_sees(pledge, "Reviewed title") == dict.fromkeys(["page", "api", "list", "csv"], True)
    assert feed_updates(pledge) == updates + 1
    record = Pledge.history.filter(id=pledge.pk).latest("history_id")
    assert record.history_user.username == "ana"
    assert record.history_change_reason == f"Revision #{revision.pk} by ana, approved by rita"


def test_an_admin_citation_added_on_the_pledge_page_waits_with_it(review_on, analyst_client, reviewer):
    pledge = make.french_pledge()
    source = make.source("extra-source")
    url = f"{ADMIN}{pledge.pk}/change/"
    form = analyst_client.get(url)
    data = form_data(
        form,
        "pledge_form",
        **{
            "citations-TOTAL_FORMS": "2",
            "citations-1-source": str(source.pk),
            "citations-1-quote": "two billion",
            "citations-1-field": "",
            "citations-1-attribution": "",
        },
    )
    assert analyst_client.post(url, data).status_code == 302
    assert pledge.citations.count() == 1
    revision = Revision.objects.get()
    assert list(revision.payload) == ["inlines"]
    from commitments import review

    review.approve(revision, reviewer)
    assert sorted(pledge.citations.values_list("quote", flat=True)) == ["2 billion euros", "two billion"]


def test_an_api_edit_answers_202_and_waits(review_on, public, analyst, reviewer):
    pledge = make.pledge(title="API before")
    client = make.session_client(analyst)
    response = client.patch(
        f"/api/pledges/{pledge.pk}/", {"title": "API after"}, format="json", **make.if_match(pledge)
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["state"] == "pending" and body["payload"] == {"title": "API after"}
    assert response["Location"].endswith(f"/api/revisions/{body['id']}/")
    assert anonymous_sees(pledge, "API after")["api"] is False
    # The author may not approve it, through the API either.
    refused = client.post(f"/api/revisions/{body['id']}/approve/", {}, format="json")
    assert refused.status_code == 403 and "another reviewer" in refused.json()["detail"]
    # Pending revisions are shown to analysts with ?include=pending; anonymous readers get 403.
    shown = client.get(f"/api/pledges/{pledge.pk}/", {"include": "pending"}).json()
    assert [r["payload"] for r in shown["pending_revisions"]] == [{"title": "API after"}]
    listed = client.get("/api/pledges/", {"include": "pending"}).json()["results"]
    assert [r["id"] for r in next(p for p in listed if p["id"] == pledge.pk)["pending_revisions"]] == [body["id"]]
    assert Client().get(f"/api/pledges/{pledge.pk}/", {"include": "pending"}).status_code == 403
    approve_by_api(reviewer, Revision.objects.get(pk=body["id"]))
    assert anonymous_sees(pledge, "API after")["api"] is True


def test_an_api_creation_and_deletion_wait(review_on, public, superuser, reviewer):
    make.state("FR")
    client = make.session_client(superuser)  # analysts delete nothing; superusers' deletions are reviewed too
    created = client.post(
        "/api/pledges/", {"slug": "queued", "title": "Queued", "category": "troops", "pledgers": ["FR"]}, format="json"
    )
    assert created.status_code == 202 and not Pledge.objects.filter(slug="queued").exists()
    approve_by_api(reviewer, Revision.objects.get(pk=created.json()["id"]))
    pledge = Pledge.objects.get(slug="queued")
    deleted = client.delete(f"/api/pledges/{pledge.pk}/", **make.if_match(pledge))
    assert deleted.status_code == 202 and Pledge.objects.filter(pk=pledge.pk).exists()
    approve_by_api(reviewer, Revision.objects.get(pk=deleted.json()["id"]))
    assert not Pledge.objects.filter(pk=pledge.pk).exists()


def test_a_status_change_is_not_in_the_public_history_until_approved(review_on, public, settle, analyst, reviewer):
    pledge = make.pledge(title="Status pledge")
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 1))
    client = make.session_client(analyst)
    source = make.source("status-source")
    pledge.refresh_from_db()
    response = client.post(
        f"/api/pledges/{pledge.pk}/status/",
        {"status": "agreed", "effective_date": "2025-04-01", "note": "Agreed", "source": source.key},
        format="json",
        **make.if_match(pledge),
    )
    assert response.status_code == 202, response.content
    anonymous = Client()
    assert anonymous.get(f"/api/pledges/{pledge.pk}/").json()["status"] == "announced"
    assert [c["to_status"] for c in anonymous.get(f"/api/pledges/{pledge.pk}/history/").json()["results"]] == [
        "announced"
    ]
    as_of = anonymous.get(f"/api/pledges/{pledge.pk}/", {"as_of": "2025-05-01"}).json()
    assert as_of["status"] == "announced"
    feed = anonymous.get("/api/changes/").json()
    assert "pending" not in feed
    # Reviewers and analysts may ask the feed for the pending edits; others may not.
    assert anonymous.get("/api/changes/", {"include": "pending"}).status_code == 403
    pending = client.get("/api/changes/", {"include": "pending"}).json()["pending"]
    assert [(p["resource"], p["id"], p["action"]) for p in pending] == [("pledge", pledge.pk, "status")]

    approve_by_api(reviewer, Revision.objects.get())

    history = anonymous.get(f"/api/pledges/{pledge.pk}/history/").json()["results"]
    assert [c["to_status"] for c in history] == ["announced", "agreed"]
    assert anonymous.get(f"/api/pledges/{pledge.pk}/", {"as_of": "2025-05-01"}).json()["status"] == "agreed"
    assert StatusChange.objects.filter(pledge=pledge, to_status="agreed").get().recorded_by == analyst


def test_an_admin_status_change_waits(review_on, analyst_client, reviewer):
    pledge = make.french_pledge()
    response = analyst_client.post(f"{ADMIN}{pledge.pk}/change-status/", status_form())
    assert response.status_code == 302
    revision = Revision.objects.get()
    assert "saved for review as revision" in first_message(response)
    assert Pledge.objects.get(pk=pledge.pk).status == Status.NOT_ASSESSABLE
    from commitments import review

    review.approve(revision, reviewer)
    assert Pledge.objects.get(pk=pledge.pk).status == Status.ANNOUNCED


def test_an_import_queues_its_rows(review_on, register, analyst, reviewer):
    rows = rows_of(export_bytes())
    for row in rows:
        row.update(dict.fromkeys(STATUS_COLUMNS, ""))
    bulk = next(r for r in rows if r["slug"] == "fr-gb-bulk")
    bulk.update(
        title="Imported title",
        status="committed",
        status_effective_date="2026-01-08",
        status_source="reuters-2026-01-07",
        status_note="Signed at the follow-up meeting",
        status_date_precision="month",
    )
    before = "".join(exports.pledge_csv_chunks())
    report = imports.import_pledges(to_csv(rows), user=analyst)
    assert report.ok, report.lines()
    assert "queued for review" in report.summary() and len(report.queued) == 2  # the edit and the status change
    assert "".join(exports.pledge_csv_chunks()) == before  # nothing published
    from commitments import review

    for revision in report.queued:
        review.approve(revision, reviewer)
    pledge = Pledge.objects.get(slug="fr-gb-bulk")
    assert (pledge.title, pledge.status) == ("Imported title", "committed")


def test_the_generic_admin_path_reviews_other_records(review_on, analyst_client, reviewer):
    summit = make.summit(title="Old summit title")
    url = f"/admin/commitments/summit/{summit.pk}/change/"
    response = analyst_client.post(url, form_data(analyst_client.get(url), "summit_form", title="New summit title"))
    assert response.status_code == 302
    assert Summit.objects.get(pk=summit.pk).title == "Old summit title"
    revision = Revision.objects.get()
    assert revision.payload == {"title": "New summit title"}
    from commitments import review

    review.approve(revision, reviewer)
    assert Summit.objects.get(pk=summit.pk).title == "New summit title"
    assert Summit.history.filter(id=summit.pk).latest("history_id").history_user.username == "ana"


def test_the_queue_page_shows_the_diff_and_the_author_cannot_approve(review_on, analyst, reviewer, analyst_client):
    pledge = make.pledge(title="Queue before")
    pledge.title = "Queue after"
    from commitments import services

    revision = services.save_pledge(pledge, user=analyst)
    page = f"/admin/commitments/revision/{revision.pk}/change/"
    own = analyst_client.get(page).content.decode()
    assert "Queue before" in own and "Queue after" in own
    assert 'value="Approve"' not in own and 'value="Withdraw"' in own
    analyst_client.post(f"/admin/commitments/revision/{revision.pk}/approve/", {})
    revision.refresh_from_db()
    assert revision.state == RevisionState.PENDING
    reviewing = Client()
    reviewing.force_login(reviewer)
    listing = reviewing.get("/admin/commitments/revision/").content.decode()
    assert "Queue after" in listing or f"#{revision.pk}" in listing
    assert 'value="Approve"' in reviewing.get(page).content.decode()
    response = reviewing.post(f"/admin/commitments/revision/{revision.pk}/return/", {"decision_comment": ""})
    assert "Say why" in first_message(response)
    reviewing.post(f"/admin/commitments/revision/{revision.pk}/approve/", {"decision_comment": "Fine"})
    revision.refresh_from_db()
    assert (revision.state, revision.comment) == (RevisionState.APPROVED, "Fine")
    assert Pledge.objects.get(pk=pledge.pk).title == "Queue after"


def test_review_off_publishes_an_admin_edit_at_once(public, analyst_client):
    pledge = make.french_pledge()
    url = f"{ADMIN}{pledge.pk}/change/"
    analyst_client.post(url, form_data(analyst_client.get(url), "pledge_form", title="At once"))
    assert not Revision.objects.exists()
    assert anonymous_sees(pledge, "At once")["api"] is True


def test_an_instrument_status_change_waits_too(review_on, analyst, reviewer):
    from commitments import review
    from commitments.choices import InstrumentStatus

    instrument = make.instrument("force")
    result = make.move(instrument, InstrumentStatus.AGREED, datetime.date(2025, 3, 11), user=analyst)
    assert isinstance(result, Revision) and not instrument.status_changes.exists()
    review.approve(result, reviewer)
    instrument.refresh_from_db()
    assert instrument.status == InstrumentStatus.AGREED and instrument.status_changes.count() == 1


def test_history_revert_is_refused_while_review_is_on(review_on, analyst_client):
    pledge = make.french_pledge()
    url = f"{ADMIN}{pledge.pk}/change/"
    analyst_client.post(url, form_data(analyst_client.get(url), "pledge_form", title="Draft"))
    record = Pledge.history.filter(id=pledge.pk).earliest("history_id")
    revert = f"{ADMIN}{pledge.pk}/history/{record.history_id}/"
    response = analyst_client.post(revert, form_data(analyst_client.get(revert), "pledge_form"))
    assert "not reverted from History" in first_message(response)
    assert Pledge.objects.get(pk=pledge.pk).version == pledge.version
