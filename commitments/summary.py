"""The maintained totals (`PledgeSummary`): reading them as `PledgeQuerySet` figures, and
rebuilding them from scratch. The triggers that maintain them: commitments/summary_sql.py."""

from contextlib import contextmanager
from decimal import Decimal
from itertools import groupby

from django.db import connections, transaction
from django.db.models import F, Sum
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In

from . import summary_sql
from .models import Pledge, PledgeSummary
from .models.summary import SUMMARY_COLUMNS

CENT = Decimal("0.01")


def maintained(using: str = "default") -> bool:
    """Whether the database keeps the summary (PostgreSQL, by triggers). SQLite computes."""
    return connections[using].vendor == "postgresql"


def is_every_pledge(queryset) -> bool:
    """Whether `queryset` is every pledge, unfiltered and unannotated, on a database that keeps
    the summary: its totals can be read from the cells."""
    query = queryset.query
    return (
        queryset.model is Pledge
        and not query.where
        and not query.is_sliced
        and not query.combinator
        and not query.annotations
        and not query.extra
        and maintained(queryset.db)
    )


# Fields whose plain equality filters a count can take from the row cells.
ROW_CELL_FIELDS = ("status", "category")


def row_cells(queryset) -> dict | None:
    """The row cells (`PledgeSummary.EVERY_ROW`) holding `queryset`'s count, as filters
    (`{"status__in": [...]}`), or None when it cannot be read there: any filter but `status` or
    `category` equal to or in given values, a negation, a join, DISTINCT, grouping, a slice."""
    query = queryset.query
    if (
        queryset.model is not Pledge
        or query.is_sliced
        or query.combinator
        or query.distinct
        or query.group_by is not None
        or query.annotations
        or query.extra
        or len(query.alias_map) > 1
        or query.where.negated
        or query.where.connector != "AND"
        or not maintained(queryset.db)
    ):
        return None
    cells = {}
    for lookup in query.where.children:
        if not isinstance(lookup, Exact | In) or not isinstance(lookup.lhs, Col):
            return None
        name = lookup.lhs.target.name
        values = [lookup.rhs] if isinstance(lookup, Exact) else lookup.rhs
        if name not in ROW_CELL_FIELDS or not all(isinstance(v, str) for v in values):
            return None
        key = f"{name}__in"
        cells[key] = [v for v in values if v in cells[key]] if key in cells else list(values)
    return cells


def rebuild(using: str = "default") -> int:
    """Recount every cell from the pledges, writers held off meanwhile; the number of cells.
    For a load that bypassed the triggers (`triggers_suspended`) or a repair; `manage.py
    rebuild_summary` runs it."""
    if not maintained(using):
        return 0
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for sql in summary_sql.REBUILD_SQL:
            cursor.execute(sql)
    return PledgeSummary.objects.using(using).count()


@contextmanager
def triggers_suspended(using: str = "default", *, rebuild_after: bool = True):
    """For a bulk load (COPY of a million pledges): the triggers off while it runs, then one
    rebuild (`rebuild_after=False`: the caller rebuilds, e.g. to time it apart). ALTER TABLE takes an
    exclusive lock: for a load into a database nobody reads."""
    if not maintained(using):
        yield
        return
    with connections[using].cursor() as cursor:
        for table in summary_sql.TRIGGER_NAMES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connections[using].cursor() as cursor:
            # The load's deferred foreign-key checks now: ALTER TABLE refuses pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in summary_sql.TRIGGER_NAMES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        if rebuild_after:
            rebuild(using)


def figures(cell: dict) -> dict:
    """A summed cell as the figures `PledgeQuerySet.totals()` gives (unknown sums None)."""
    troop_pledges = cell["troop_pledges"]
    return {
        "pledges": cell["pledges"],
        "troop_pledges": troop_pledges,
        "troops_low": cell["troops_low"] if troop_pledges else None,
        "troops_high": cell["troops_max_sum"] if troop_pledges and not cell["troop_pledges_open_ended"] else None,
        "troop_pledges_open_ended": cell["troop_pledges_open_ended"],
        "troop_pledges_unquantified": cell["troop_pledges_unquantified"],
        "money_pledges": cell["money_pledges"],
        "eur_pledges": cell["eur_pledges"],
        "eur": Decimal(cell["eur"]).quantize(CENT) if cell["eur_pledges"] else None,
        "money_pledges_without_eur": cell["money_pledges_without_eur"],
        "pending_on_ceasefire": cell["pending_on_ceasefire"],
    }


def _sum(cells) -> dict:
    total = dict.fromkeys(SUMMARY_COLUMNS, 0)
    for cell in cells:
        for name in SUMMARY_COLUMNS:
            total[name] += cell[name]
    return total


def _cells(using: str) -> list[dict]:
    # A few cells (one per status): read whole, summed here. In the database's collation.
    cells = PledgeSummary.objects.using(using).filter(party_id=PledgeSummary.EVERY_PLEDGE).order_by("status")
    return list(cells.values("status", *SUMMARY_COLUMNS))


def totals(using: str = "default") -> dict:
    return figures(_sum(_cells(using)))


def totals_by_status(using: str = "default") -> dict:
    """{status: figures} for the statuses that have pledges, in status order (as `totals_by`)."""
    cells = [c for c in _cells(using) if c["pledges"]]
    return {cell["status"]: figures(cell) for cell in cells}


def totals_by_pledger(using: str = "default") -> list[dict]:
    """As `PledgeQuerySet.totals_by_pledger()`: per party with pledges, ordered by name and code."""
    # One query: a cell per (party, status), a few thousand at most, with its State (a party
    # since deleted has none and is left out by the join), in the database's collation.
    cells = (
        PledgeSummary.objects.using(using)
        .filter(party_id__gt=PledgeSummary.EVERY_PLEDGE)
        .order_by("party__name", "party__code", "party_id")
        .values("party_id", *SUMMARY_COLUMNS, code=F("party__code"), name=F("party__name"), kind=F("party__kind"))
    )
    rows = []
    for _, group in groupby(cells, key=lambda cell: cell["party_id"]):
        group = list(group)
        cell = _sum(group)
        if not cell["pledges"]:
            continue  # every pledge of this party was deleted, moved or made a share
        first = group[0]
        rows.append(
            {
                "code": first["code"],
                "name": first["name"],
                "kind": first["kind"],
                **figures(cell),
                "troop_pledges_joint": cell["troop_pledges_joint"],
                "eur_pledges_joint": cell["eur_pledges_joint"],
            }
        )
    return rows


def row_count(using: str = "default", **cell_filters) -> int:
    """How many pledges (shares too) there are, e.g. `status__in=[…]`, `category__in=[…]`."""
    cells = PledgeSummary.objects.using(using).filter(party_id=PledgeSummary.EVERY_ROW, **cell_filters)
    return cells.aggregate(n=Sum("pledges"))["n"] or 0
