"""The change feed (/api/changes/) and the incremental-sync loop it supports."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from commitments import models

from . import builders as make

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def settled(public, settings):
    settings.API_CHANGES_SETTLE_SECONDS = 0
    cache.clear()


@pytest.fixture
def client():
    return APIClient()


def pull(client, url, page_size=3):
    """The documented client loop: follow `next` while `has_more`; keep the last `next`."""
    entries = []
    while True:
        body = client.get(url, {"page_size": page_size} if "page_size" not in url else None).json()
        entries += body["results"]
        url = body["next"]
        if not body["has_more"]:
            return entries, url


def summary(entries):
    return [(e["resource"], e["lookup"], e["change"]) for e in entries]


def test_incremental_sync_sees_creates_updates_and_deletes_once(client):
    first = make.pledge("first")
    entries, resume = pull(client, "/api/changes/")
    assert ("pledge", str(first.pk), "created") in summary(entries)
    assert ("state", "FR", "created") in summary(entries)
    assert entries[0]["url"].startswith("http://testserver/api/")

    # Nothing new: the stored link gives nothing and stays usable.
    again, resume_again = pull(client, resume)
    assert again == [] and resume_again == resume

    first.title = "changed"
    first.save()
    second = make.pledge("second", citations=1)
    pk = first.pk
    first.delete()
    models.State.objects.create(code="PL", name="Poland")
    entries, resume = pull(client, resume)
    assert summary(entries) == [
        ("pledge", str(pk), "updated"),
        ("pledge", str(second.pk), "created"),
        ("pledge", str(second.pk), "updated"),  # its pledgers were set
        ("source", second.citations.get().source.key, "created"),
        ("pledge", str(second.pk), "updated"),  # a citation was added to it
        ("pledge", str(pk), "deleted"),
        ("state", "PL", "created"),
    ]
    deleted = entries[5]
    assert deleted["url"] is None and deleted["id"] == pk
    assert pull(client, resume)[0] == []


def test_feed_pages_are_ordered_and_complete(client):
    for n in range(7):
        make.pledge(f"p{n}", citations=1)
    paged, _ = pull(client, "/api/changes/", page_size=2)
    whole = client.get("/api/changes/", {"page_size": 1000}).json()["results"]
    assert paged == whole
    times = [e["at"] for e in whole]
    assert times == sorted(times)


def test_since_accepts_a_time(client):
    old = make.pledge("old")
    cutoff = timezone.now()
    new = make.pledge("new")
    entries = client.get("/api/changes/", {"since": cutoff.isoformat()}).json()["results"]
    assert summary(entries) == [("pledge", str(new.pk), "created"), ("pledge", str(new.pk), "updated")]
    # A date: from its midnight, here everything (each pledge created, then its pledger, France,
    # created the first time, then the pledge updated with it).
    entries = client.get("/api/changes/", {"since": "2000-01-01"}).json()["results"]
    assert summary(entries) == [
        ("pledge", str(old.pk), "created"),
        ("state", "FR", "created"),
        ("pledge", str(old.pk), "updated"),
        ("pledge", str(new.pk), "created"),
        ("pledge", str(new.pk), "updated"),
    ]


def test_settle_window_holds_back_the_newest(client, settings):
    settings.API_CHANGES_SETTLE_SECONDS = 60
    made = make.pledge()
    body = client.get("/api/changes/").json()
    assert body["results"] == [] and body["next"] == "http://testserver/api/changes/"
    # The pledge's audit rows made older than the window are served; its state's, still new, are not.
    models.Pledge.history.update(history_date=timezone.now() - datetime.timedelta(minutes=2))
    entries = client.get("/api/changes/").json()["results"]
    assert summary(entries) == [("pledge", str(made.pk), "created"), ("pledge", str(made.pk), "updated")]


@pytest.mark.parametrize("since", ["garbage", "2025-13-45", "eyJ4IjoxfQ", "WzEsMiwzXQ", "a%00b", "2025-01-01T25:00"])
def test_bad_since_is_400(client, since):
    response = client.get(f"/api/changes/?since={since}")
    assert response.status_code == 400 and "since" in response.json(), response.content
