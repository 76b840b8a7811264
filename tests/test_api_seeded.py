"""The API over the seeded data: everything the fixtures hold is served, in a fixed number of queries."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commitments import models


@pytest.fixture(autouse=True)
def public(settings):
    settings.PUBLIC_READ = True
    settings.API_CHANGES_SETTLE_SECONDS = 0
    cache.clear()


def read_all(client, url):
    rows = []
    while url:
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_every_seeded_record_is_served(seeded):
    client = APIClient()
    for endpoint, model in (
        ("pledges", models.Pledge),
        ("states", models.State),
        ("summits", models.Summit),
        ("declarations", models.Declaration),
        ("sources", models.Source),
    ):
        rows = read_all(client, f"/api/{endpoint}/?page_size=7")
        assert sorted(row["id"] for row in rows) == sorted(model.objects.values_list("pk", flat=True)), endpoint
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/pledges/?page_size=500").status_code == 200
    assert len(queries) == 3
    # The audit trail the seed writes is the start of the change feed.
    feed = client.get("/api/changes/", {"page_size": 1000}).json()
    assert not feed["has_more"]
    created = {(e["resource"], e["lookup"]) for e in feed["results"] if e["change"] == "created"}
    assert {("pledge", str(pk)) for pk in models.Pledge.objects.values_list("pk", flat=True)} <= created
