"""How pledges are loaded and counted: `PledgeQuerySet`, the one loader every reader uses (admin,
API, exports, pages), with the totals' rules. Split from pledges.py, which keeps the models."""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from ..choices import FINAL_STATUSES, Category, Condition, ConditionState, Status
from .parties import State
from .status import StatusHistoryQuerySet


def _citation():
    # Citation (pledges.py) has a foreign key to Pledge, whose manager is this QuerySet's
    from .pledges import Citation

    return Citation


HAS_TROOPS = Q(troops_min__isnull=False) | Q(troops_max__isnull=False)
# "At least N": a lower troop figure and no upper one.
OPEN_ENDED = Q(troops_min__isnull=False, troops_max__isnull=True)
CENT = Decimal("0.01")


class PledgeQuerySet(StatusHistoryQuerySet):
    """The one place that knows how to load pledges: admin, API, exports and dashboard use these."""

    def with_related(self):
        """Everything a pledge row shows, in a fixed number of queries whatever the row count."""
        return self.select_related("declaration", "summit", "part_of").prefetch_related(
            "pledgers",
            models.Prefetch("citations", queryset=_citation().objects.select_related("source")),
        )

    def with_related_lists(self):
        """What `with_related()` loads, as plain lists: `pledger_list` (sorted by code) and
        `citation_list` (with sources, in recorded order). No QuerySet is built per row, which
        makes a million-row export about 2.5 times faster; for read-only rows, not for forms."""
        return self.select_related("declaration", "summit", "part_of").prefetch_related(
            models.Prefetch("pledgers", queryset=State.objects.order_by("code"), to_attr="pledger_list"),
            models.Prefetch(
                "citations",
                queryset=_citation().objects.select_related("source").order_by("id"),
                to_attr="citation_list",
            ),
        )

    def with_related_rows(self):
        """What `with_related()` loads, in its order, as plain lists for the API's pledge pages:
        `pledgers_by_name` (the states' own order, by name: what `pledgers.all()` gives) and
        `citation_list` (with sources, in recorded order). The serializer reads both the pledger
        codes and their details from the one list, and builds no QuerySet per row."""
        return self.select_related("declaration", "summit", "part_of").prefetch_related(
            models.Prefetch("pledgers", queryset=State.objects.all(), to_attr="pledgers_by_name"),
            models.Prefetch(
                "citations",
                queryset=_citation().objects.select_related("source").order_by("id"),
                to_attr="citation_list",
            ),
        )

    def export_rows(self, lookups):
        """The pledges as tuples of the id and `lookups` (the export's own cells:
        exports.columns.PLEDGE_OWN_LOOKUPS), read in one query with the slugs of the linked records
        joined in: no model instance per row, for a server-side cursor (`.iterator()`). The
        pledgers and the first citation come per chunk (`exports.files.iter_pledges`)."""
        return self.prefetch_related(None).values_list("id", *lookups)

    def open(self):
        return self.exclude(status__in=FINAL_STATUSES)

    def final(self):
        return self.filter(status__in=FINAL_STATUSES)

    def top_level(self):
        """Pledges that count in totals: shares of a larger pledge are already inside it."""
        return self.filter(part_of__isnull=True)

    # -- totals: every figure the overview, the state pages and the summary report show -------
    #
    # Computed here once, for every reader. Rules (docs/exports.md, "Totals"):
    # - Only top-level pledges count: a share is already inside the pledge it is part of.
    # - A joint pledge is one row: it counts once in a total, and once under each of its pledgers
    #   in a per-party figure (`*_joint` says how many such pledges a party's row holds).
    # - Unknown is not zero: a sum runs over the pledges that give the number and is None when no
    #   pledge does; beside it, how many pledges it covers and how many give no number.
    # - Troops: the low end adds each pledge's lower figure (an "up to N" pledge adds 0, a true
    #   lower bound); the high end adds the upper figures, and is None (no upper bound known) as
    #   soon as one pledge gives only a lower one ("at least N" says nothing of how many more).

    @staticmethod
    def _figures() -> dict:
        """The figures as aggregate expressions over pledges (`aggregate()` or, grouped, `annotate()`)."""
        has_troops = HAS_TROOPS
        money = Q(category=Category.FUNDING) | Q(amount__isnull=False)
        return {
            "pledges": Count("pk"),
            "troop_pledges": Count("pk", filter=has_troops),
            "troops_low": Sum(Coalesce("troops_min", models.Value(0)), filter=has_troops),
            "troops_high": models.Case(
                models.When(GreaterThan(Count("pk", filter=OPEN_ENDED), 0), then=models.Value(None)),
                default=Sum("troops_max", filter=has_troops),
                output_field=models.PositiveIntegerField(),
            ),
            "troop_pledges_open_ended": Count("pk", filter=OPEN_ENDED),
            "troop_pledges_unquantified": Count("pk", filter=Q(category=Category.TROOPS) & ~has_troops),
            "money_pledges": Count("pk", filter=money),
            "eur_pledges": Count("pk", filter=Q(amount_eur__isnull=False)),
            "eur": Sum("amount_eur"),
            "money_pledges_without_eur": Count("pk", filter=money & Q(amount_eur__isnull=True)),
            "pending_on_ceasefire": Count(
                "pk", filter=Q(condition=Condition.UPON_CEASEFIRE, condition_state=ConditionState.PENDING)
            ),
        }

    @classmethod
    def no_figures(cls) -> dict:
        """The figures of no pledge, without a query: every count 0, every sum unknown (None)."""
        return {name: 0 if isinstance(expr, Count) else None for name, expr in cls._figures().items()}

    @staticmethod
    def _finished(row: dict) -> dict:
        """Exact euros (SQLite sums decimals as floats); a sum over no pledge stays None."""
        if row.get("eur") is not None:
            row["eur"] = Decimal(str(row["eur"])).quantize(CENT)
        return row

    def _counted(self):
        """The pledges of this queryset that count in totals, as a plain queryset (whatever joins,
        DISTINCT or ordering this one carries). A queryset over the pledge table alone (its
        filters on the pledge's own columns or subqueries: no join, no DISTINCT, no slice, no
        annotation) keeps its own WHERE: wrapping it as `id IN (…)` would read every pledge it
        selects twice (the instruments' contributions at a million pledges: 0.30 s against 0.12 s)."""
        query = self.query
        joined = [alias for alias in query.alias_map if query.alias_refcount[alias]]
        if len(joined) == 1 and not (query.distinct or query.is_sliced or query.annotations):
            return self.top_level().order_by()
        return self.model.objects.filter(pk__in=self.values("pk")).top_level().order_by()

    def _every_pledge(self) -> bool:
        """Every pledge, unfiltered, on a database that keeps the totals (PostgreSQL: `PledgeSummary`):
        the figures are then read from there, not counted over a million rows (commitments/summary.py)."""
        from .. import summary

        return summary.is_every_pledge(self)

    def count(self) -> int:
        """As QuerySet.count(); for every pledge, or those of some statuses or categories, read
        from the summary PostgreSQL keeps (a few cells) instead of counting a million rows. Same
        transaction, same answer: the triggers write the cells with the rows."""
        from .. import summary

        cells = summary.row_cells(self) if self._result_cache is None else None
        return super().count() if cells is None else summary.row_count(self.db, **cells)

    def totals(self) -> dict:
        """The figures over this queryset's pledges (see above). One query."""
        if self._every_pledge():
            from .. import summary

            return summary.totals(self.db)
        return self._finished(self._counted().aggregate(**self._figures()))

    def totals_by(self, field: str) -> dict:
        """{value of `field`: figures} for the groups that have pledges, e.g. totals_by("status").
        `field` is a pledge field or a path (`summit__slug`). One query."""
        if field == "status" and self._every_pledge():
            from .. import summary

            return summary.totals_by_status(self.db)
        rows = self._counted().values(field).annotate(**self._figures()).order_by(field)
        return {row.pop(field): self._finished(row) for row in rows}

    def count_by_status(self) -> dict[str, int]:
        """Pledges per status, in the order of `Status` (zeros included: a count is never unknown). One query."""
        counts = {status: figures["pledges"] for status, figures in self.totals_by("status").items()}
        return {status: counts.get(status, 0) for status in Status.values}

    def totals_by_pledger(self) -> list[dict]:
        """One row per party with the figures of the pledges it made alone or jointly: `code`,
        `name`, `kind`, the figures, and `troop_pledges_joint` / `eur_pledges_joint`, how many of
        the pledges in its sums it shares with others. A joint pledge is in each of its pledgers'
        rows, so the rows add up to more than `totals()` by exactly those. One query."""
        if self._every_pledge():
            from .. import summary

            return summary.totals_by_pledger(self.db)
        through = self.model.pledgers.through
        # Joint: a pledger other than the row's one exists. One probe of the (pledge, state)
        # unique index per row; an `IN (… GROUP BY … HAVING COUNT > 1)` subquery here stopped
        # being hashed past work_mem and went quadratic at a million pledges (issue 12).
        joint = Q(Exists(through.objects.filter(pledge=OuterRef("pk")).exclude(state=OuterRef("pledgers"))))
        rows = (
            self._counted()
            .values(code=F("pledgers__code"), name=F("pledgers__name"), kind=F("pledgers__kind"))
            .annotate(
                **self._figures(),
                troop_pledges_joint=Count("pk", filter=HAS_TROOPS & joint),
                eur_pledges_joint=Count("pk", filter=Q(amount_eur__isnull=False) & joint),
            )
            .order_by("name", "code")
        )
        return [self._finished(row) for row in rows if row["code"] is not None]

    def by_state(self, code: str):
        """Pledges a party made alone or jointly. A subquery, not a join: no duplicate rows, so
        no DISTINCT, and an ordered page of them can stop at its last row."""
        pledged = self.model.pledgers.through.objects.filter(state__code=code).values("pledge_id")
        return self.filter(pk__in=pledged)

    def not_reviewed_in(self, days: int):
        """Pledges no analyst has confirmed against their sources for `days` days, or ever."""
        cutoff = timezone.now() - datetime.timedelta(days=days)
        return self.filter(Q(last_reviewed_at__isnull=True) | Q(last_reviewed_at__lt=cutoff))
