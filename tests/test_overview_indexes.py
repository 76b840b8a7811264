"""Issue 12: the indexes the overview, the pledge list and the admin's search rely on are there
and can serve their queries (EXPLAIN with sequential scans off), so none is dropped silently."""

import pytest
from django.db import connection

from commitments.choices import Category
from commitments.models import Pledge
from commitments.views.common import NEWEST_STATUS_FIRST

from . import builders as make

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans and indexes")


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def pledges(db):
    for n in range(30):
        make.pledge(title=f"France pledge {n}", category=Category.TROOPS if n % 3 else Category.FUNDING)
    connection.cursor().execute("ANALYZE commitments_pledge")


@pytest.mark.parametrize(
    ("name", "queryset", "index"),
    [
        ("/pledges/ page", lambda: Pledge.objects.order_by(*NEWEST_STATUS_FIRST)[:25], "pledge_newest_status_first"),
        (
            "admin search, title",
            lambda: Pledge.objects.filter(title__icontains="france").order_by().values("pk"),
            "pledge_title_trgm",
        ),
        (
            "admin search, slug",
            lambda: Pledge.objects.filter(slug__icontains="pledge").order_by().values("pk"),
            "pledge_slug_trgm",
        ),
        (
            "overview, troop pledges without a number",
            lambda: (
                Pledge.objects.top_level()
                .filter(category=Category.TROOPS, troops_min__isnull=True, troops_max__isnull=True)
                .order_by("id")[:50]
            ),
            "pledge_troops_unquantified",
        ),
        ("admin, sorted by condition", lambda: Pledge.objects.order_by("condition", "id")[:50], "pledge_condition_id"),
    ],
)
def test_an_index_serves(pledges, name, queryset, index):
    assert index in plan(queryset()), f"{name}:\n{plan(queryset())}"
