"""The guarantees' architecture through the API: instruments, people, posts and statements, what the
existing records gain (a pledge's instrument and statements, a meeting's attendance, a text's
representatives), their filters, as_of, query counts, the change feed, and the issue's four
questions answered through the API alone."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commitments import models
from commitments.choices import InstrumentRole, InstrumentStatus

from . import builders as make

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def anyone_reads(public, settings):
    settings.API_CHANGES_SETTLE_SECONDS = 0
    cache.clear()  # throttle counts must not carry over between tests


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def arch(db):
    return make.architecture()


def rows(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def slugs(client, url) -> list[str]:
    return [row["slug"] for row in rows(client, url)]


# ---------------------------------------------------------------------------------------------
# Endpoints


@pytest.mark.parametrize(
    ("endpoint", "record"),
    [
        ("instruments", lambda a: a["force"]),
        ("people", lambda a: a["people"]["witkoff"]),
        ("posts", lambda a: a["posts"]["defence"]),
        ("statements", lambda a: a["statements"]["rejects"]),
    ],
)
def test_list_and_detail_by_slug_with_etag_and_json_404(client, arch, endpoint, record):
    made = record(arch)
    assert made.slug in slugs(client, f"/api/{endpoint}/")
    detail = client.get(f"/api/{endpoint}/{made.slug}/")
    assert detail.status_code == 200 and detail.json()["id"] == made.pk
    assert detail.json()["url"] == f"http://testserver/api/{endpoint}/{made.slug}/"
    assert detail["ETag"].startswith('"') and client.get(f"/api/{endpoint}/{made.slug}/")["ETag"] == detail["ETag"]
    for missing in ("no-such-thing", "a%00b"):
        absent = client.get(f"/api/{endpoint}/{missing}/")
        assert absent.status_code == 404 and absent["Content-Type"] == "application/json", missing
    assert client.post(f"/api/{endpoint}/", {}).status_code == 405  # read-only: they change in the admin


def test_instrument_shows_parties_contributions_requirement_gap_statements_and_citations(client, arch):
    force = arch["force"]
    force.declarations.add(make.declaration("paris-text", title="Paris Declaration"))
    models.Citation.objects.create(instrument=force, source=arch["source"], quote="a multinational force", field="name")
    body = client.get("/api/instruments/multinational-force/").json()
    assert (body["name"], body["kind"], body["status"], body["status_changed_on"]) == (
        "Multinational Force Ukraine",
        "force",
        "agreed",
        "2025-03-27",
    )
    assert (body["condition"], body["condition_text"], body["condition_state"]) == (
        "upon_ceasefire",
        "once a ceasefire is agreed",
        "pending",
    )
    # Leads first, then the other roles, each with the phrase and source that give it.
    assert [(p["state"], p["state_name"], p["role"]) for p in body["parties"]] == [
        ("FR", "France", "lead"),
        ("GB", "United Kingdom", "lead"),
        ("COW", "Coalition of the Willing", "contributor"),
    ]
    assert body["parties"][0]["quote"] == "FR as lead of multinational-force"
    assert body["parties"][0]["source"]["key"]
    assert body["declarations"] == [{"slug": "paris-text", "title": "Paris Declaration"}]
    contributions = {c["slug"]: c for c in body["contributions"]}
    assert list(contributions) == ["fr-gb-troops", "fr-troops", "cow-troops"]
    assert contributions["fr-gb-troops"]["pledgers"] == ["FR", "GB"]
    assert (contributions["fr-troops"]["part_of"], contributions["cow-troops"]["quantity_text"]) == (
        "fr-gb-troops",
        "thousands of troops",
    )
    assert contributions["cow-troops"]["troops_min"] is None  # unknown stays unknown, never 0
    # The share is inside the joint pledge: 5,000–10,000 pledged, not 7,000–10,000.
    assert body["force_requirements"] == [
        {
            "slug": "force-size",
            "title": "Force size",
            "requirement_min": 15000,
            "requirement_max": 30000,
            "troops_low": 5000,
            "troops_high": 10000,
            "troop_pledges": 1,
            "troop_pledges_unquantified": 1,
            "gap_min": 10000,
            "gap_max": 20000,
        }
    ]
    assert [(s["slug"], s["stance"]) for s in body["statements"]] == [
        ("macron-supports", "supports"),
        ("russia-rejects", "rejects"),
    ]
    assert body["statements"][0]["speaker"]["name"] == "Emmanuel Macron"
    assert [(c["quote"], c["field"]) for c in body["citations"]] == [("a multinational force", "name")]


def test_requirement_without_a_quantified_contribution_has_an_unknown_gap(client):
    force = make.instrument("force", parties=(("FR", InstrumentRole.LEAD),))
    models.ForceRequirement.objects.create(slug="size", title="Size", instrument=force, troops_min=15000)
    make.pledge(category="troops", quantity_text="thousands of troops", contributes_to=force)
    make.instrument("mission")  # no contribution at all, no requirement
    listed = {row["slug"]: row for row in rows(client, "/api/instruments/")}
    detail = client.get("/api/instruments/force/").json()
    for body in (listed["force"], detail):
        (gap,) = body["force_requirements"]
        assert (gap["requirement_min"], gap["requirement_max"]) == (15000, None)
        assert (gap["troops_low"], gap["troops_high"], gap["gap_min"], gap["gap_max"]) == (None, None, None, None)
        assert (gap["troop_pledges"], gap["troop_pledges_unquantified"]) == (0, 1)
    assert listed["mission"]["force_requirements"] == [] and listed["mission"]["contributions"] == []


def test_people_and_posts_show_holders_and_the_phrases_that_name_them(client, arch):
    witkoff = client.get("/api/people/steve-witkoff/").json()
    assert witkoff["name"] == "Steve Witkoff"
    assert [(p["slug"], p["title"], p["role"], p["state"], p["quote"]) for p in witkoff["posts"]] == [
        ("us-envoy", "envoy", "envoy", "US", "the envoy")
    ]
    assert witkoff["posts"][0]["source"]["key"]
    unnamed = client.get("/api/posts/gb-defence-secretary/").json()
    assert (unnamed["title"], unnamed["state"], unnamed["person"]) == ("Defence Secretary", "GB", None)
    envoy = client.get("/api/posts/us-envoy/").json()
    assert envoy["person"] == {
        "slug": "steve-witkoff",
        "name": "Steve Witkoff",
        "url": "http://testserver/api/people/steve-witkoff/",
    }


def test_statement_shows_speaker_party_stance_what_it_is_about_and_its_source(client, arch):
    body = client.get("/api/statements/macron-supports/").json()
    assert body["speaker"]["slug"] == "emmanuel-macron" and body["state"] == "FR"
    assert (body["made_on"], body["made_precision"], body["summit"], body["stance"]) == (
        "2025-03-27",
        "day",
        "paris-arch",
        "supports",
    )
    assert body["about"]["pledges"] == [
        {
            "id": arch["joint"].pk,
            "slug": "fr-gb-troops",
            "title": "Pledge fr-gb-troops",
            "url": f"http://testserver/api/pledges/{arch['joint'].pk}/",
        }
    ]
    assert [i["slug"] for i in body["about"]["instruments"]] == ["multinational-force"]
    assert body["about"]["declarations"] == [] and body["about"]["summits"] == []
    assert body["quote"] == "words of macron-supports" and body["source"]["key"]
    russia = client.get("/api/statements/russia-rejects/").json()
    assert (russia["speaker"], russia["state"], russia["made_on"]) == (None, "RU", None)
    assert russia["about"]["summits"] == [{"slug": "paris-arch", "title": "Paris summit"}]


def test_pledge_shows_its_instrument_and_on_its_own_address_the_statements_about_it(client, arch):
    joint = arch["joint"]
    listed = {row["slug"]: row for row in rows(client, "/api/pledges/")}
    assert listed["fr-gb-troops"]["contributes_to"] == "multinational-force"
    assert listed["fr-gb-troops"]["contributes_to_detail"] == {
        "slug": "multinational-force",
        "name": "Multinational Force Ukraine",
        "kind": "force",
        "url": "http://testserver/api/instruments/multinational-force/",
    }
    assert "statements" not in listed["fr-gb-troops"]  # the list stays at its three queries
    detail = client.get(f"/api/pledges/{joint.pk}/").json()
    assert [(s["slug"], s["speaker"]["name"], s["quote"]) for s in detail["statements"]] == [
        ("macron-supports", "Emmanuel Macron", "words of macron-supports")
    ]
    other = make.pledge()
    assert client.get(f"/api/pledges/{other.pk}/").json()["contributes_to"] is None


def test_summit_shows_attendance_with_representatives_and_its_chair(client, arch):
    body = client.get("/api/summits/paris-arch/").json()
    attendance = {a["state"]: a for a in body["attendance"]}
    assert attendance["US"]["represented_by"] == "Washington's envoy Steve Witkoff"
    assert [(p["slug"], p["title"], p["person"]["name"]) for p in attendance["US"]["representatives"]] == [
        ("us-envoy", "envoy", "Steve Witkoff")
    ]
    assert attendance["GB"]["representatives"][0]["person"] is None  # the post, its holder not named
    assert attendance["FR"]["status"] == "attended" and attendance["FR"]["source"]["key"] == "report-arch"
    assert [p["slug"] for p in body["chaired_by"]] == ["gb-defence-secretary"]
    assert "attendance" not in rows(client, "/api/summits/")[0]  # the list keeps its four queries


def test_declaration_parties_show_their_representatives(client, arch):
    text = make.declaration("doi", title="Declaration of Intent")
    party = models.DeclarationParty.objects.create(
        declaration=text, state=make.state("FR"), role="signatory", source=arch["source"]
    )
    party.representatives.set([arch["posts"]["president"]])
    (shown,) = client.get("/api/declarations/doi/").json()["parties"]
    assert [(p["slug"], p["person"]["slug"]) for p in shown["representatives"]] == [("fr-president", "emmanuel-macron")]


# ---------------------------------------------------------------------------------------------
# as_of and history


def test_instrument_as_of_gives_the_status_then_in_list_and_detail(client, arch):
    def as_of(day, extra=""):
        return {
            r["slug"]: (r["status"], r["status_changed_on"])
            for r in rows(client, f"/api/instruments/?as_of={day}{extra}")
        }

    # The monitoring mechanism has no status change: not listed on any past date.
    assert as_of("2025-03-01") == {}
    assert as_of("2025-03-10") == {"multinational-force": ("proposed", "2025-03-02")}
    assert as_of("2025-04-01") == {"multinational-force": ("agreed", "2025-03-27")}
    assert as_of("2025-04-01", "&status=proposed") == {}
    assert as_of("2025-03-10", "&status=proposed") == {"multinational-force": ("proposed", "2025-03-02")}
    detail = client.get("/api/instruments/multinational-force/?as_of=2025-03-10").json()
    assert (detail["status"], detail["status_changed_on"]) == ("proposed", "2025-03-02")
    assert client.get("/api/instruments/multinational-force/?as_of=2025-03-01").status_code == 404
    # Today's status without as_of; a detail address ignores the list's other filters.
    assert client.get("/api/instruments/multinational-force/?status=proposed").json()["status"] == "agreed"
    bad = client.get("/api/instruments/multinational-force/?as_of=2025-02-30")
    assert bad.status_code == 400 and "as_of" in bad.json()


def test_instrument_history_lists_its_status_changes_in_two_queries(client, arch):
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/instruments/multinational-force/history/").json()
    # the instrument (404 if absent); its status changes joined to sources
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert [(r["sequence"], r["from_status"], r["to_status"], r["effective_date"]) for r in body["results"]] == [
        (1, "not_assessable", "proposed", "2025-03-02"),
        (2, "proposed", "agreed", "2025-03-27"),
    ]
    assert body["results"][0]["source"]["key"] == "report-arch"
    assert rows(client, "/api/instruments/ceasefire-monitoring/history/") == []
    assert client.get("/api/instruments/nothing/history/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Filters (one FilterSet per model, commitments/filtersets/)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("/api/instruments/?kind=monitoring", ["ceasefire-monitoring"]),
        ("/api/instruments/?kind=force&kind=monitoring", ["ceasefire-monitoring", "multinational-force"]),
        ("/api/instruments/?status=agreed", ["multinational-force"]),
        ("/api/instruments/?state=US", ["ceasefire-monitoring"]),
        ("/api/instruments/?state=FR", ["ceasefire-monitoring", "multinational-force"]),
        ("/api/instruments/?state=FR&role=lead", ["multinational-force"]),
        ("/api/instruments/?state=FR&role=participant", ["ceasefire-monitoring"]),
        ("/api/instruments/?state=US&state=COW&role=contributor", ["multinational-force"]),
        ("/api/instruments/?role=contributor", ["multinational-force"]),
        ("/api/instruments/?q=verification", ["ceasefire-monitoring"]),
        ("/api/people/?state=US", ["steve-witkoff"]),
        ("/api/people/?role=head", ["emmanuel-macron"]),
        ("/api/people/?state=US&role=head", []),
        ("/api/people/?q=president", ["emmanuel-macron"]),
        ("/api/people/?q=witk", ["steve-witkoff"]),
        ("/api/posts/?state=GB", ["gb-defence-secretary"]),
        ("/api/posts/?role=envoy&role=head", ["fr-president", "us-envoy"]),
        ("/api/posts/?person=steve-witkoff", ["us-envoy"]),
        ("/api/posts/?q=defence", ["gb-defence-secretary"]),
        ("/api/statements/?state=RU", ["russia-rejects"]),
        ("/api/statements/?person=steve-witkoff", ["witkoff-qualifies"]),
        ("/api/statements/?stance=qualifies&stance=rejects", ["witkoff-qualifies", "russia-rejects"]),
        ("/api/statements/?instrument=multinational-force", ["macron-supports", "russia-rejects"]),
        ("/api/statements/?summit=paris-arch", ["macron-supports", "russia-rejects"]),  # made at it, or about it
        ("/api/statements/?made_after=2025-03-27", ["macron-supports", "witkoff-qualifies"]),
        ("/api/statements/?made_before=2025-03-26", []),
        ("/api/statements/?q=foreign troops", ["russia-rejects"]),
        ("/api/pledges/?instrument=multinational-force", ["fr-gb-troops", "fr-troops", "cow-troops"]),
        ("/api/pledges/?instrument=ceasefire-monitoring&category=monitoring", ["us-monitoring"]),
    ],
)
def test_filters(client, arch, query, expected):
    assert slugs(client, query) == expected


def test_statement_filters_by_pledge_id_and_declaration(client, arch):
    text = make.declaration("paris-text")
    make.statement("on-the-text", about=(text, arch["joint"]))
    assert slugs(client, f"/api/statements/?pledge={arch['joint'].pk}") == ["macron-supports", "on-the-text"]
    assert slugs(client, "/api/statements/?declaration=paris-text") == ["on-the-text"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/instruments/?kind=tank", "kind"),
        ("/api/instruments/?status=announced", "status"),  # a pledge status, not an instrument's
        ("/api/instruments/?state=XX", "state"),
        ("/api/instruments/?state=%00", "state"),
        ("/api/instruments/?role=boss", "role"),
        ("/api/instruments/?as_of=2025-02-30", "as_of"),
        ("/api/instruments/?q=a%00b", "q"),
        ("/api/people/?state=XX", "state"),
        ("/api/people/?role=king", "role"),
        ("/api/posts/?person=nobody", "person"),
        ("/api/posts/?person=%00", "person"),
        ("/api/posts/?role=king", "role"),
        ("/api/statements/?stance=shouts", "stance"),
        ("/api/statements/?person=nobody", "person"),
        ("/api/statements/?instrument=nothing", "instrument"),
        ("/api/statements/?pledge=abc", "pledge"),
        ("/api/statements/?pledge=99999999999999999999", "pledge"),
        ("/api/statements/?summit=nowhere", "summit"),
        ("/api/statements/?declaration=none", "declaration"),
        ("/api/statements/?made_after=2025-13-01", "made_after"),
        ("/api/statements/?made_before=yesterday", "made_before"),
        ("/api/statements/?state=ZZ", "state"),
        ("/api/pledges/?instrument=nothing", "instrument"),
        ("/api/pledges/?instrument=%00", "instrument"),
        ("/api/instruments/?cursor=garbage", "cursor"),
        ("/api/statements/?page_size=0", "page_size"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(client, arch, url, field):
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_keyset_pages_cover_every_statement_once(client):
    made = sorted(make.statement().pk for _ in range(5))
    seen, url = [], "/api/statements/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == made


# ---------------------------------------------------------------------------------------------
# Query counts: the same for 1 row as for many

LIST_QUERIES = {
    # instruments; parties joined to states and sources; declarations; force requirements; citations
    # joined to sources; contributions joined to the pledge they are a share of; their pledgers;
    # statements joined to speakers and states; the contributions' figures (PledgeQuerySet.totals_by)
    "/api/instruments/": 9,
    # the same, each instrument's status read through subqueries
    "/api/instruments/?as_of=2025-06-01": 9,
    # people; their posts joined to states and sources
    "/api/people/": 2,
    # posts joined to people, states and sources
    "/api/posts/": 1,
    # statements joined to speakers, states, meetings and sources; the pledges, instruments,
    # declarations and meetings they are about
    "/api/statements/": 5,
    # one UNION over the audit tables, the new ones included
    "/api/changes/": 1,
    # pledges joined to their meeting, text, larger pledge and instrument; pledgers; citations
    "/api/pledges/": 3,
}

COUNTER = iter(range(1, 10_000))


def populate(count: int) -> None:
    """`count` times: an instrument with two parties, a text, a requirement, a citation, two
    contributions of two pledgers each and a status; a person with two posts; a statement
    about a pledge, the instrument, the text and a meeting."""
    for _ in range(count):
        n = next(COUNTER)
        a, b = (make.state(f"X{n}{letter}", kind="coalition") for letter in "AB")
        made = make.instrument(f"i-{n}", parties=((a.code, InstrumentRole.LEAD), (b.code, InstrumentRole.PARTICIPANT)))
        text = make.declaration(f"d-{n}")
        made.declarations.add(text)
        models.ForceRequirement.objects.create(slug=f"r-{n}", title="r", instrument=made, troops_min=1, troops_max=2)
        models.Citation.objects.create(instrument=made, source=make.source(), quote="cited")
        make.move(made, InstrumentStatus.PROPOSED, datetime.date(2025, 1, 1))
        contributions = [
            make.pledge(pledgers=(a, b), category="troops", troops_min=10, contributes_to=made) for _ in range(2)
        ]
        person = make.person(f"p-{n}")
        make.post(holder=person, party=a.code)
        make.post(holder=person, party=b.code)
        meeting = make.summit(f"m-{n}")
        make.statement(speaker=person, state=a, summit=meeting, about=(contributions[0], made, text, meeting))


@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_list_query_count_does_not_grow_with_rows(client, url):
    populate(1)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert response.status_code == 200 and response.json()["results"], response.content
    populate(9)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"page_size": 50})
    assert response.status_code == 200
    if url != "/api/changes/":
        assert len(response.json()["results"]) == (20 if url in ("/api/posts/", "/api/pledges/") else 10)
    assert len(one) == len(many) == LIST_QUERIES[url], [q["sql"] for q in many]


def test_detail_query_counts_are_fixed(client, arch):
    populate(3)
    joint, statement = arch["joint"], make.statement(about=(arch["joint"], arch["force"], arch["summit"]))
    text = make.declaration("doi")
    for code in ("FR", "GB"):
        party = models.DeclarationParty.objects.create(
            declaration=text, state=make.state(code), role="endorser", source=arch["source"]
        )
        party.representatives.set(models.Post.objects.filter(state__code=code))
    expected = {
        # as the list: the instrument and its eight prefetches, its figures in one query
        "/api/instruments/multinational-force/": 9,
        "/api/instruments/multinational-force/?as_of=2025-04-01": 9,
        # the pledge; its pledgers; its citations joined to sources; its statements joined to speakers
        f"/api/pledges/{joint.pk}/": 4,
        # the meeting; hosts; chairs; organisers; attendances joined to states and sources; their
        # posts joined to people and states; head counts joined to sources; the chairing posts
        # joined to people and states; citations joined to sources
        "/api/summits/paris-arch/": 9,
        # the text joined to its meeting and superseded text; its parties joined to states and
        # sources; their posts; its components joined to sources; its citations joined to sources
        "/api/declarations/doi/": 5,
        "/api/people/steve-witkoff/": 2,
        "/api/posts/us-envoy/": 1,
        f"/api/statements/{statement.slug}/": 5,
    }
    for url, count in expected.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        assert len(queries) == count, (url, [q["sql"] for q in queries])


# ---------------------------------------------------------------------------------------------
# Writing a pledge's instrument (the existing write path)


@pytest.fixture
def writer():
    return make.token_client(make.user(role="Analyst", staff=False), can_write=True)[0]


def test_contributes_to_is_written_through_the_pledge_write_path(writer):
    force = make.instrument("force")
    make.state("FR")
    body = {"slug": "new", "title": "Troops", "category": "troops", "pledgers": ["FR"], "contributes_to": "force"}
    created = writer.post("/api/pledges/", body, format="json")
    assert created.status_code == 201, created.content
    pledge = models.Pledge.objects.get(slug="new")
    assert pledge.contributes_to == force and created.json()["contributes_to_detail"]["slug"] == "force"
    cleared = writer.patch(
        f"/api/pledges/{pledge.pk}/", {"contributes_to": None}, format="json", **make.if_match(pledge)
    )
    assert cleared.status_code == 200 and cleared.json()["contributes_to"] is None
    pledge.refresh_from_db()
    assert (pledge.contributes_to, pledge.version) == (None, 2)
    assert pledge.history.first().contributes_to_id is None  # audited as any pledge write


@pytest.mark.parametrize("value", ["no-such-instrument", "for\u0000ce", 12, ["force"], ""])
def test_bad_contributes_to_is_400_and_writes_nothing(writer, value):
    make.instrument("force")
    made = make.pledge()
    response = writer.patch(f"/api/pledges/{made.pk}/", {"contributes_to": value}, format="json", **make.if_match(made))
    assert response.status_code == 400 and "contributes_to" in response.json(), response.content
    made.refresh_from_db()
    assert (made.contributes_to, made.version) == (None, 1)


# ---------------------------------------------------------------------------------------------
# The change feed


def pull(client, url) -> tuple[list[tuple], str]:
    """The feed from `url` (a `next` link): its entries as (resource, lookup, change, url), and where to resume."""
    body = client.get(url).json()
    assert not body["has_more"]
    return [(e["resource"], e["lookup"], e["change"], e["url"]) for e in body["results"]], body["next"]


def test_change_feed_reports_the_new_records_and_their_parts_as_updates(client):
    source, gb = make.source("src"), make.state("GB")
    summit, text = make.summit("meeting"), make.declaration("text")
    _, start = pull(client, "/api/changes/?page_size=1000")
    force = make.instrument("force")
    models.InstrumentParty.objects.create(instrument=force, state=gb, role=InstrumentRole.LEAD, source=source)
    make.move(force, InstrumentStatus.PROPOSED, datetime.date(2025, 1, 1), source=source)
    models.Citation.objects.create(instrument=force, source=source, quote="a force")
    models.ForceRequirement.objects.create(slug="size", title="Size", instrument=force, troops_max=10)
    person = make.person("someone")
    post = make.post("minister", holder=person, party="GB", source=source)
    said = make.statement("said", state=gb, source=source, about=(force,))
    attendance = models.Attendance.objects.create(summit=summit, state=gb, source=source)
    attendance.representatives.set([post])
    models.DeclarationParty.objects.create(declaration=text, state=gb, role="endorser", source=source)
    entries, resume = pull(client, start)
    assert [entry[:3] for entry in entries] == [
        ("instrument", "force", "created"),
        ("instrument", "force", "updated"),  # a party added
        ("instrument", "force", "updated"),  # its status changed (the instrument itself is saved)
        ("instrument", "force", "updated"),  # a citation added
        ("instrument", "force", "updated"),  # a force requirement set on it
        ("person", "someone", "created"),
        ("post", "minister", "created"),
        ("person", "someone", "updated"),  # a post of theirs
        ("statement", "said", "created"),
        ("statement", "said", "updated"),  # what it is about
        ("summit", "meeting", "updated"),  # who attended
        ("summit", "meeting", "updated"),  # ... represented by whom
        ("declaration", "text", "updated"),  # a party
    ]
    urls = {(resource, url) for resource, _, _, url in entries}
    assert ("instrument", "http://testserver/api/instruments/force/") in urls
    assert ("post", "http://testserver/api/posts/minister/") in urls
    assert ("statement", "http://testserver/api/statements/said/") in urls
    # Deleted: the record's own entry, without a URL; the parts deleted with it are not reported
    # (nor, from then on, their earlier entries: their record's address is gone).
    said.delete()
    models.ForceRequirement.objects.filter(slug="size").delete()
    force.delete()
    deleted, _ = pull(client, resume)
    assert deleted == [("statement", "said", "deleted", None), ("instrument", "force", "deleted", None)]
    again, _ = pull(client, start)
    assert [entry[:3] for entry in again[:3]] == [
        ("instrument", "force", "created"),
        ("instrument", "force", "updated"),  # its status change, the instrument's own audit record
        ("person", "someone", "created"),
    ]
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/changes/")
    assert len(queries) == 1


# ---------------------------------------------------------------------------------------------
# The four questions, through the API alone


def test_the_four_questions_answered_through_the_api_alone(client, arch):
    """Only HTTP below: the builders made the register, the client reads it."""

    # 1. Who leads the monitoring mechanism, and who takes part?
    (mechanism,) = rows(client, "/api/instruments/?kind=monitoring")
    roles = {}
    for party in mechanism["parties"]:
        roles.setdefault(party["role"], []).append(party["state_name"])
    assert roles == {"lead": ["United States"], "participant": ["France", "United Kingdom"]}
    assert slugs(client, "/api/instruments/?state=US&role=lead") == [mechanism["slug"]]

    # 2. Which pledges feed the multinational force, and how far are quantified contributions
    #    from its requirement (with the contributions that give no number counted)?
    (force,) = rows(client, "/api/instruments/?kind=force")
    assert [c["slug"] for c in force["contributions"]] == slugs(client, f"/api/pledges/?instrument={force['slug']}")
    (gap,) = force["force_requirements"]
    assert (gap["requirement_min"], gap["requirement_max"]) == (15000, 30000)
    assert (gap["troops_low"], gap["troops_high"]) == (5000, 10000)
    assert (gap["gap_min"], gap["gap_max"], gap["troop_pledges_unquantified"]) == (10000, 20000, 1)

    # 3. Every statement that qualifies or rejects a guarantee, with its speaker and quote.
    said = [
        ((s["speaker"] or {}).get("name"), s["state"], s["stance"], s["quote"])
        for s in rows(client, "/api/statements/?stance=qualifies&stance=rejects")
    ]
    assert said == [
        ("Steve Witkoff", "US", "qualifies", "monitoring only after a ceasefire"),
        (None, "RU", "rejects", "no foreign troops"),
    ]

    # 4. Who represented each state at each summit?
    represented = {}
    for summit in rows(client, "/api/summits/"):
        detail = client.get(summit["url"]).json()
        for attendance in detail["attendance"]:
            represented[(summit["slug"], attendance["state"])] = [
                (post["title"], (post["person"] or {}).get("name")) for post in attendance["representatives"]
            ]
    assert represented == {
        ("paris-arch", "FR"): [("President", "Emmanuel Macron")],
        ("paris-arch", "US"): [("envoy", "Steve Witkoff")],
        ("paris-arch", "GB"): [("Defence Secretary", None)],
    }
