"""Reading through the API: every endpoint, every filter, pagination, as_of, ETags, query counts."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commitments import models
from commitments.choices import Status

from . import builders as make

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def anyone_reads(public):
    cache.clear()  # throttle counts must not carry over between tests


@pytest.fixture
def client():
    return APIClient()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_root_lists_every_endpoint(client):
    body = client.get("/api/").json()
    assert set(body) == {
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
        "changes",
        "revisions",
        "data-package",
        "data-package-xlsx",
        "summary-report",
        "releases",
        "schema",
        "docs",
    }
    assert body["pledges"] == "http://testserver/api/pledges/"
    assert body["data-package"] == "http://testserver/api/data-package.zip"


def test_pledge_shows_everything_a_client_needs(client):
    summit = make.summit()
    declaration = make.declaration()
    whole = make.pledge("bulk", pledgers=("FR", "GB"))
    share = make.pledge(
        "share",
        pledgers=("FR",),
        citations=1,
        summit=summit,
        declaration=declaration,
        part_of=whole,
        troops_min=1000,
        troops_max=2000,
        amount="100.00",
        currency="USD",
        value_date=datetime.date(2025, 3, 1),
        fx_rate="0.9",
        amount_eur="90.00",
        quantity_text="thousands of troops",
        condition="upon_ceasefire",
        condition_text="after a ceasefire",
        condition_state="pending",
    )
    body = client.get(f"/api/pledges/{share.pk}/").json()
    assert body["pledgers"] == ["FR"]
    assert body["pledger_details"] == [{"code": "FR", "name": "State FR", "kind": "sovereign_state"}]
    assert body["part_of"] == "bulk"
    assert body["summit"] == summit.slug and body["summit_detail"] == {"slug": summit.slug, "title": summit.title}
    assert body["declaration_detail"]["slug"] == declaration.slug
    assert (body["troops_min"], body["troops_max"], body["quantity_text"]) == (1000, 2000, "thousands of troops")
    assert (body["amount"], body["currency"], body["fx_rate"], body["amount_eur"], body["value_date"]) == (
        "100.00",
        "USD",
        "0.90000000",
        "90.00",
        "2025-03-01",
    )
    assert (body["condition"], body["condition_state"]) == ("upon_ceasefire", "pending")
    assert body["status"] == Status.NOT_ASSESSABLE
    assert body["citations"][0]["quote"] == "quote 0 of share"
    assert body["citations"][0]["source"]["publisher"] == "Example News"
    assert body["created_at"] and body["updated_at"] and body["version"] == 1


@pytest.mark.parametrize(
    ("endpoint", "lookup", "factory"),
    [
        ("states", "code", lambda: make.state("PL", "Poland")),
        ("sources", "key", lambda: make.source("guardian-1")),
        ("summits", "slug", lambda: make.summit("london")),
        ("declarations", "slug", lambda: make.declaration("paris")),
    ],
)
def test_reference_endpoints_list_and_detail_by_natural_key(client, endpoint, lookup, factory):
    record = factory()
    listed = client.get(f"/api/{endpoint}/").json()["results"]
    assert [row[lookup] for row in listed] == [getattr(record, lookup)]
    detail = client.get(f"/api/{endpoint}/{getattr(record, lookup)}/")
    assert detail.status_code == 200 and detail.json()["id"] == record.pk
    assert detail["ETag"].startswith('"')
    assert client.get(f"/api/{endpoint}/no-such-thing/").status_code == 404


def test_summit_shows_hosts_chairs_and_organisers_apart(client):
    summit = make.summit("london")
    summit.hosts.set([make.state("GB")])
    summit.chairs.set([make.state("DE")])
    summit.organisers.set([make.state("GB"), make.state("FR")])
    body = client.get("/api/summits/london/").json()
    assert (body["hosts"], body["chairs"], sorted(body["organisers"])) == (["GB"], ["DE"], ["FR", "GB"])


def test_declaration_shows_parties_and_summit(client):
    paris = make.declaration("paris")
    paris.summit = make.summit("paris-summit")
    paris.save()
    models.DeclarationParty.objects.create(
        declaration=paris, state=make.state("FR"), role="signatory", source=make.source("paris-report")
    )
    body = client.get("/api/declarations/paris/").json()
    assert body["summit"] == "paris-summit"
    (party,) = body["parties"]
    assert {name: party[name] for name in ("state", "role", "signed_on", "represented_by", "representatives")} == {
        "state": "FR",
        "role": "signatory",
        "signed_on": None,
        "represented_by": "",
        "representatives": [],
    }
    assert party["source"]["key"] == "paris-report"
    listed = client.get("/api/declarations/").json()["results"][0]["parties"]
    assert listed == [{"state": "FR", "role": "signatory", "signed_on": None, "represented_by": ""}]


# ---------------------------------------------------------------------------------------------
# Filters (the shared PledgeFilterSet)


@pytest.fixture
def spread():
    """Pledges differing in every filtered attribute."""
    summit, declaration = make.summit("paris"), make.declaration("coalition-text")
    troops = make.pledge("troops-fr-gb", pledgers=("FR", "GB"), category="troops", summit=summit)
    money = make.pledge(
        "money-de",
        pledgers=("DE",),
        category="funding",
        amount="5.00",
        currency="EUR",
        value_date=datetime.date(2025, 6, 1),
        fx_rate="1",
        amount_eur="5.00",
        declaration=declaration,
        condition="upon_peace_agreement",
        condition_state="pending",
    )
    monitor = make.pledge("monitoring-us", pledgers=("US",), citations=1, category="monitoring", part_of=troops)
    make.move(troops, Status.ANNOUNCED, datetime.date(2025, 1, 10))
    make.move(money, Status.FULFILLED, datetime.date(2025, 7, 1))
    return troops, money, monitor


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=FR", ["troops-fr-gb"]),
        ("state=GB&state=DE", ["troops-fr-gb", "money-de"]),
        ("category=funding&category=monitoring", ["money-de", "monitoring-us"]),
        ("status=announced", ["troops-fr-gb"]),
        ("open=true", ["troops-fr-gb", "monitoring-us"]),
        ("open=false", ["money-de"]),
        ("condition=upon_peace_agreement", ["money-de"]),
        ("condition_state=pending", ["money-de"]),
        ("summit=paris", ["troops-fr-gb"]),
        ("declaration=coalition-text", ["money-de"]),
        ("status_changed_after=2025-02-01", ["money-de"]),
        ("status_changed_before=2025-02-01", ["troops-fr-gb"]),
        ("value_date_after=2025-05-01&value_date_before=2025-06-30", ["money-de"]),
        ("top_level=true", ["troops-fr-gb", "money-de"]),
        ("q=monitoring-us", ["monitoring-us"]),
        ("q=quote 0 of monitoring", ["monitoring-us"]),
        ("q=US", ["monitoring-us"]),
    ],
)
def test_pledge_filters(client, spread, query, expected):
    response = client.get(f"/api/pledges/?{query}")
    assert [row["slug"] for row in response.json()["results"]] == expected, response.content


def test_updated_since(client, spread):
    troops, _, _ = spread
    cutoff = models.Pledge.objects.order_by("-updated_at").first().updated_at
    troops.title = "changed"
    troops.save()
    # The cutoff is the money pledge's status change, the last write before: "at or after" it are
    # that pledge and the one saved since.
    since_cutoff = client.get("/api/pledges/", {"updated_since": cutoff.isoformat()}).json()["results"]
    assert [row["slug"] for row in since_cutoff] == ["troops-fr-gb", "money-de"]
    newer = client.get("/api/pledges/", {"updated_since": troops.updated_at.isoformat()}).json()["results"]
    assert [row["slug"] for row in newer] == ["troops-fr-gb"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=XX", "state"),
        ("state=xx", "state"),  # any case, but still a code some party has
        ("category=dragons", "category"),
        ("status=done", "status"),
        ("condition=maybe", "condition"),
        ("summit=no-such-summit", "summit"),
        ("declaration=nope", "declaration"),
        ("status_changed_after=2025-13-01", "status_changed_after"),
        ("value_date_before=yesterday", "value_date_before"),
        ("updated_since=not-a-time", "updated_since"),
        ("as_of=2025-02-30", "as_of"),
        ("open=perhaps", "open"),
        ("ordering=colour", "ordering"),
        ("summit=%00", "summit"),
        ("q=a%00b", "q"),
    ],
)
def test_bad_filter_values_are_400_with_the_field_named(client, query, field):
    response = client.get(f"/api/pledges/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/states/?kind=planet", "kind"),
        ("/api/summits/?date_after=never", "date_after"),
        ("/api/summits/?state=ZZ", "state"),
        ("/api/declarations/?status=lost", "status"),
        ("/api/sources/?kind=tertiary", "kind"),
        ("/api/pledges/?cursor=garbage", "cursor"),
        ("/api/pledges/?page_size=0", "page_size"),
        ("/api/pledges/?page_size=99999", "page_size"),
        ("/api/pledges/?page_size=%C2%B2", "page_size"),
        ("/api/pledges/?ordering=title,id", "ordering"),
        # One value each: a second one is refused, not silently dropped (lists and exports alike).
        ("/api/pledges/?ordering=-category&ordering=id", "ordering"),
        ("/api/pledges/export.csv?ordering=-category&ordering=id", "ordering"),
        ("/api/pledges/export.csv?ordering=title,id", "ordering"),
        ("/api/summits/?date_after=2025-01-01&date_after=2026-01-01", "date_after"),
        ("/api/instruments/?page_size=5&page_size=6", "page_size"),
        ("/api/pledges/?cursor=a&cursor=b", "cursor"),
    ],
)
def test_bad_parameters_elsewhere_are_400(client, url, field):
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_reference_filters(client):
    make.state("FR", "France")
    nato = models.State.objects.create(code="NATO", name="NATO", kind="international_organisation")
    assert [r["code"] for r in client.get("/api/states/?kind=international_organisation").json()["results"]] == [
        nato.code
    ]
    assert [r["code"] for r in client.get("/api/states/?q=fran").json()["results"]] == ["FR"]
    paris = make.summit("paris")
    models.Attendance.objects.create(summit=paris, state=make.state("FR"), source=make.source())
    make.summit("london")
    assert [r["slug"] for r in client.get("/api/summits/?state=FR").json()["results"]] == ["paris"]
    text = make.declaration("paris-text")
    text.summit = paris
    text.save()
    make.declaration("other")
    assert [r["slug"] for r in client.get("/api/declarations/?summit=paris").json()["results"]] == ["paris-text"]
    assert [r["key"] for r in client.get("/api/sources/?q=guardian").json()["results"]] == []
    make.source("guardian")
    assert [r["key"] for r in client.get("/api/sources/?q=guardian").json()["results"]] == ["guardian"]


# ---------------------------------------------------------------------------------------------
# as_of


def test_as_of_gives_status_as_it_stood_and_leaves_out_later_pledges(client):
    early = make.pledge("early")
    make.move(early, Status.ANNOUNCED, datetime.date(2025, 1, 10))
    make.move(early, Status.COMMITTED, datetime.date(2025, 3, 1))
    make.move(early, Status.FULFILLED, datetime.date(2025, 6, 1))
    late = make.pledge("late")
    make.move(late, Status.ANNOUNCED, datetime.date(2025, 5, 1))
    make.pledge("never-changed")

    def as_of(day, extra=""):
        rows = client.get(f"/api/pledges/?as_of={day}{extra}").json()["results"]
        return {row["slug"]: (row["status"], row["status_changed_on"]) for row in rows}

    assert as_of("2025-01-09") == {}
    assert as_of("2025-01-10") == {"early": ("announced", "2025-01-10")}
    assert as_of("2025-04-30") == {"early": ("committed", "2025-03-01")}
    assert as_of("2025-05-01") == {"early": ("committed", "2025-03-01"), "late": ("announced", "2025-05-01")}
    assert as_of("2025-06-01") == {"early": ("fulfilled", "2025-06-01"), "late": ("announced", "2025-05-01")}
    # The status filters read the status as it stood then, not today's.
    assert as_of("2025-04-30", "&status=committed") == {"early": ("committed", "2025-03-01")}
    assert as_of("2025-04-30", "&status=fulfilled") == {}
    assert as_of("2025-06-01", "&open=true") == {"late": ("announced", "2025-05-01")}
    assert as_of("2025-06-01", "&status_changed_before=2025-05-15") == {"late": ("announced", "2025-05-01")}
    detail = client.get(f"/api/pledges/{early.pk}/?as_of=2025-04-30").json()
    assert detail["status"] == "committed"
    assert client.get(f"/api/pledges/{late.pk}/?as_of=2025-04-30").status_code == 404


def test_as_of_runs_a_fixed_number_of_queries(client):
    for n in range(5):
        made = make.pledge(pledgers=("FR", "GB", "DE"), citations=1)
        make.move(made, Status.ANNOUNCED, datetime.date(2025, 1, n + 1))
    with CaptureQueriesContext(connection) as queries:
        assert len(ids(client.get("/api/pledges/?as_of=2025-06-01"))) == 5
    # pledges with their as-of status (subqueries), pledgers, citations with sources
    assert len(queries) == 3


# ---------------------------------------------------------------------------------------------
# Pagination


def test_keyset_pages_cover_every_row_once_in_any_ordering(client):
    for n in range(7):
        amount = None if n % 3 == 0 else f"{n % 2}.00"  # NULLs and ties, the hard cases for a cursor
        make.pledge(f"p{n}", amount=amount, currency="USD" if amount else "")
    everyone = sorted(models.Pledge.objects.values_list("id", flat=True))
    for ordering in ("", "id", "-id", "amount_eur", "title", "-title", "updated_at", "-status_changed_on", "category"):
        seen, sizes, url = [], [], f"/api/pledges/?page_size=2&ordering={ordering}"
        while url:
            body = client.get(url).json()
            sizes.append(len(body["results"]))
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert sizes == [2, 2, 2, 1], ordering  # 7 pledges, 2 a page
        assert sorted(seen) == everyone and len(seen) == len(everyone), ordering


@pytest.mark.parametrize("ordering", ["troops_max", "-troops_max", "status_changed_on", "-status_changed_on"])
def test_nullable_orderings_page_nulls_last_in_both_directions(client, ordering):
    """A nullable field's values come first, then its NULLs by id, in either direction and
    whichever page the values run out on: the one or two pages there take one query more."""
    figures = [None, 5, None, 5, 7, None, 3, 5]
    for n, figure in enumerate(figures):
        made = make.pledge(f"n{n}", troops_max=figure)
        if figure is not None:
            make.move(made, Status.ANNOUNCED, datetime.date(2025, 1, figure))
    field, sign = ordering.removeprefix("-"), (-1 if ordering.startswith("-") else 1)

    def position(row):
        value, pk = row
        number = 0 if value is None else value.toordinal() if isinstance(value, datetime.date) else value
        return (value is None, sign * number, sign * pk)

    expected = [pk for _, pk in sorted(models.Pledge.objects.values_list(field, "id"), key=position)]
    for size in (1, 2, 3, 4, 5):
        seen, counts, url = [], [], f"/api/pledges/?page_size={size}&ordering={ordering}"
        while url:
            with CaptureQueriesContext(connection) as queries:
                body = client.get(url).json()
            counts.append(len(queries))
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert seen == expected, (ordering, size)
        # pledges (and where the values run out, the first NULLs); pledgers; citations
        assert set(counts) <= {3, 4} and counts.count(4) <= 2, (ordering, size, counts)


def test_pages_follow_the_requested_order(client):
    for slug in ("b", "c", "a"):
        make.pledge(slug)
    first = client.get("/api/pledges/?ordering=-title&page_size=2").json()
    assert [row["slug"] for row in first["results"]] == ["c", "b"]
    assert [row["slug"] for row in client.get(first["next"]).json()["results"]] == ["a"]
    other = client.get(first["next"].replace("ordering=-title", "ordering=title"))
    assert other.status_code == 400 and "cursor" in other.json()


def test_list_does_not_count_rows(client):
    make.pledge()
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/pledges/")
    assert not any("COUNT(" in query["sql"].upper() for query in queries)


# ---------------------------------------------------------------------------------------------
# Query counts: the same number of queries for 1 row as for 50 (each with 3 pledgers, 3 citations)

LIST_QUERIES = {
    # pledges; their pledgers; their citations joined to sources
    "/api/pledges/": 3,
    # states
    "/api/states/": 1,
    # summits; their hosts; their chairs; their organisers
    "/api/summits/": 4,
    # declarations joined to summit and superseded text; their parties joined to states
    "/api/declarations/": 2,
    # sources
    "/api/sources/": 1,
    # one UNION over the audit tables
    "/api/changes/": 1,
}


def populate(count: int):
    for _ in range(count):
        n = next(COUNTER)
        codes = [f"X{n}{letter}" for letter in "ABC"]
        for code in codes:
            models.State.objects.create(code=code, name=f"Group {code}", kind="coalition")
        made = make.pledge(pledgers=codes, citations=3)
        summit = make.summit(f"summit-{made.pk}")
        summit.hosts.set(models.State.objects.filter(code__in=codes))
        summit.chairs.set(models.State.objects.filter(code__in=codes[:1]))
        summit.organisers.set(models.State.objects.filter(code__in=codes[1:]))
        text = make.declaration(f"text-{made.pk}")
        text.summit = summit
        text.save()
        for code in codes:
            models.DeclarationParty.objects.create(
                declaration=text, state=make.state(code), role="endorser", source=make.source()
            )


COUNTER = iter(range(1, 10_000))

# What populate(1) makes, as each endpoint lists it: 3 states as pledgers, hosts and parties; the
# pledge; its 3 citations' sources and the parties' 3; the summit; the text. The change feed has
# the 3 states; the pledge created and its pledgers set; each citation's source created and the
# pledge updated by the citation; the summit created and its hosts, chairs and organisers set; the
# text created and its summit set; the parties' 3 sources created, and the text updated by each party.
ROWS_OF_ONE = {
    "/api/pledges/": 1,
    "/api/states/": 3,
    "/api/summits/": 1,
    "/api/declarations/": 1,
    "/api/sources/": 3 + 3,
    "/api/changes/": 3 + 2 + 3 * 2 + 4 + 2 + 3 * 2,
}


@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_list_query_count_does_not_grow_with_rows(client, settings, url):
    settings.API_CHANGES_SETTLE_SECONDS = 0
    populate(1)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert response.status_code == 200 and len(response.json()["results"]) == ROWS_OF_ONE[url]
    populate(49)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"page_size": 50})
    assert response.status_code == 200 and len(response.json()["results"]) == 50
    assert len(one) == len(many) == LIST_QUERIES[url], [q["sql"] for q in many]


def test_history_lists_status_changes_in_a_fixed_number_of_queries(client):
    made = make.pledge()
    make.move(made, Status.ANNOUNCED, datetime.date(2025, 1, 1), source=make.source("bbc-1"))
    make.move(made, Status.AGREED, datetime.date(2025, 2, 1), source=make.source("bbc-2"))
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/api/pledges/{made.pk}/history/").json()
    # the pledge (404 if absent); its status changes joined to sources
    assert len(queries) == 2
    assert [(row["sequence"], row["from_status"], row["to_status"]) for row in body["results"]] == [
        (1, "not_assessable", "announced"),
        (2, "announced", "agreed"),
    ]
    assert [row["source"]["key"] for row in body["results"]] == ["bbc-1", "bbc-2"]
    assert client.get("/api/pledges/999999/history/").status_code == 404


# ---------------------------------------------------------------------------------------------
# ETags and detail lookups


def test_pledge_etag_follows_version(client):
    made = make.pledge()
    first = client.get(f"/api/pledges/{made.pk}/")["ETag"]
    made.title = "new title"
    made.save()
    second = client.get(f"/api/pledges/{made.pk}/")["ETag"]
    assert first != second and second.startswith(f'"pledge-{made.pk}-v2.')


@pytest.mark.parametrize("lookup", ["abc", "99999999999999999999999", "-1", "1.5"])
def test_odd_pledge_ids_are_404(client, lookup):
    assert client.get(f"/api/pledges/{lookup}/").status_code == 404


def test_docs_page_uses_installed_assets(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page.content
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert client.get("/api/schema/?format=json").json()["openapi"].startswith("3.")


def test_browsable_api_renders_for_a_signed_in_analyst():
    made = make.pledge(citations=1)
    client = make.session_client(make.user(role="Analyst", staff=False))
    for url in ("/api/", "/api/pledges/", f"/api/pledges/{made.pk}/", "/api/changes/", "/api/states/"):
        page = client.get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 200 and page["Content-Type"].startswith("text/html"), url
