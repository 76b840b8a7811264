"""What was promised: pledges, their status history, citations, and force requirements."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..choices import (
    FINAL_STATUSES,
    Category,
    Condition,
    ConditionState,
    Currency,
    MonitoringRole,
    Status,
)
from ..formatting import compact_money, troop_range
from .base import (
    EARLIEST_DATE,
    SLUG_HELP,
    NaturalKeyManager,
    NaturalKeyModel,
    Sourced,
    new_key,
    sane_date,
)
from .indexes import NullsLastIndex
from .instruments import Instrument, condition_state_matches
from .meetings import Summit
from .parties import State
from .status import StatusChangeBase, StatusHistory, StatusHistoryQuerySet, status_change_constraints
from .texts import Declaration

# A sanity bound that also keeps troop figures inside every database's integer range.
MAX_TROOPS = 10_000_000
SHARE_OF_ITSELF = "A pledge cannot be a share of itself."
REVIEW_TIME_BOUNDS = f"A review time lies between {EARLIEST_DATE:%d %B %Y} and now."
NO_PLEDGER = "Give at least one pledger."


def troop_range_constraints(model: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(troops_min__isnull=True) | Q(troops_min__gte=0),
            name=f"{model}_troops_min_not_negative",
            violation_error_message="Troop numbers cannot be negative.",
        ),
        models.CheckConstraint(
            condition=Q(troops_max__isnull=True) | Q(troops_max__gte=0),
            name=f"{model}_troops_max_not_negative",
            violation_error_message="Troop numbers cannot be negative.",
        ),
        models.CheckConstraint(
            condition=Q(troops_min__isnull=True)
            | Q(troops_max__isnull=True)
            | Q(troops_min__lte=models.F("troops_max")),
            name=f"{model}_troops_min_le_max",
            violation_error_message="The lower troop figure cannot exceed the upper one.",
        ),
    ]


class ForceRequirement(NaturalKeyModel):
    """A force size the reports give for a planned deployment (not a pledge by anyone): e.g.
    'between 15,000 and 30,000 Western troops could be deployed'. Pledged troops are compared
    against it."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    title = models.CharField(max_length=200)
    summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="force_requirements",  # keep context
    )
    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="force_requirements",  # keep context
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="force_requirements",
        help_text="The instrument (e.g. the multinational force) that must meet this requirement; its "
        "contributions are set against it.",
    )
    troops_min = models.PositiveIntegerField(
        null=True, blank=True, help_text="Lower end of the range; blank if not given."
    )
    troops_max = models.PositiveIntegerField(
        null=True, blank=True, help_text="Upper end of the range; blank if not given."
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        constraints = troop_range_constraints("force_requirement")

    def __str__(self):
        return self.title


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
            models.Prefetch("citations", queryset=Citation.objects.select_related("source")),
        )

    def with_related_lists(self):
        """What `with_related()` loads, as plain lists: `pledger_list` (sorted by code) and
        `citation_list` (with sources, in recorded order). No QuerySet is built per row, which
        makes a million-row export about 2.5 times faster; for read-only rows, not for forms."""
        return self.select_related("declaration", "summit", "part_of").prefetch_related(
            models.Prefetch("pledgers", queryset=State.objects.order_by("code"), to_attr="pledger_list"),
            models.Prefetch(
                "citations", queryset=Citation.objects.select_related("source").order_by("id"), to_attr="citation_list"
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
                "citations", queryset=Citation.objects.select_related("source").order_by("id"), to_attr="citation_list"
            ),
        )

    # The pledge's own cells of the CSV export (exports.columns.PLEDGE_COLUMNS), in file order:
    # those before the pledgers, those between the pledgers and the first citation, those after it.
    EXPORT_HEAD = ("slug", "title", "category")
    EXPORT_MIDDLE = (
        "part_of__slug",
        "summit__slug",
        "declaration__slug",
        "troops_min",
        "troops_max",
        "amount",
        "currency",
        "value_date",
        "fx_rate",
        "amount_eur",
        "monitoring_role",
        "monitoring_means",
        "quantity_text",
        "condition",
        "condition_text",
        "condition_state",
        "status",
        "status_changed_on",
    )
    EXPORT_TAIL = ("description", "last_reviewed_at", "updated_at", "version", "contributes_to__slug")

    def export_rows(self):
        """The export's rows as tuples (the id, then EXPORT_HEAD, EXPORT_MIDDLE, EXPORT_TAIL), read
        in one query with the slugs of the linked records joined in: no model instance per row, for
        a server-side cursor (`.iterator()`). The pledgers and the first citation come per chunk
        (`exports.files.iter_pledges`)."""
        fields = ("id", *self.EXPORT_HEAD, *self.EXPORT_MIDDLE, *self.EXPORT_TAIL)
        return self.prefetch_related(None).values_list(*fields)

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
        DISTINCT or ordering this one carries)."""
        return Pledge.objects.filter(pk__in=self.values("pk")).top_level().order_by()

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
        through = Pledge.pledgers.through
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
        pledged = Pledge.pledgers.through.objects.filter(state__code=code).values("pledge_id")
        return self.filter(pk__in=pledged)

    def not_reviewed_in(self, days: int):
        """Pledges no analyst has confirmed against their sources for `days` days, or ever."""
        cutoff = timezone.now() - datetime.timedelta(days=days)
        return self.filter(Q(last_reviewed_at__isnull=True) | Q(last_reviewed_at__lt=cutoff))


class Pledge(StatusHistory, NaturalKeyModel):
    """A promise made to Ukraine by one party or several jointly. A joint pledge ("France and the
    UK provide the bulk of the troops") is one row with several pledgers and counts once in any
    total. Quantities are stored by kind; a vague amount stays text and is never turned into a
    number. The current status is written only by `change_status`, which also writes the history."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    title = models.CharField(max_length=300, help_text="What is promised, in one line.")
    description = models.TextField(blank=True, help_text="Details, in the analyst's words.")
    pledgers = models.ManyToManyField(
        State,
        related_name="pledges",
        help_text="Who pledged. Several parties make one joint pledge, counted once in totals.",
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,  # a share must be re-homed or deleted before the pledge it belongs to
        null=True,
        blank=True,
        related_name="shares",
        help_text="The larger pledge this one is a true share of (France's troops within the Franco-British "
        "bulk). Shares are left out of quantity totals, which count the larger pledge. For a pledge that helps "
        "build a force or mechanism, use 'contributes to' instead.",
    )
    contributes_to = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,  # a pledge must not silently lose what it builds
        null=True,
        blank=True,
        related_name="contributions",
        help_text="The instrument (a force, a monitoring mechanism, a commission) this pledge helps build. "
        "A contribution counts in totals with its own status and quantity.",
    )
    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.PROTECT,  # a pledge must not lose the text it was made in
        null=True,
        blank=True,
        related_name="pledges",
        help_text="The text in which the pledge was made or recorded.",
    )
    summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,  # a pledge must not lose the meeting it was made at
        null=True,
        blank=True,
        related_name="pledges",
        help_text="The meeting at which the pledge was made or announced.",
    )
    category = models.CharField(max_length=30, choices=Category.choices, help_text="What kind of help is promised.")

    troops_min = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_TROOPS)],
        help_text="Troops: lower end of the range; blank when the source gives none.",
    )
    troops_max = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_TROOPS)],
        help_text="Troops: upper end of the range; blank when the source gives none.",
    )
    amount = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text="Money: amount in the pledged currency."
    )
    currency = models.CharField(
        max_length=3, choices=Currency.choices, blank=True, help_text="Money: ISO 4217 currency of the amount."
    )
    value_date = models.DateField(
        null=True, blank=True, help_text="Money: the date whose exchange rate converts the amount to euros."
    )
    fx_rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        null=True,
        blank=True,
        help_text="Money: euros per unit of the currency on the value date (1 for EUR).",
    )
    amount_eur = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text="Money: amount × FX rate, in euros."
    )
    monitoring_role = models.CharField(
        max_length=12,
        choices=MonitoringRole.choices,
        blank=True,
        help_text="Monitoring: lead, participant or contributor in a monitoring mechanism.",
    )
    monitoring_means = models.CharField(
        max_length=200,
        blank=True,
        help_text="Monitoring: the means, comma-separated (drones, sensors, satellites).",
    )
    quantity_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="Any quantity the source gives only in words ('thousands of troops', 'the bulk of the troops'). "
        "Never converted into a number.",
    )

    condition = models.CharField(
        max_length=30,
        choices=Condition.choices,
        default=Condition.NOT_STATED,
        help_text="What the pledge depends on.",
    )
    condition_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="The condition in the source's words, e.g. 'after a peace agreement is achieved'.",
    )
    condition_state = models.CharField(
        max_length=15,
        choices=ConditionState.choices,
        default=ConditionState.NOT_APPLICABLE,
        help_text="Whether the condition has been met: pending, triggered or lapsed.",
    )

    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_ASSESSABLE,
        editable=False,
        help_text="Where the pledge stands now. Changed only through a status change, which is kept in the history.",
    )
    last_reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When an analyst last confirmed the record against its sources."
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every save; detects edits made in the meantime."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # incremental sync (`updated_since=`) and `?ordering=updated_at` read the (updated_at, id) index below
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = NaturalKeyManager.from_queryset(PledgeQuerySet)()
    # version is left out of the audit trail: it changes on every save and is no fact about the pledge.
    history = HistoricalRecords(m2m_fields=[pledgers], excluded_fields=["version"])

    class Meta:
        ordering = ["id"]
        constraints = [
            *troop_range_constraints("pledge"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="pledge_amount_not_negative",
                violation_error_message="An amount cannot be negative.",
            ),
            models.CheckConstraint(
                condition=(Q(amount__isnull=True) & Q(currency="")) | (Q(amount__isnull=False) & ~Q(currency="")),
                name="pledge_amount_has_currency",
                violation_error_message="An amount needs its currency, and a currency needs an amount.",
            ),
            models.CheckConstraint(
                condition=Q(amount_eur__isnull=True)
                | (
                    Q(amount_eur__gte=0)
                    & Q(fx_rate__isnull=False)
                    & Q(value_date__isnull=False)
                    & Q(amount__isnull=False)
                ),
                name="pledge_eur_conversion_complete",
                violation_error_message="A euro amount needs the original amount, the FX rate and the value date used.",
            ),
            models.CheckConstraint(
                condition=Q(fx_rate__isnull=True) | Q(fx_rate__gt=0),
                name="pledge_fx_rate_positive",
                violation_error_message="An FX rate must be greater than zero.",
            ),
            condition_state_matches("pledge"),
            models.CheckConstraint(
                condition=~Q(part_of=models.F("id")),
                name="pledge_not_part_of_itself",
                violation_error_message=SHARE_OF_ITSELF,
            ),
            sane_date("value_date", "pledge"),
            sane_date("status_changed_on", "pledge"),
        ]
        indexes = [
            # "open pledges by status" — the admin's and API's default filters
            models.Index(fields=["status", "category"], name="pledge_status_category"),
            # The API's pages (api/pagination.py), one index per `?ordering=`: page 1 is
            # `ORDER BY f, id LIMIT 51`, a later page adds `WHERE (f, id) > (value, id)`; read
            # backwards for `-f`. `id` itself is the primary key's.
            # GET /api/pledges/?ordering=updated_at | -updated_at (and `updated_since=` syncs)
            models.Index(fields=["updated_at", "id"], name="pledge_updated_at_id"),
            # GET /api/pledges/?ordering=title | -title
            models.Index(fields=["title", "id"], name="pledge_title_id"),
            # GET /api/pledges/?ordering=category | -category
            models.Index(fields=["category", "id"], name="pledge_category_id"),
            # GET /api/pledges/?ordering=status | -status
            models.Index(fields=["status", "id"], name="pledge_status_id"),
            # Nullable fields sort NULLs last both ways: `ORDER BY f ASC NULLS LAST, id` is an
            # ascending index's own order in PostgreSQL; `ORDER BY f DESC NULLS LAST, id DESC` needs
            # its own (a backward scan would give the NULLs first), and its NULLs page
            # `WHERE f IS NULL AND id < last id` is a range of it too.
            # GET /api/pledges/?ordering=status_changed_on
            models.Index(fields=["status_changed_on", "id"], name="pledge_changed_on_id"),
            # GET /api/pledges/?ordering=-status_changed_on
            NullsLastIndex(
                F("status_changed_on").desc(nulls_last=True), F("id").desc(), name="pledge_changed_on_id_desc"
            ),
            # GET /api/pledges/?ordering=amount_eur
            models.Index(fields=["amount_eur", "id"], name="pledge_amount_eur_id"),
            # GET /api/pledges/?ordering=-amount_eur
            NullsLastIndex(F("amount_eur").desc(nulls_last=True), F("id").desc(), name="pledge_amount_eur_id_desc"),
            # GET /api/pledges/?ordering=troops_max
            models.Index(fields=["troops_max", "id"], name="pledge_troops_max_id"),
            # GET /api/pledges/?ordering=-troops_max
            NullsLastIndex(F("troops_max").desc(nulls_last=True), F("id").desc(), name="pledge_troops_max_id_desc"),
            # the admin list's "condition" column, sorted (ORDER BY condition, id LIMIT 50); the
            # API's orderings have their own (field, id) indexes. PostgreSQL-only indexes (trigram
            # search, newest status first): migration 0009.
            models.Index(fields=["condition", "id"], name="pledge_condition_id"),
            # the overview's "troop pledges without a number": top-level troop pledges with neither
            # figure, by id, the first UNQUANTIFIED_LISTED (a partial index: only those rows)
            models.Index(
                fields=["id"],
                condition=Q(category="troops", troops_min__isnull=True, troops_max__isnull=True, part_of__isnull=True),
                name="pledge_troops_unquantified",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.amount is not None and self.currency == Currency.EUR:
            if self.fx_rate is None:
                self.fx_rate = Decimal(1)
            if self.value_date is not None and self.amount_eur is None:
                self.amount_eur = self.amount
        if self.amount is not None and self.fx_rate is not None and self.amount_eur is not None:
            try:
                expected = (self.amount * self.fx_rate).quantize(Decimal("0.01"))
            except InvalidOperation:
                expected = None  # a number past the fields' digits, which their own check reports
            if expected is not None and abs(expected - self.amount_eur) > Decimal("0.01"):
                errors["amount_eur"] = f"Amount × FX rate is {expected}, not {self.amount_eur}."
        if self.monitoring_means and not self.monitoring_role:
            errors["monitoring_role"] = "Give the monitoring role (lead, participant, contributor) for these means."
        if self.pk is not None and self.part_of_id == self.pk:
            errors["part_of"] = SHARE_OF_ITSELF  # as the constraint says, next to the field
        reviewed = self.last_reviewed_at
        if reviewed is not None and not (EARLIEST_DATE <= reviewed.date() and reviewed <= timezone.now()):
            errors["last_reviewed_at"] = REVIEW_TIME_BOUNDS
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not kwargs.get("raw"):
            self.check_status_not_written()  # before the version moves: a refused save changes nothing
            if not self._state.adding:
                self.version += 1
            self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def quantity_summary(self) -> str:
        """What is promised, in the few words an analyst scans: "15,000–30,000 troops", "€2.0 bn",
        "lead monitoring role", "thousands (unquantified)"; parts joined by "; ", "" when none.

        Vague quantities stay words: the summary never turns them into numbers."""
        parts = [troops] if (troops := troop_range(self.troops_min, self.troops_max)) else []
        if self.amount is not None:
            money = compact_money(self.amount, self.currency)
            if self.currency != Currency.EUR and self.amount_eur is not None:
                money += f" ({compact_money(self.amount_eur, Currency.EUR)})"
            parts.append(money)
        if self.monitoring_role:
            role = f"{self.get_monitoring_role_display().lower()} monitoring role"
            parts.append(f"{role} ({self.monitoring_means})" if self.monitoring_means else role)
        if self.quantity_text:
            parts.append(f"{self.quantity_text} (unquantified)")
        return "; ".join(parts)


class StatusChange(StatusChangeBase):
    """One step in a pledge's life. Written only by `Pledge.change_status`."""

    SUBJECT = "pledge"
    NATURAL_KEY = ("pledge__slug", "sequence")

    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="status_changes",  # the history is part of the pledge
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, help_text="Status before the change.")
    to_status = models.CharField(max_length=20, choices=Status.choices, help_text="Status after the change.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "sequence"]
        get_latest_by = "sequence"
        constraints = status_change_constraints("status_change", "pledge")
        indexes = [
            # as_of: "the latest change per pledge effective on or before a date"
            models.Index(fields=["pledge", "effective_date"], name="status_change_pledge_date"),
        ]


Pledge.STATUS_CHANGE = StatusChange


def exactly_one_of(fields: tuple[str, ...]) -> Q:
    """Q: exactly one of these nullable foreign keys is set."""
    condition = Q()
    for chosen in fields:
        condition |= Q(**{f"{name}__isnull": name != chosen for name in fields})
    return condition


# The records a citation can support (one of them each).
CITATION_TARGETS = ("summit", "declaration", "pledge", "force_requirement", "instrument")


class Citation(Sourced, NaturalKeyModel):
    """Ties a source to one record (a summit, a declaration, a pledge, a force requirement or an
    instrument), optionally to one of its fields, with the phrase that supports it."""

    NATURAL_KEY = ("key",)
    TARGETS = CITATION_TARGETS

    key = models.CharField(max_length=64, unique=True, default=new_key, help_text="Stable identifier.")
    summit = models.ForeignKey(
        Summit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",  # goes with its record
    )
    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",  # goes with its record
    )
    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",  # goes with its record
    )
    force_requirement = models.ForeignKey(
        ForceRequirement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",  # goes with it
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",  # goes with its record
    )
    field = models.CharField(
        max_length=50,
        blank=True,
        help_text="The field the citation supports (e.g. amount); blank for the whole record.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of(CITATION_TARGETS),
                name="citation_one_target",
                violation_error_message="A citation supports exactly one record: a summit, a declaration, a pledge, "
                "a force requirement or an instrument.",
            ),
        ]

    @property
    def target(self):
        return next((getattr(self, name) for name in self.TARGETS if getattr(self, f"{name}_id")), None)

    def clean(self):
        super().clean()
        target = self.target
        if self.field and target is not None:
            names = {f.name for f in target._meta.get_fields()}
            if self.field not in names:
                raise ValidationError({"field": f"{type(target).__name__} has no field '{self.field}'."})

    def __str__(self):
        return f"{self.source.title}: “{self.quote[:60]}”"
