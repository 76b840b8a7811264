"""The API over the seeded data: everything the fixtures hold is served, in a fixed number of queries."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.relations import HyperlinkedIdentityField, SlugRelatedField
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.serializers import ListSerializer
from rest_framework.test import APIClient

from commitments import models
from commitments.api import serializers
from commitments.api.rows import PlannedListSerializer

from . import builders as make


@pytest.fixture(autouse=True)
def settled(public, settings):
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
        ("instruments", models.Instrument),
        ("people", models.Person),
        ("posts", models.Post),
        ("statements", models.Statement),
    ):
        rows = read_all(client, f"/api/{endpoint}/?page_size=7")
        assert sorted(row["id"] for row in rows) == sorted(model.objects.values_list("pk", flat=True)), endpoint
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/pledges/?page_size=500").status_code == 200
    assert len(queries) == 3
    # The audit trail the seed writes is the start of the change feed: every seeded record of the
    # API's, created once.
    feed = client.get("/api/changes/", {"page_size": 1000}).json()
    assert not feed["has_more"]
    created = [(e["resource"], e["lookup"]) for e in feed["results"] if e["change"] == "created"]
    seeded_records = [
        (resource, str(lookup))
        for resource, model, field in (
            ("pledge", models.Pledge, "pk"),
            ("state", models.State, "code"),
            ("summit", models.Summit, "slug"),
            ("declaration", models.Declaration, "slug"),
            ("source", models.Source, "key"),
            ("instrument", models.Instrument, "slug"),
            ("person", models.Person, "slug"),
            ("post", models.Post, "slug"),
            ("statement", models.Statement, "slug"),
        )
        for lookup in model.objects.values_list(field, flat=True)
    ]
    assert sorted(created) == sorted(seeded_records)


def test_the_issues_four_questions_on_the_seed_data_through_the_api_alone(seeded):
    """Issue 10's "done when", on what the seed reports say, asked over HTTP only."""
    client = APIClient()

    # 1. Who leads the monitoring mechanism, and who takes part? (The US leads; the coalition takes part.)
    (mechanism,) = read_all(client, "/api/instruments/?kind=monitoring")
    assert {(party["state"], party["role"]) for party in mechanism["parties"]} == {
        ("US", "lead"),
        ("COW", "participant"),
    }
    assert [row["slug"] for row in read_all(client, "/api/instruments/?state=US&role=lead")] == [mechanism["slug"]]

    # 2. Which pledges feed the multinational force, and how far are quantified contributions from its
    #    requirement? No contribution gives a number: the gap is unknown, with the unquantified counted.
    (force,) = read_all(client, "/api/instruments/?kind=force")
    feeding = sorted(row["slug"] for row in read_all(client, f"/api/pledges/?instrument={force['slug']}"))
    assert sorted(c["slug"] for c in force["contributions"]) == feeding
    assert "fr-gb-bulk-of-multinational-force-troops-2026" in feeding
    (gap,) = force["force_requirements"]
    assert (gap["requirement_min"], gap["requirement_max"]) == (15000, 30000)
    assert (gap["troops_low"], gap["troops_high"], gap["gap_min"], gap["gap_max"]) == (None, None, None, None)
    assert (gap["troop_pledges"], gap["troop_pledges_unquantified"]) == (0, 2)

    # 3. Every statement that qualifies or rejects a guarantee, with its speaker and quote.
    said = {
        ((s["speaker"] or {}).get("name"), s["state"], s["stance"])
        for s in read_all(client, "/api/statements/?stance=qualifies&stance=rejects")
    }
    assert said == {
        ("Volodymyr Zelensky", "UA", "qualifies"),
        ("Keir Starmer", "GB", "qualifies"),
        (None, "RU", "rejects"),
    }
    assert all(s["quote"] for s in read_all(client, "/api/statements/?stance=rejects"))

    # 4. Who represented each state at each summit (a post without a named holder included)?
    represented = {}
    for summit in read_all(client, "/api/summits/"):
        for attendance in client.get(summit["url"]).json()["attendance"]:
            represented[(summit["slug"], attendance["state"])] = sorted(
                (post["title"], (post["person"] or {}).get("name")) for post in attendance["representatives"]
            )
    assert represented[("paris-summit-2026-01-06", "US")] == [
        ("White House special envoy", "Steve Witkoff"),
        ("one of President Donald Trump's envoys", "Jared Kushner"),
    ]
    assert represented[("chiefs-of-defence-meeting-2026-01-06", "GB")] == [
        ("British counterpart of France's Chief of the Defence Staff", None)
    ]
    assert represented[("paris-summit-2025-03-27", "US")] == []  # "notably absent"
    assert len(represented) == models.Attendance.objects.count()


class StockPledgeSerializer(serializers.PledgeSerializer):
    """The pledge as DRF's own fields render it, over the relations' managers (each `.all()` a
    QuerySet, each URL a `reverse()`): what the list's lighter fields must give byte for byte."""

    url = HyperlinkedIdentityField(view_name="api:pledge-detail")
    pledgers = SlugRelatedField(many=True, read_only=True, slug_field="code")
    pledger_details = serializers.StateRefSerializer(source="pledgers", many=True, read_only=True)
    citations = serializers.CitationSerializer(many=True, read_only=True)

    class Meta(serializers.PledgeSerializer.Meta):
        list_serializer_class = ListSerializer  # DRF's own rows, not the plan's (api/rows.py)


def test_pledge_pages_render_as_drfs_own_fields_would(seeded):
    """The list reads prefetched lists, builds URLs from one reversed prefix a request and its rows
    from a plan of the serializer's fields (api/rows.py); the answer is the one DRF's stock fields
    give over `with_related()`, whatever the ordering or filter, `as_of` included."""
    assert PlannedListSerializer.plan_for(serializers.PledgeSerializer) is not None  # not DRF's fallback
    # Joint pledgers whose codes sort otherwise than their names (DE/Germany, FR/France): the
    # pledgers come in the states' own order, by name, as `pledgers.all()` gives them.
    make.pledge(pledgers=("DE", "FR", "GB"), citations=2)
    client = APIClient()
    for query in ("page_size=500", "ordering=-amount_eur&page_size=500", "as_of=2025-06-01&page_size=500", "state=FR"):
        response = client.get(f"/api/pledges/?{query}")
        body = response.json()
        rows = body["results"]
        assert rows, query
        request = response.wsgi_request
        by_id = models.Pledge.objects.with_related().select_related("contributes_to").in_bulk([r["id"] for r in rows])
        if "as_of" in query:
            by_id = models.Pledge.objects.with_related().as_of(datetime.date(2025, 6, 1)).in_bulk(list(by_id))
        drf_request = Request(request)
        stock = StockPledgeSerializer([by_id[row["id"]] for row in rows], many=True, context={"request": drf_request})
        assert response.content == JSONRenderer().render({"next": body["next"], "results": stock.data}), query
