"""The API's hot queries stay index-bound: with a few thousand pledges and PostgreSQL told not to
scan tables sequentially or sort (`enable_seqscan`, `enable_sort` off, which makes either a last
resort rather than forbidden), the plan of each query the pledge list runs (page 1 and a page
after a cursor, for every `?ordering=`; a `?state=` page) reads the index migration 0008 made for
it and has no Sort node. Dropping or changing one of those indexes fails here, not at a million
rows in production.

The SQL explained is the one the API runs, captured from the request (CaptureQueriesContext), so
a change to the pagination or the FilterSet is checked too. PostgreSQL only: SQLite's planner is
not what production runs."""

import datetime
import json
import random
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from commitments import models
from commitments.api.pagination import encode_cursor
from commitments.choices import Category, Status

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's (production, CI)"),
]

PLEDGES = 3000

# ?ordering= → the index its pages read (a backward scan serves `-field` for a field without NULLs).
INDEXES = {
    "id": "commitments_pledge_pkey",
    "-id": "commitments_pledge_pkey",
    "updated_at": "pledge_updated_at_id",
    "-updated_at": "pledge_updated_at_id",
    "title": "pledge_title_id",
    "-title": "pledge_title_id",
    "category": "pledge_category_id",
    "-category": "pledge_category_id",
    "status": "pledge_status_id",
    "-status": "pledge_status_id",
    "status_changed_on": "pledge_changed_on_id",
    "-status_changed_on": "pledge_changed_on_id_desc",
    "amount_eur": "pledge_amount_eur_id",
    "-amount_eur": "pledge_amount_eur_id_desc",
    "troops_max": "pledge_troops_max_id",
    "-troops_max": "pledge_troops_max_id_desc",
}
NULLABLE = ("status_changed_on", "amount_eur", "troops_max")


@pytest.fixture
def many_pledges(public):
    """PLEDGES pledges over 40 states (a tenth joint), a third of each nullable field NULL, in bulk:
    a fixture of the plans, not of the write path (which the other tests cover)."""
    cache.clear()
    rng = random.Random(12)
    states = models.State.objects.bulk_create(
        models.State(code=f"Q{n:02d}", name=f"Plan state {n}", kind="coalition") for n in range(40)
    )
    now = timezone.now()
    statuses, categories = list(Status.values), list(Category.values)
    pledges = []
    for n in range(PLEDGES):
        money = n % 3 != 0
        amount = Decimal(rng.randrange(1, 10**7)) if money else None
        pledges.append(
            models.Pledge(
                slug=f"plan-{n}",
                title=f"Pledge {rng.randrange(10**6):06d}",
                category=categories[n % len(categories)],
                status=statuses[n % len(statuses)],
                status_changed_on=None if n % 3 == 1 else datetime.date(2024, 1, 1) + datetime.timedelta(n % 700),
                troops_max=None if n % 3 == 2 else rng.randrange(50_000),
                amount=amount,
                currency="EUR" if money else "",
                value_date=datetime.date(2025, 1, 1) if money else None,
                fx_rate=Decimal(1) if money else None,
                amount_eur=amount,
                updated_at=now - datetime.timedelta(seconds=rng.randrange(10**7)),
            )
        )
    pledges = models.Pledge.objects.bulk_create(pledges)
    through = models.Pledge.pledgers.through
    links = [through(pledge_id=pledge.pk, state_id=states[n % len(states)].pk) for n, pledge in enumerate(pledges)]
    links += [
        through(pledge_id=pledge.pk, state_id=states[(n + 7) % len(states)].pk)
        for n, pledge in enumerate(pledges)
        if n % 10 == 0
    ]
    through.objects.bulk_create(links)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE commitments_pledge, commitments_pledge_pledgers, commitments_state")
    return pledges


def page_query(url: str) -> tuple[str, dict]:
    """The SQL of the page's pledge rows as the API ran it, and the answer."""
    with CaptureQueriesContext(connection) as queries:
        response = APIClient().get(url)
    assert response.status_code == 200, response.content
    pages = [
        query["sql"] for query in queries if 'FROM "commitments_pledge"' in query["sql"] and "LIMIT" in query["sql"]
    ]
    assert len(pages) == 1, [query["sql"] for query in queries]
    return pages[0], response.json()


def plan(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def assert_index_bound(sql: str, index: str, *, bounded: bool = False):
    """The plan reads `index` and sorts nothing; `bounded`: the cursor's position is the scan's
    Index Cond (where it starts), not a Filter over every row before it."""
    tree = plan(sql)
    found = list(nodes(tree))
    shown = json.dumps(tree, indent=1)
    assert not [node for node in found if "Sort" in node["Node Type"]], f"a sort in the plan:\n{sql}\n{shown}"
    scans = [
        node
        for node in found
        if node["Node Type"] in ("Index Scan", "Index Only Scan") and node.get("Index Name") == index
    ]
    assert scans, f"{index} not used:\n{sql}\n{shown}"
    if bounded:
        assert any("Index Cond" in node and "Filter" not in node for node in scans), f"not bounded:\n{sql}\n{shown}"


@pytest.mark.parametrize("ordering", sorted(INDEXES))
def test_each_ordering_reads_its_index_on_page_one_and_after_a_cursor(many_pledges, ordering):
    index = INDEXES[ordering]
    sql, body = page_query(f"/api/pledges/?ordering={ordering}")
    assert_index_bound(sql, index)
    assert body["next"]
    sql, _ = page_query(body["next"])  # a page after a cursor: a row comparison bounding the scan
    assert_index_bound(sql, index, bounded=True)


@pytest.mark.parametrize("ordering", [name for name in sorted(INDEXES) if name.lstrip("-") in NULLABLE])
def test_a_nullable_orderings_nulls_pages_read_its_index(many_pledges, ordering):
    field = ordering.lstrip("-")
    last_null = models.Pledge.objects.filter(**{f"{field}__isnull": True}).order_by("pk")[100]
    cursor = encode_cursor([ordering, None, last_null.pk])
    sql, body = page_query(f"/api/pledges/?ordering={ordering}&cursor={cursor}")
    assert body["results"] and all(row[field] is None for row in body["results"])
    assert_index_bound(sql, INDEXES[ordering], bounded=True)


def test_a_state_page_reads_the_link_tables_state_index(many_pledges):
    sql, body = page_query("/api/pledges/?state=Q05&page_size=20")
    assert_index_bound(sql, "pledge_pledgers_state_pledge")
    sql, _ = page_query(body["next"])
    assert_index_bound(sql, "pledge_pledgers_state_pledge")
