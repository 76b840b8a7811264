"""Releases and review together (issue 14): a release holds the published register only, so an
edit waiting for review is in no release until a reviewer approves it; the next release then holds
it and the diff between the two lists it. Pending revisions are edits of the live register: asking
for them under `?release=` is a 400, and the review queue takes no `?release=`."""

import pytest
from django.core.cache import cache

from commitments import review, services
from commitments.models import Pledge
from commitments.releases import make_release

from . import builders as make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle_left_over():
    cache.clear()


def test_a_pending_edit_is_in_no_release_until_approved(review_on, reviewer, public):
    author = make.user("author", "Analyst")
    pledge = make.pledge("kept", title="Published title")
    pledge.title = "Proposed title"
    revision = services.save_pledge(pledge, user=author)
    first = make_release("While pending")
    client = make.session_client(reviewer)
    assert client.get(f"/api/pledges/{pledge.pk}/", {"release": first.number}).json()["title"] == "Published title"

    review.approve(revision, reviewer)
    assert Pledge.objects.get(slug="kept").title == "Proposed title"
    second = make_release("After approval")
    assert client.get(f"/api/pledges/{pledge.pk}/", {"release": first.number}).json()["title"] == "Published title"
    assert client.get(f"/api/pledges/{pledge.pk}/", {"release": second.number}).json()["title"] == "Proposed title"

    diff = client.get(f"/api/releases/{first.number}/diff/{second.number}/").json()
    assert [(c["change"], c["table"], c["record"]) for c in diff["changes"]] == [("changed", "pledges", "kept")]
    fields = {f["field"]: (f["from"], f["to"]) for f in diff["changes"][0]["fields"]}
    assert fields["title"] == ("Published title", "Proposed title")


def test_pending_revisions_are_not_asked_for_in_a_release(review_on, analyst):
    pledge = make.pledge("kept")
    release = make_release("One")
    client = make.session_client(analyst)
    refused = client.get("/api/pledges/", {"release": release.number, "include": "pending"})
    assert refused.status_code == 400
    assert "leave out ?release=" in str(refused.json()["include"])
    assert (
        client.get(f"/api/pledges/{pledge.pk}/", {"release": release.number, "include": "pending"}).status_code == 400
    )
    assert client.get("/api/pledges/", {"include": "pending"}).status_code == 200
