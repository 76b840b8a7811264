"""The review API's permission matrix (issue 14): who may read the queue, ask for pending
revisions (`?include=pending`), and approve, send back or withdraw a revision, by role and by
authorship. Decisions are tried in this order on one pending revision by the analyst "author"."""

import pytest
from django.core.cache import cache

from commitments import services
from commitments.models import Pledge, RevisionState

from . import builders as make

pytestmark = pytest.mark.django_db

# principal: (queue and include=pending, approve, return, withdraw)
MATRIX = {
    "anonymous": (401, 401, 401, 401),
    "Viewer session": (403, 403, 403, 403),
    "other Analyst session": (200, 403, 403, 403),
    "author (Analyst) session": (200, 403, 403, 200),
    "Reviewer session": (200, 200, 400, 403),  # approved first: then already decided (400)
    "read-only token (Reviewer)": (200, 403, 403, 403),
    "read-write token (Reviewer)": (200, 200, 400, 403),
    "superuser session": (200, 200, 400, 403),
}


def client_for(name, author):
    from rest_framework.test import APIClient

    if name == "anonymous":
        return APIClient()
    if name.startswith("author"):
        return make.session_client(author)
    if name.startswith("superuser"):
        return make.session_client(make.user(superuser=True))
    role = next(role for role in ("Viewer", "Analyst", "Reviewer") if role in name)
    user = make.user(role=role, staff=False)
    if "token" in name:
        return make.token_client(user, can_write="read-write" in name)[0]
    return make.session_client(user)


@pytest.mark.parametrize("principal", MATRIX)
def test_review_permission_matrix(settings, principal):
    settings.PUBLIC_READ = True
    settings.REVIEW_REQUIRED = True
    cache.clear()
    author = make.user("author", "Analyst")
    pledge = make.pledge(title="Before")
    pledge.title = "After"
    revision = services.save_pledge(pledge, user=author)
    client = client_for(principal, author)
    reads, approve, send_back, withdraw = MATRIX[principal]
    base = f"/api/revisions/{revision.pk}/"
    got = {
        "list": client.get("/api/revisions/").status_code,
        "detail": client.get(base).status_code,
        "pledges pending": client.get("/api/pledges/", {"include": "pending"}).status_code,
        "feed pending": client.get("/api/changes/", {"include": "pending"}).status_code,
        "approve": client.post(f"{base}approve/", {}, format="json").status_code,
        "return": client.post(f"{base}return/", {"comment": "No"}, format="json").status_code,
        "withdraw": client.post(f"{base}withdraw/", {}, format="json").status_code,
    }
    pending_reads = 403 if reads == 401 else reads  # readable register, pending part refused
    assert got == {
        "list": reads,
        "detail": reads,
        "pledges pending": pending_reads,
        "feed pending": pending_reads,
        "approve": approve,
        "return": send_back,
        "withdraw": withdraw,
    }
    revision.refresh_from_db()
    published = Pledge.objects.get(pk=pledge.pk).title == "After"
    assert published is (approve == 200)
    assert revision.state == (
        RevisionState.APPROVED
        if approve == 200
        else RevisionState.WITHDRAWN
        if withdraw == 200
        else RevisionState.PENDING
    )


def test_a_queue_detail_shows_the_diff_and_the_conflict(settings, reviewer):
    settings.REVIEW_REQUIRED = True
    pledge = make.pledge(title="Base")
    first_author, second_author = make.user("one", "Analyst"), make.user("two", "Analyst")
    pledge.title = "First"
    first = services.save_pledge(pledge, user=first_author)
    again = Pledge.objects.get(pk=pledge.pk)
    again.title = "Second"
    second = services.save_pledge(again, user=second_author)
    client = make.session_client(reviewer)
    body = client.get(f"/api/revisions/{first.pk}/").json()
    assert body["also_pending"] == [second.pk]
    assert body["diff"][0]["base"] == "Base" and body["diff"][0]["proposed"] == "First"
    assert client.post(f"/api/revisions/{second.pk}/approve/", {}, format="json").status_code == 200
    refused = client.post(f"/api/revisions/{first.pk}/approve/", {}, format="json")
    assert refused.status_code == 400
    assert "title: now Second; this revision's base: Base" in str(refused.json())
    listed = client.get("/api/revisions/", {"state": "pending"}).json()["results"]
    assert [r["id"] for r in listed] == [first.pk]
