"""Every record served, and HTTP as clients expect it (issue 11, items 1 and 2): a walk over every
model of the register asserting each row appears in some API answer; a meeting's attendance, head
counts and citations; a text's components, parties and citations; force requirements, citations
and status changes at addresses of their own; `state=` on meetings meaning attended; If-None-Match
and 304; state codes in any case; errors keyed by the parameter sent; sources' date precision;
the browsable API's breadcrumbs; and lists at a fixed number of queries."""

import datetime
import re
from decimal import Decimal

import django_filters
import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from simple_history.models import HistoricalChanges

from commitments import filtersets, models, services
from commitments.api import urls as api_urls
from commitments.choices import (
    AttendanceStatus,
    CountedThing,
    CountQualifier,
    DatePrecision,
    InstrumentStatus,
    PartyRole,
    Status,
)

from . import builders as make

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def anyone_reads(public, settings):
    settings.API_CHANGES_SETTLE_SECONDS = 0
    # The walks below make a few hundred anonymous reads a test: past the anonymous throttle
    # (120/min), which tests/test_api_permissions.py tests.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "token": None}}
    cache.clear()


@pytest.fixture
def client():
    return APIClient()


def read_all(client, url) -> list[dict]:
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        body = response.json()
        rows += body["results"]
        url = body["next"]
    return rows


def get(client, url, **headers) -> dict:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.content)
    return response.json()


def slugs(client, url) -> list[str]:
    return [row["slug"] for row in get(client, url)["results"]]


# ---------------------------------------------------------------------------------------------
# Every row of every model, reachable through the API


# Models whose rows the API does not serve, and why. Everything else must be reachable.
NOT_SERVED = {
    "commitments.apitoken": "credentials: a token's hash and owner are for the admin, never for API clients",
    "commitments.pledgesummary": "derived, not a fact: the pledges' totals kept by triggers, served as the "
    "figures of the summary report and the overview (tests/test_summary.py recounts them)",
    "commitments.revision": "edits waiting for review are not published: analysts and reviewers read them at "
    "/api/revisions/ (tests/test_review_api.py)",
    "commitments.release": "not a record of the register but a frozen copy of it: served at /api/releases/ "
    "(tests/test_releases_api.py)",
    "commitments.webhook": "a client's own setting (its secret included): served to its owner at /api/webhooks/ "
    "(tests/test_webhooks.py)",
    "commitments.webhookdelivery": "a webhook's sending log: served to the webhook's owner at "
    "/api/webhooks/{id}/deliveries/ (tests/test_webhooks.py)",
}


def key(*parts) -> tuple:
    return tuple(parts)


def served_rows(client) -> dict[str, set]:
    """What the API shows, as each model's natural keys: {model label: {natural key, ...}}; a link
    table's (many-to-many) rows as (one side's natural key, the other's)."""
    lists = {
        name: read_all(client, f"/api/{name}/?page_size=500")
        for name in (
            "pledges",
            "states",
            "summits",
            "declarations",
            "sources",
            "instruments",
            "people",
            "posts",
            "statements",
            "force-requirements",
            "citations",
            "status-changes",
            "instrument-status-changes",
        )
    }
    summits = [get(client, row["url"]) for row in lists["summits"]]
    declarations = [get(client, row["url"]) for row in lists["declarations"]]
    served = {
        "commitments.source": {key(row["key"]) for row in lists["sources"]},
        "commitments.state": {key(row["code"]) for row in lists["states"]},
        "commitments.summit": {key(row["slug"]) for row in lists["summits"]},
        "commitments.summit_hosts": {((row["slug"],), (code,)) for row in lists["summits"] for code in row["hosts"]},
        "commitments.summit_chairs": {((row["slug"],), (code,)) for row in lists["summits"] for code in row["chairs"]},
        "commitments.summit_organisers": {
            ((row["slug"],), (code,)) for row in lists["summits"] for code in row["organisers"]
        },
        "commitments.summit_chaired_by": {
            ((row["slug"],), (post["slug"],)) for row in summits for post in row["chaired_by"]
        },
        "commitments.attendance": {key(row["slug"], a["state"]) for row in summits for a in row["attendance"]},
        "commitments.attendance_representatives": {
            ((row["slug"], a["state"]), (post["slug"],))
            for row in summits
            for a in row["attendance"]
            for post in a["representatives"]
        },
        "commitments.attendancereport": {
            key(row["slug"], r["source"]["key"], r["counted"]) for row in summits for r in row["attendance_reports"]
        },
        "commitments.declaration": {key(row["slug"]) for row in lists["declarations"]},
        "commitments.declarationparty": {
            key(row["slug"], p["state"], p["role"]) for row in declarations for p in row["parties"]
        },
        "commitments.declarationparty_representatives": {
            ((row["slug"], p["state"], p["role"]), (post["slug"],))
            for row in declarations
            for p in row["parties"]
            for post in p["representatives"]
        },
        "commitments.declarationcomponent": {
            key(row["slug"], c["number"]) for row in declarations for c in row["components"]
        },
        "commitments.instrument": {key(row["slug"]) for row in lists["instruments"]},
        "commitments.instrument_declarations": {
            ((row["slug"],), (text["slug"],)) for row in lists["instruments"] for text in row["declarations"]
        },
        "commitments.instrumentparty": {
            key(row["slug"], p["state"], p["role"]) for row in lists["instruments"] for p in row["parties"]
        },
        "commitments.instrumentstatuschange": {
            key(row["instrument"]["slug"], row["sequence"]) for row in lists["instrument-status-changes"]
        },
        "commitments.person": {key(row["slug"]) for row in lists["people"]},
        "commitments.post": {key(row["slug"]) for row in lists["posts"]},
        "commitments.forcerequirement": {key(row["slug"]) for row in lists["force-requirements"]},
        "commitments.pledge": {key(row["slug"]) for row in lists["pledges"]},
        "commitments.pledge_pledgers": {
            ((row["slug"],), (code,)) for row in lists["pledges"] for code in row["pledgers"]
        },
        "commitments.statuschange": {key(row["pledge"]["slug"], row["sequence"]) for row in lists["status-changes"]},
        "commitments.citation": {key(row["key"]) for row in lists["citations"]},
        "commitments.statement": {key(row["slug"]) for row in lists["statements"]},
        # What a statement is about: pledges, instruments, texts and meetings, each by its slug.
        **{
            f"commitments.statement_{relation}": {
                ((row["slug"],), (ref["slug"],)) for row in lists["statements"] for ref in row["about"][relation]
            }
            for relation in ("pledges", "instruments", "declarations", "summits")
        },
    }
    return served


def label(model) -> str:
    return model._meta.label_lower


def stored_rows(model) -> set:
    """The model's rows as natural keys; a link table's as the natural keys of its two sides."""
    if model._meta.auto_created:
        one, other = (field for field in model._meta.concrete_fields if field.is_relation)
        return {
            (getattr(row, one.name).natural_key(), getattr(row, other.name).natural_key())
            for row in model.objects.select_related(one.name, other.name)
        }
    return {tuple(row.natural_key()) for row in model.objects.all()}


def register_models() -> list:
    """Every concrete model of the register, the link tables of its many-to-many fields included;
    not the audit trail's (django-simple-history) copies, which are the change feed's source."""
    return [
        model
        for model in apps.get_app_config("commitments").get_models(include_auto_created=True)
        if not issubclass(model, HistoricalChanges) and label(model) not in NOT_SERVED
    ]


def test_every_row_of_every_model_is_served_somewhere(seeded, client):
    served = served_rows(client)
    models_walked = register_models()
    # A model added later fails here until the API serves it (or NOT_SERVED says why not).
    assert sorted(served) == sorted(label(model) for model in models_walked)
    for model in models_walked:
        stored = stored_rows(model)
        if not model._meta.auto_created:
            assert stored, f"{label(model)}: the seed has no rows, so this walk proves nothing for it"
        assert served[label(model)] == stored, label(model)


# ---------------------------------------------------------------------------------------------
# A meeting's own address: attendance, head counts, citations


@pytest.fixture
def paris(db):
    """A meeting France and the UK attended and the US was reported absent from, with three
    conflicting head counts from three sources and a citation."""
    meeting = make.summit("paris", title="Paris summit")
    report = make.source("report-a", published_on=datetime.date(2025, 3, 28))
    monthly = make.source("report-b", published_on=datetime.date(2025, 3, 1), published_precision=DatePrecision.MONTH)
    for code, status in (("FR", AttendanceStatus.ATTENDED), ("GB", AttendanceStatus.ATTENDED)):
        models.Attendance.objects.create(summit=meeting, state=make.state(code), status=status, source=report)
    models.Attendance.objects.create(
        summit=meeting,
        state=make.state("US"),
        status=AttendanceStatus.ABSENT,
        source=report,
        quote="The U.S. was notably absent",
        attribution="the report",
    )
    for source, counted, qualifier, value in (
        (report, CountedThing.COUNTRIES, CountQualifier.EXACT, 35),
        (monthly, CountedThing.LEADERS, CountQualifier.MORE_THAN, 30),
        (make.source("report-c"), CountedThing.COUNTRIES, CountQualifier.EXACT, 27),
    ):
        models.AttendanceReport.objects.create(
            summit=meeting, source=source, counted=counted, qualifier=qualifier, value=value, quote=f"{value}"
        )
    models.Citation.objects.create(summit=meeting, source=monthly, quote="Paris hosted", field="city")
    return meeting


def test_summit_shows_attendance_absence_head_counts_and_citations(client, paris):
    body = get(client, "/api/summits/paris/")
    attendance = {row["state"]: row for row in body["attendance"]}
    assert {code: row["status"] for code, row in attendance.items()} == {
        "FR": "attended",
        "GB": "attended",
        "US": "absent",
    }
    assert (attendance["US"]["quote"], attendance["US"]["attribution"]) == ("The U.S. was notably absent", "the report")
    # Conflicting counts stay side by side, each with its source and qualifier.
    counts = [(r["counted"], r["qualifier"], r["value"], r["source"]["key"]) for r in body["attendance_reports"]]
    assert sorted(counts) == [
        ("countries", "exact", 27, "report-c"),
        ("countries", "exact", 35, "report-a"),
        ("leaders", "more_than", 30, "report-b"),
    ]
    (citation,) = body["citations"]
    assert (citation["field"], citation["quote"], citation["source"]["key"]) == ("city", "Paris hosted", "report-b")
    assert "attendance_reports" not in get(client, "/api/summits/")["results"][0]  # the list keeps its queries


def test_nested_sources_carry_their_date_precision(client, paris):
    body = get(client, "/api/summits/paris/")
    counts = {r["source"]["key"]: r["source"] for r in body["attendance_reports"]}
    assert (counts["report-b"]["published_on"], counts["report-b"]["published_precision"]) == ("2025-03-01", "month")
    assert counts["report-a"]["published_precision"] == "day"
    assert body["citations"][0]["source"]["published_precision"] == "month"
    pledge = make.pledge("cited")
    models.Citation.objects.create(pledge=pledge, source=models.Source.objects.get(key="report-b"), quote="q")
    (nested,) = get(client, f"/api/pledges/{pledge.pk}/")["citations"]
    assert nested["source"]["published_precision"] == "month"
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 27), source=models.Source.objects.get(key="report-b"))
    (step,) = get(client, f"/api/pledges/{pledge.pk}/history/")["results"]
    assert step["source"]["published_precision"] == "month"


# ---------------------------------------------------------------------------------------------
# `state=` on meetings: attended, unless `attendance=absent`


def test_state_on_summits_means_attended_unless_absence_is_asked(client, paris):
    london = make.summit("london")
    models.Attendance.objects.create(summit=london, state=make.state("US"), source=make.source())
    make.summit("rome")
    assert slugs(client, "/api/summits/?state=US") == ["london"]  # not paris, where the US was absent
    assert slugs(client, "/api/summits/?state=US&attendance=attended") == ["london"]
    assert slugs(client, "/api/summits/?state=US&attendance=absent") == ["paris"]
    assert slugs(client, "/api/summits/?state=FR&attendance=absent") == []
    assert sorted(slugs(client, "/api/summits/?state=FR&state=US")) == ["london", "paris"]
    # Alone, `attendance` lists the meetings with a party recorded so.
    assert slugs(client, "/api/summits/?attendance=absent") == ["paris"]
    assert sorted(slugs(client, "/api/summits/?attendance=attended")) == ["london", "paris"]
    bad = client.get("/api/summits/?state=US&attendance=maybe")
    assert bad.status_code == 400 and set(bad.json()) == {"attendance"}


def test_state_on_seeded_summits_leaves_out_the_us_absence(seeded, client):
    absent = models.Attendance.objects.get(state__code="US", status=AttendanceStatus.ABSENT).summit.slug
    attended = set(
        models.Attendance.objects.filter(state__code="US", status=AttendanceStatus.ATTENDED).values_list(
            "summit__slug", flat=True
        )
    )
    assert attended and absent not in attended
    assert set(slugs(client, "/api/summits/?state=US")) == attended
    assert slugs(client, "/api/summits/?state=US&attendance=absent") == [absent]
    # The summits export reads the same FilterSet.
    export = client.get("/api/summits/export.csv?state=US")
    assert export.status_code == 200
    assert absent not in b"".join(export.streaming_content).decode()


# ---------------------------------------------------------------------------------------------
# A text's own address: components in order, parties with their sources, citations


@pytest.fixture
def text(db):
    declaration = make.declaration("doi", title="Declaration of Intent")
    source = make.source("text-source", published_precision=DatePrecision.YEAR, published_on=datetime.date(2026, 1, 1))
    for number in (3, 1, 2):
        models.DeclarationComponent.objects.create(
            declaration=declaration, number=number, text=f"component {number}", source=source, quote=f"c{number}"
        )
    models.DeclarationParty.objects.create(
        declaration=declaration,
        state=make.state("FR", "France"),
        role=PartyRole.SIGNATORY,
        signed_on=datetime.date(2026, 1, 6),
        source=source,
        quote="signed by France",
        notes="in Paris",
    )
    models.DeclarationParty.objects.create(
        declaration=declaration, state=make.state("COW", kind="coalition"), role=PartyRole.ENDORSER, source=source
    )
    models.Citation.objects.create(declaration=declaration, source=source, quote="the text", field="status")
    return declaration


def test_declaration_shows_components_in_order_parties_and_citations(client, text):
    body = get(client, "/api/declarations/doi/")
    assert [(c["number"], c["text"], c["quote"]) for c in body["components"]] == [
        (1, "component 1", "c1"),
        (2, "component 2", "c2"),
        (3, "component 3", "c3"),
    ]
    assert body["components"][0]["source"]["published_precision"] == "year"
    parties = {p["state"]: p for p in body["parties"]}
    assert parties["FR"]["state_name"] == "France"
    assert (parties["FR"]["role"], parties["FR"]["signed_on"], parties["FR"]["quote"], parties["FR"]["notes"]) == (
        "signatory",
        "2026-01-06",
        "signed by France",
        "in Paris",
    )
    assert parties["FR"]["source"]["key"] == "text-source"
    (citation,) = body["citations"]
    assert (citation["field"], citation["quote"]) == ("status", "the text")
    listed = get(client, "/api/declarations/")["results"][0]
    assert "components" not in listed and "citations" not in listed  # the list keeps its two queries


def test_declaration_state_and_role_filters(client, text):
    make.declaration("other")
    assert slugs(client, "/api/declarations/?state=fr") == ["doi"]
    assert slugs(client, "/api/declarations/?state=FR&role=endorser") == []
    assert slugs(client, "/api/declarations/?state=COW&role=endorser") == ["doi"]
    assert slugs(client, "/api/declarations/?role=signatory") == ["doi"]


# ---------------------------------------------------------------------------------------------
# Force requirements, citations and status changes at addresses of their own


@pytest.fixture
def facts(db):
    arch = make.architecture()
    declared = make.declaration("declared")
    other = models.ForceRequirement.objects.create(
        slug="other-size", title="Another size", summit=arch["summit"], declaration=declared, troops_min=1000
    )
    models.Citation.objects.create(force_requirement=arch["requirement"], source=arch["source"], quote="15,000")
    models.Citation.objects.create(pledge=arch["joint"], source=arch["source"], quote="bulk", field="troops_max")
    models.Citation.objects.create(summit=arch["summit"], source=make.source("other-report"), quote="in Paris")
    make.move(arch["joint"], Status.ANNOUNCED, datetime.date(2025, 3, 27), source=arch["source"])
    make.move(arch["joint"], Status.COMMITTED, datetime.date(2025, 4, 1), source=make.source("later"))
    make.move(arch["lead_monitoring"], Status.ANNOUNCED, datetime.date(2025, 3, 28), source=arch["source"])
    return {**arch, "other": other, "declared": declared}


def test_force_requirements_endpoint_and_filters(client, facts):
    body = get(client, "/api/force-requirements/force-size/")
    assert (body["instrument"], body["troops_min"], body["troops_max"]) == ("multinational-force", 15000, 30000)
    assert [c["quote"] for c in body["citations"]] == ["15,000"]
    assert slugs(client, "/api/force-requirements/") == ["force-size", "other-size"]
    assert slugs(client, "/api/force-requirements/?instrument=multinational-force") == ["force-size"]
    assert slugs(client, "/api/force-requirements/?summit=paris-arch") == ["other-size"]
    assert slugs(client, "/api/force-requirements/?declaration=declared") == ["other-size"]
    assert slugs(client, "/api/force-requirements/?q=another") == ["other-size"]
    assert client.get("/api/force-requirements/?instrument=nothing").status_code == 400
    assert client.get("/api/force-requirements/nothing/").status_code == 404


def test_citations_endpoint_names_the_record_and_filters(client, facts):
    rows = read_all(client, "/api/citations/?page_size=500")
    assert len(rows) == models.Citation.objects.count()
    for row in rows:
        targets = [name for name in models.Citation.TARGETS if row[name] is not None]
        assert targets == [row["record"]]
        assert get(client, row["record_url"])  # the record's own address answers
        assert get(client, row["url"])["key"] == row["key"]
    joint = facts["joint"]

    def quotes(query):
        return sorted(row["quote"] for row in get(client, f"/api/citations/?{query}")["results"])

    assert quotes(f"pledge={joint.pk}") == ["bulk"]
    assert quotes("record=force_requirement") == ["15,000"]
    assert quotes("record=summit&record=force_requirement") == ["15,000", "in Paris"]
    assert quotes("summit=paris-arch") == ["in Paris"]
    assert quotes("source=other-report") == ["in Paris"]
    assert quotes("field=troops_max") == ["bulk"]
    assert quotes("force_requirement=force-size&q=15") == ["15,000"]
    for bad in ("record=planet", "source=nothing", "pledge=abc", "instrument=nothing"):
        response = client.get(f"/api/citations/?{bad}")
        assert response.status_code == 400 and bad.split("=")[0] in response.json(), bad


def test_status_change_endpoints_and_filters(client, facts):
    joint, monitoring = facts["joint"], facts["lead_monitoring"]
    rows = get(client, "/api/status-changes/")["results"]
    assert [(row["pledge"]["slug"], row["sequence"], row["to_status"]) for row in rows] == [
        ("fr-gb-troops", 1, "announced"),
        ("fr-gb-troops", 2, "committed"),
        ("us-monitoring", 1, "announced"),
    ]
    assert rows[0]["pledge"]["url"].endswith(f"/api/pledges/{joint.pk}/")
    assert get(client, rows[0]["url"])["id"] == rows[0]["id"]

    def steps(query):
        return [(r["pledge"]["id"], r["sequence"]) for r in get(client, f"/api/status-changes/?{query}")["results"]]

    assert steps(f"pledge={joint.pk}") == [(joint.pk, 1), (joint.pk, 2)]
    assert steps("state=us") == [(monitoring.pk, 1)]
    assert steps("state=GB") == [(joint.pk, 1), (joint.pk, 2)]
    assert steps("status=committed") == [(joint.pk, 2)]
    assert steps("from_status=announced") == [(joint.pk, 2)]
    assert steps("effective_after=2025-03-28") == [(joint.pk, 2), (monitoring.pk, 1)]
    assert steps("effective_before=2025-03-27") == [(joint.pk, 1)]
    assert steps("source=later") == [(joint.pk, 2)]
    assert steps("recorded_since=2100-01-01T00:00:00Z") == []
    # The instruments' history has its own address, statuses and filters.
    force = get(client, "/api/instrument-status-changes/?instrument=multinational-force")["results"]
    assert [(r["instrument"]["slug"], r["sequence"], r["to_status"]) for r in force] == [
        ("multinational-force", 1, "proposed"),
        ("multinational-force", 2, "agreed"),
    ]
    assert [r["sequence"] for r in get(client, "/api/instrument-status-changes/?status=agreed")["results"]] == [2]
    assert client.get("/api/instrument-status-changes/?status=committed").status_code == 400  # a pledge's status
    for lookup in ("abc", "-1", "99999999999999999999999", "1.5"):
        assert client.get(f"/api/status-changes/{lookup}/").status_code == 404, lookup
        assert client.get(f"/api/instrument-status-changes/{lookup}/").status_code == 404, lookup


def test_root_links_the_new_endpoints(client):
    body = get(client, "/api/")
    for name in ("force-requirements", "citations", "status-changes", "instrument-status-changes"):
        assert body[name] == f"http://testserver/api/{name}/"


def test_change_feed_reports_what_the_new_detail_fields_show(client, paris, text):
    since = get(client, "/api/changes/?page_size=1000")["next"]
    models.AttendanceReport.objects.create(
        summit=paris, source=make.source(), counted=CountedThing.PERSONNEL, value=200
    )
    models.Citation.objects.create(summit=paris, source=make.source(), quote="more")
    models.DeclarationComponent.objects.create(declaration=text, number=4, text="four", source=make.source())
    models.Citation.objects.create(declaration=text, source=make.source(), quote="more")
    entries = [
        (e["resource"], e["lookup"], e["change"])
        for e in get(client, since)["results"]
        if e["resource"] in ("summit", "declaration")
    ]
    assert entries == [
        ("summit", "paris", "updated"),
        ("summit", "paris", "updated"),
        ("declaration", "doi", "updated"),
        ("declaration", "doi", "updated"),
    ]


# ---------------------------------------------------------------------------------------------
# If-None-Match: 304 on every detail address, and on lists


def detail_addresses(client) -> dict[str, str]:
    """One record's address for every endpoint with records (the router's), from its list."""
    addresses = {}
    for prefix, _viewset, _basename in api_urls.router.registry:
        first = get(client, f"/api/{prefix}/?page_size=1")["results"][0]
        addresses[prefix] = first.get("api_url") or first["url"]  # a source's or webhook's `url` is elsewhere
    return addresses


def test_if_none_match_is_304_on_every_detail_and_list(seeded, client, settings):
    # The review queue is read by analysts: the client is one, and there is a revision to read.
    settings.REVIEW_REQUIRED = True
    first_pledge = models.Pledge.objects.first()
    first_pledge.title = "Renamed for review"
    services.save_pledge(first_pledge, user=make.user("author", "Analyst"))
    settings.REVIEW_REQUIRED = False
    reader = make.user("reader", "Analyst")
    models.Webhook.objects.create(owner=reader, url="https://receiver.example.org/hook", events=["*"])
    client.force_login(reader)
    addresses = detail_addresses(client)
    pledge, instrument = models.Pledge.objects.first(), models.Instrument.objects.first()
    lists = [f"/api/{prefix}/" for prefix in addresses] + [
        "/api/",
        "/api/changes/",
        f"/api/pledges/{pledge.pk}/history/",
        f"/api/instruments/{instrument.slug}/history/",
        "/api/summits/?state=fr",
    ]
    for url in [*addresses.values(), *lists]:
        first = client.get(url)
        etag = first["ETag"]
        assert first.status_code == 200 and re.fullmatch(r'"[^"]+"', etag), url
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag, url
        assert "Accept" in again["Vary"], url
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200, url
    for url in (addresses["summits"], "/api/summits/"):
        etag = client.get(url)["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304, url  # weak comparison
        assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304, url
        assert client.head(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url


def test_a_change_ends_the_304(client, paris):
    url = "/api/summits/paris/"
    etag = client.get(url)["ETag"]
    list_etag = client.get("/api/summits/")["ETag"]
    models.AttendanceReport.objects.create(summit=paris, source=make.source(), counted=CountedThing.PERSONNEL, value=1)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    paris.title = "Paris leaders' summit"
    paris.save()
    assert client.get("/api/summits/", HTTP_IF_NONE_MATCH=list_etag).status_code == 200


def test_pledge_detail_304_follows_its_versioned_etag(client):
    made = make.pledge()
    etag = client.get(f"/api/pledges/{made.pk}/")["ETag"]
    assert etag.startswith(f'"pledge-{made.pk}-v1.')
    assert client.get(f"/api/pledges/{made.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    made.title = "changed"
    made.save()
    changed = client.get(f"/api/pledges/{made.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"].startswith(f'"pledge-{made.pk}-v2.')


def test_pledge_304_ends_when_a_citation_changes_without_a_new_version(client):
    """A citation edited on its own (not through the pledge) leaves the version where it was: the
    digest in the ETag moves, so If-None-Match gets the new answer; If-Match still takes either tag."""
    made = make.pledge(citations=1)
    url = f"/api/pledges/{made.pk}/"
    etag = client.get(url)["ETag"]
    citation = made.citations.get()
    citation.quote = "a different phrase"
    citation.save()
    made.refresh_from_db()
    assert made.version == 1
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed["ETag"].startswith(f'"pledge-{made.pk}-v1.')
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_no_304_for_errors_writes_csv_or_the_browsable_pages(client):
    made = make.pledge()
    assert client.get("/api/pledges/?status=done", HTTP_IF_NONE_MATCH="*").status_code == 400
    assert client.get("/api/pledges/999999/", HTTP_IF_NONE_MATCH="*").status_code == 404
    assert client.get("/api/pledges/?format=csv", HTTP_IF_NONE_MATCH="*").status_code == 200
    page = make.session_client(make.user(role="Analyst", staff=False))
    assert page.get(f"/api/pledges/{made.pk}/", HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH="*").status_code == 200


def test_schema_declares_if_none_match_and_304_on_reads(client):
    schema = get(client, "/api/schema/?format=json")
    reads = [
        (path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "get" and not re.search(r"\.\w+$", path)  # not the files (exports, reports)
    ]
    assert len(reads) > 20
    for path, operation in reads:
        assert "304" in operation["responses"], path
        assert any(p["name"] == "If-None-Match" and p["in"] == "header" for p in operation["parameters"]), path


# ---------------------------------------------------------------------------------------------
# State codes in any case, in every filter that takes them


# Every filter of every FilterSet that reads state codes, and a list address that uses it.
STATE_FILTERS = {
    ("PledgeFilterSet", "state"): "/api/pledges/",
    ("SummitFilterSet", "state"): "/api/summits/",
    ("DeclarationFilterSet", "state"): "/api/declarations/",
    ("InstrumentFilterSet", "state"): "/api/instruments/",
    ("PersonFilterSet", "state"): "/api/people/",
    ("PostFilterSet", "state"): "/api/posts/",
    ("StatementFilterSet", "state"): "/api/statements/",
    ("StatusChangeFilterSet", "state"): "/api/status-changes/",
}


def test_every_state_code_filter_is_listed_here():
    classes = [getattr(filtersets, name) for name in filtersets.__all__]
    found = {
        (filterset.__name__, param)
        for filterset in classes
        if isinstance(filterset, type) and issubclass(filterset, django_filters.FilterSet)
        for param, filter_ in filterset.base_filters.items()
        if isinstance(filter_, filtersets.CodesFilter)
    }
    assert found == set(STATE_FILTERS)


def test_state_codes_are_read_in_any_case(seeded, client):
    for (_filterset, param), url in STATE_FILTERS.items():
        code, upper = next(
            (code, rows)
            for code in ("FR", "GB", "US", "UA", "COW")
            if (rows := read_all(client, f"{url}?{param}={code}&page_size=500"))
        )
        assert read_all(client, f"{url}?{param}={code.lower()}&page_size=500") == upper, url
        assert read_all(client, f"{url}?{param}={code.capitalize()}&page_size=500") == upper, url
        bad = client.get(f"{url}?{param}=xx")
        assert bad.status_code == 400 and set(bad.json()) == {param}, url


# ---------------------------------------------------------------------------------------------
# An error names the parameter the client sent


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/pledges/?value_date_after=yesterday", {"value_date_after"}),
        ("/api/pledges/?value_date_after=2025-01-01&value_date_before=yesterday", {"value_date_before"}),
        ("/api/pledges/?value_date_after=x&value_date_before=y", {"value_date_after", "value_date_before"}),
        ("/api/pledges/?status_changed_before=2025-13-01&status=done", {"status_changed_before", "status"}),
        ("/api/summits/?date_after=never", {"date_after"}),
        ("/api/sources/?published_before=never", {"published_before"}),
        ("/api/statements/?made_after=never", {"made_after"}),
        ("/api/status-changes/?effective_before=never", {"effective_before"}),
        ("/api/pledges/?value_date_after=%00", {"value_date_after"}),
        ("/api/pledges/export.csv?value_date_before=never", {"value_date_before"}),
    ],
)
def test_errors_are_keyed_by_the_parameter_sent(client, url, expected):
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert set(response.json()) == expected


def test_each_filterset_has_filters_of_its_own_without_a_deep_copy():
    """TrackerFilterSet copies the declared filters shallowly: each FilterSet still has its own
    filters, bound to it (a `method` filter finds the method on its own FilterSet), its own
    `extra` and form fields, and the declared filters gain no parent and keep their `extra`."""
    declared = filtersets.PledgeFilterSet.base_filters
    extra_before = {name: dict(filter_.extra) for name, filter_ in declared.items()}
    one = filtersets.PledgeFilterSet({"state": "FR"}, queryset=models.Pledge.objects.all())
    other = filtersets.PledgeFilterSet({"state": "GB", "status": "announced"}, queryset=models.Pledge.objects.all())
    one.is_valid(), other.is_valid()
    for name, filter_ in one.filters.items():
        theirs = other.filters[name]
        assert filter_ is not declared[name] and filter_ is not theirs, name
        assert filter_.parent is one and theirs.parent is other, name
        assert filter_.extra is not declared[name].extra and filter_.extra is not theirs.extra, name
        assert one.form.fields[name] is not other.form.fields[name], name
        if declared[name].method is not None:
            assert filter_.filter.f is filter_ and theirs.filter.f is theirs, name
        assert not hasattr(declared[name], "parent"), name
    assert {name: dict(filter_.extra) for name, filter_ in declared.items()} == extra_before


class AmountFilterSet(filtersets.TrackerFilterSet):
    """A numeric range (amount_eur_min / amount_eur_max), as django-filter's RangeFilter reads it."""

    amount_eur = django_filters.RangeFilter()
    troops = django_filters.NumericRangeFilter(field_name="troops_max")

    class Meta:
        model = models.Pledge
        fields = []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"amount_eur_min": "lots"}, {"amount_eur_min"}),
        ({"amount_eur_min": "1", "amount_eur_max": "many"}, {"amount_eur_max"}),
        ({"troops_min": "1", "troops_max": "x"}, {"troops_max"}),
    ],
)
def test_range_filter_errors_name_the_bound_sent(query, expected):
    filterset = AmountFilterSet(query, queryset=models.Pledge.objects.all())
    assert not filterset.is_valid()
    assert set(filterset.errors) == expected
    assert set(filterset.form.errors) == {"amount_eur" if "amount_eur_min" in query else "troops"}  # the form's own


def test_range_filters_still_filter(client):
    make.pledge(
        "low",
        amount=Decimal("10.00"),
        currency="EUR",
        fx_rate=Decimal(1),
        amount_eur=Decimal("10.00"),
        value_date=datetime.date(2025, 1, 1),
    )
    make.pledge("none")
    filterset = AmountFilterSet({"amount_eur_min": "5", "amount_eur_max": "20"}, queryset=models.Pledge.objects.all())
    assert filterset.is_valid() and [p.slug for p in filterset.qs] == ["low"]


# ---------------------------------------------------------------------------------------------
# The browsable API's breadcrumbs


def breadcrumbs(page) -> list[tuple[str, str]]:
    html = page.content.decode()
    crumbs = re.search(r'<ul class="breadcrumb">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', crumbs)


def test_breadcrumbs_name_each_step_and_skip_addresses_no_view_answers(paris):
    made = make.pledge()
    force = make.instrument("force")
    browser = make.session_client(make.user(role="Analyst", staff=False))
    expected = {
        "/api/": [("/api/", "API")],
        "/api/summits/": [("/api/", "API"), ("/api/summits/", "Summits")],
        "/api/summits/paris/": [
            ("/api/", "API"),
            ("/api/summits/", "Summits"),
            ("/api/summits/paris/", "Summit paris"),
        ],
        f"/api/pledges/{made.pk}/history/": [
            ("/api/", "API"),
            ("/api/pledges/", "Pledges"),
            (f"/api/pledges/{made.pk}/", f"Pledge {made.pk}"),
            (f"/api/pledges/{made.pk}/history/", "Status history"),
        ],
        "/api/instruments/force/history/": [
            ("/api/", "API"),
            ("/api/instruments/", "Instruments"),
            ("/api/instruments/force/", "Instrument force"),
            ("/api/instruments/force/history/", "Status history"),
        ],
        "/api/people/": [("/api/", "API"), ("/api/people/", "People")],
        "/api/force-requirements/": [("/api/", "API"), ("/api/force-requirements/", "Force requirements")],
        "/api/changes/": [("/api/", "API"), ("/api/changes/", "Change feed")],
    }
    assert force.slug == "force"
    for url, crumbs in expected.items():
        page = browser.get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 200, url
        assert breadcrumbs(page) == crumbs, url
        assert "Not Found" not in page.content.decode(), url


# ---------------------------------------------------------------------------------------------
# Query counts: the same for 1 row as for N


COUNTER = iter(range(1, 10_000))


def populate(count: int) -> list[str]:
    """`count` of everything the new and changed lists show: a party that attended one meeting and
    was absent from another, a text it signed, a force requirement with two citations, citations
    of every kind of record, two status changes of a pledge and of an instrument. Returns the
    parties' codes."""
    codes = []
    for _ in range(count):
        n = next(COUNTER)
        source = make.source()
        party = make.state(f"X{n}", kind="coalition")
        codes.append(party.code)
        meeting = make.summit(f"meeting-{n}")
        meeting.hosts.set([party])
        models.Attendance.objects.create(summit=meeting, state=party, source=source)
        models.Attendance.objects.create(
            summit=make.summit(f"absent-{n}"), state=party, status=AttendanceStatus.ABSENT, source=source
        )
        text = make.declaration(f"text-{n}", summit=meeting)
        models.DeclarationParty.objects.create(declaration=text, state=party, role=PartyRole.SIGNATORY, source=source)
        force = make.instrument(f"force-{n}")
        requirement = models.ForceRequirement.objects.create(
            slug=f"size-{n}", title="size", summit=meeting, declaration=text, instrument=force, troops_min=n
        )
        pledge = make.pledge(f"pledge-{n}", pledgers=(party,))
        for target in (
            {"force_requirement": requirement},
            {"force_requirement": requirement},
            {"summit": meeting},
            {"declaration": text},
            {"pledge": pledge},
            {"instrument": force},
        ):
            models.Citation.objects.create(source=source, quote="q", **target)
        make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 1), source=source)
        make.move(pledge, Status.COMMITTED, datetime.date(2025, 3, 2), source=make.source())
        make.move(force, InstrumentStatus.PROPOSED, datetime.date(2025, 3, 1), source=source)
        make.move(force, InstrumentStatus.AGREED, datetime.date(2025, 3, 2), source=make.source())
    return codes


# {states}: `state=` for every party populate() made. Values: (queries, rows listed per populate()).
LIST_QUERIES = {
    # requirements joined to meeting, text and instrument; their citations joined to sources
    "/api/force-requirements/?": (2, 1),
    # citations joined to sources and to every kind of record
    "/api/citations/?": (1, 6),
    "/api/citations/?record=force_requirement&record=pledge": (1, 3),
    # status changes joined to pledges and sources
    "/api/status-changes/?": (1, 2),
    "/api/instrument-status-changes/?": (1, 2),
    # the codes checked; summits; hosts; chairs; organisers
    "/api/summits/?{states}": (5, 1),
    "/api/summits/?{states}&attendance=absent": (5, 1),
    "/api/summits/?attendance=absent": (4, 1),
    # the codes checked; texts joined to meeting and superseded text; parties joined to states
    "/api/declarations/?{states}&role=signatory": (3, 1),
    # the codes checked; status changes joined to pledges and sources
    "/api/status-changes/?{states}": (2, 2),
}


@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_list_query_count_does_not_grow_with_rows(client, url):
    queries, rows_each = LIST_QUERIES[url]
    codes = populate(1)

    def address():
        return url.format(states="&".join(f"state={code}" for code in codes)) + "&page_size=50"

    with CaptureQueriesContext(connection) as one:
        response = client.get(address())
    assert response.status_code == 200 and len(response.json()["results"]) == rows_each, response.content
    codes += populate(4)
    with CaptureQueriesContext(connection) as many:
        response = client.get(address())
    assert response.status_code == 200 and len(response.json()["results"]) == 5 * rows_each
    assert len(one) == len(many) == queries, [q["sql"] for q in many]


def test_detail_query_counts_do_not_grow_with_nested_rows(client, paris, text):
    # the meeting; hosts; chairs; organisers; attendances joined to states and sources; their
    # posts; head counts joined to sources; chairing posts; citations joined to sources
    # / the text joined to its meeting and superseded text; parties joined to states and sources;
    # their posts; components joined to sources; citations joined to sources
    expected = {"/api/summits/paris/": 9, "/api/declarations/doi/": 5}
    counts = {}
    for url in expected:
        with CaptureQueriesContext(connection) as queries:
            get(client, url)
        counts[url] = len(queries)
    for n in range(5):
        source = make.source()
        models.AttendanceReport.objects.create(summit=paris, source=source, counted=CountedThing.PERSONNEL, value=n + 1)
        models.Attendance.objects.create(summit=paris, state=make.state(f"Y{n}", kind="coalition"), source=source)
        models.Citation.objects.create(summit=paris, source=source, quote="q")
        models.DeclarationComponent.objects.create(declaration=text, number=10 + n, text="t", source=source)
        models.DeclarationParty.objects.create(
            declaration=text, state=make.state(f"Y{n}", kind="coalition"), role=PartyRole.ENDORSER, source=source
        )
        models.Citation.objects.create(declaration=text, source=source, quote="q")
    for url, count in expected.items():
        with CaptureQueriesContext(connection) as queries:
            get(client, url)
        assert counts[url] == len(queries) == count, (url, [q["sql"] for q in queries])
