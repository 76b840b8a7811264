"""What was promised: pledges, their status history, citations, and force requirements."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..choices import (
    FINAL_STATUSES,
    Category,
    Condition,
    ConditionState,
    Currency,
    DatePrecision,
    MonitoringRole,
    Status,
)
from ..formatting import compact_money, troop_range
from .base import (
    SLUG_HELP,
    NaturalKeyManager,
    NaturalKeyModel,
    Source,
    Sourced,
    new_key,
    sane_date,
)
from .meetings import Summit
from .parties import State
from .texts import Declaration


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


class PledgeQuerySet(models.QuerySet):
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

    def open(self):
        return self.exclude(status__in=FINAL_STATUSES)

    def final(self):
        return self.filter(status__in=FINAL_STATUSES)

    def top_level(self):
        """Pledges that count in totals: shares of a larger pledge are already inside it."""
        return self.filter(part_of__isnull=True)

    # Aggregates for the dashboard (and anyone else who needs totals). Troop ranges add up as
    # follows: the low end adds each pledge's troops_min (an "up to N" pledge adds nothing), the
    # high end its troops_max or, for an "at least N" pledge, N. A vague quantity adds nothing.
    _HAS_TROOPS = Q(troops_min__isnull=False) | Q(troops_max__isnull=False)

    def totals(self) -> dict:
        """Headline figures over the pledges of this queryset that count in totals: top level
        only (a share is inside its larger pledge) and a joint pledge once (it is one row).
        One query."""
        has_troops = self._HAS_TROOPS
        figures = (
            Pledge.objects.filter(pk__in=self.values("pk"))
            .top_level()
            .aggregate(
                pledges=Count("pk"),
                troops_low=Sum("troops_min"),
                troops_high=Sum(Coalesce("troops_max", "troops_min")),
                troop_pledges=Count("pk", filter=has_troops),
                troop_pledges_unquantified=Count("pk", filter=Q(category=Category.TROOPS) & ~has_troops),
                eur=Sum("amount_eur"),
                eur_pledges=Count("pk", filter=Q(amount_eur__isnull=False)),
                funding_pledges_unquantified=Count(
                    "pk", filter=Q(category=Category.FUNDING, amount_eur__isnull=True, amount__isnull=True)
                ),
                pending_on_ceasefire=Count(
                    "pk", filter=Q(condition=Condition.UPON_CEASEFIRE, condition_state=ConditionState.PENDING)
                ),
            )
        )
        figures["troops_low"] = figures["troops_low"] or 0
        figures["troops_high"] = figures["troops_high"] or 0
        figures["eur"] = figures["eur"] or Decimal(0)
        return figures

    def count_by_status(self) -> dict[str, int]:
        """Top-level pledges per status, in the order of `Status` (zeros included). One query."""
        counts = dict(
            Pledge.objects.filter(pk__in=self.values("pk"))
            .top_level()
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        return {status: counts.get(status, 0) for status in Status.values}

    def totals_by_pledger(self):
        """One row per party with the pledges of this queryset it made alone or jointly, shares
        included, with their troop and euro sums. A joint pledge appears under each pledger and a
        share beside its larger pledge, so these rows add up to more than `totals()`; the
        `*_joint` and `*_shares` counts say where. One query."""
        through = Pledge.pledgers.through
        has_troops = Q(pledge__troops_min__isnull=False) | Q(pledge__troops_max__isnull=False)
        has_eur = Q(pledge__amount_eur__isnull=False)
        joint = Q(
            pledge__in=through.objects.order_by()
            .values("pledge")
            .annotate(n=Count("state"))
            .filter(n__gt=1)
            .values("pledge")
        )
        share = Q(pledge__part_of__isnull=False)
        return (
            through.objects.filter(pledge__in=self.values("pk"))
            .values("state__code", "state__name", "state__kind")
            .annotate(
                pledges=Count("pledge"),
                troops_low=Sum("pledge__troops_min"),
                troops_high=Sum(Coalesce("pledge__troops_max", "pledge__troops_min")),
                troop_pledges=Count("pledge", filter=has_troops),
                troop_pledges_joint=Count("pledge", filter=has_troops & joint),
                troop_pledges_shares=Count("pledge", filter=has_troops & share),
                troop_pledges_unquantified=Count("pledge", filter=Q(pledge__category=Category.TROOPS) & ~has_troops),
                eur=Sum("pledge__amount_eur"),
                eur_pledges=Count("pledge", filter=has_eur),
                eur_pledges_joint=Count("pledge", filter=has_eur & joint),
                eur_pledges_shares=Count("pledge", filter=has_eur & share),
            )
            .order_by("state__name")
        )

    def by_state(self, code: str):
        """Pledges a party made alone or jointly."""
        return self.filter(pledgers__code=code).distinct()

    def not_reviewed_in(self, days: int):
        """Pledges no analyst has confirmed against their sources for `days` days, or ever."""
        cutoff = timezone.now() - datetime.timedelta(days=days)
        return self.filter(Q(last_reviewed_at__isnull=True) | Q(last_reviewed_at__lt=cutoff))

    def as_of(self, date: datetime.date):
        """Pledges as they stood in the world on `date`: each gets `as_of_status` and
        `as_of_status_changed_on` from its latest status change effective on or before that date.
        Pledges whose first status change took effect later (not yet made then) are left out.
        One query: the status history is read through correlated subqueries, not per row."""
        latest = StatusChange.objects.filter(pledge=models.OuterRef("pk"), effective_date__lte=date).order_by(
            "-effective_date", "-sequence"
        )
        return self.annotate(
            as_of_status=models.Subquery(latest.values("to_status")[:1]),
            as_of_status_changed_on=models.Subquery(latest.values("effective_date")[:1]),
        ).filter(as_of_status__isnull=False)


class Pledge(NaturalKeyModel):
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
        help_text="The larger pledge this one is a share of (France's troops within the Franco-British bulk). "
        "Shares are left out of totals, which count the larger pledge.",
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
        null=True, blank=True, help_text="Troops: lower end of the range; blank when the source gives none."
    )
    troops_max = models.PositiveIntegerField(
        null=True, blank=True, help_text="Troops: upper end of the range; blank when the source gives none."
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
    status_changed_on = models.DateField(
        null=True, blank=True, editable=False, help_text="When the current status took effect in the world."
    )
    last_reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When an analyst last confirmed the record against its sources."
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every save; detects edits made in the meantime."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)  # incremental sync

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
            models.CheckConstraint(
                condition=(
                    Q(condition__in=[Condition.NOT_STATED, Condition.UNCONDITIONAL])
                    & Q(condition_state=ConditionState.NOT_APPLICABLE)
                )
                | (
                    ~Q(condition__in=[Condition.NOT_STATED, Condition.UNCONDITIONAL])
                    & ~Q(condition_state=ConditionState.NOT_APPLICABLE)
                ),
                name="pledge_condition_state_matches",
                violation_error_message="A conditional pledge needs a condition state (pending, triggered or lapsed); "
                "an unconditional one has none.",
            ),
            models.CheckConstraint(
                condition=~Q(part_of=models.F("id")),
                name="pledge_not_part_of_itself",
                violation_error_message="A pledge cannot be a share of itself.",
            ),
            sane_date("value_date", "pledge"),
            sane_date("status_changed_on", "pledge"),
        ]
        indexes = [
            # "open pledges by status" — the admin's and API's default filters
            models.Index(fields=["status", "category"], name="pledge_status_category"),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "status" in field_names:
            instance._loaded_status = instance.__dict__["status"]
        return instance

    def clean(self):
        super().clean()
        errors = {}
        if self.amount is not None and self.currency == Currency.EUR:
            if self.fx_rate is None:
                self.fx_rate = Decimal(1)
            if self.value_date is not None and self.amount_eur is None:
                self.amount_eur = self.amount
        if self.amount is not None and self.fx_rate is not None and self.amount_eur is not None:
            expected = (self.amount * self.fx_rate).quantize(Decimal("0.01"))
            if abs(expected - self.amount_eur) > Decimal("0.01"):
                errors["amount_eur"] = f"Amount × FX rate is {expected}, not {self.amount_eur}."
        if self.monitoring_means and not self.monitoring_role:
            errors["monitoring_role"] = "Give the monitoring role (lead, participant, contributor) for these means."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not kwargs.get("raw"):
            # A row loaded without its status (a deferred field) cannot have had it changed here.
            loaded = getattr(self, "_loaded_status", Status.NOT_ASSESSABLE if self._state.adding else self.status)
            if self.status != loaded and not getattr(self, "_writing_status", False):
                raise ValueError("Pledge.status is changed only through Pledge.change_status().")
            if not self._state.adding:
                self.version += 1
            self.updated_at = timezone.now()
        super().save(*args, **kwargs)
        self._loaded_status = self.status

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

    @transaction.atomic
    def change_status(
        self,
        status: str,
        *,
        effective_date: datetime.date,
        source: Source,
        note: str,
        precision: str = DatePrecision.DAY,
        quote: str = "",
        attribution: str = "",
        user=None,
    ) -> "StatusChange":
        """Record that the pledge moved to `status` on `effective_date`, as `source` says.

        The only writer of `Pledge.status`. The history row and the current status are written in
        one transaction, under a lock on the pledge row, so two analysts changing the same pledge
        are serialised; a rejected change raises ValidationError and leaves both untouched."""
        locked = Pledge.objects.select_for_update().get(pk=self.pk)
        last = locked.status_changes.order_by("-sequence").first()
        change = StatusChange(
            pledge=locked,
            sequence=(last.sequence + 1) if last else 1,
            from_status=locked.status,
            to_status=status,
            effective_date=effective_date,
            effective_precision=precision,
            recorded_by=user,
            note=note,
            source=source,
            quote=quote,
            attribution=attribution,
        )
        errors = {}
        if status == locked.status:
            errors["to_status"] = f"The pledge is already {locked.get_status_display().split(' (')[0].lower()}."
        if last and effective_date and effective_date < last.effective_date:
            errors["effective_date"] = (
                f"The previous change took effect on {last.effective_date:%d %B %Y}; a later change cannot take "
                "effect before it. Correct the history instead."
            )
        if effective_date and effective_date > timezone.localdate():
            errors["effective_date"] = "A status change cannot take effect in the future."
        try:
            # A same-status change already has its own message; the constraint would say it twice.
            change.full_clean(validate_constraints="to_status" not in errors)
        except ValidationError as exc:
            errors = {**exc.message_dict, **errors}
        if errors:
            raise ValidationError(errors)
        change.save()
        locked.status = status
        locked.status_changed_on = effective_date
        locked._writing_status = True
        try:
            locked.save()
        finally:
            locked._writing_status = False
        # Keep the caller's instance in step with the row.
        for field in ("status", "status_changed_on", "version", "updated_at"):
            setattr(self, field, getattr(locked, field))
        self._loaded_status = self.status
        return change


class StatusChange(Sourced, NaturalKeyModel):
    """One step in a pledge's life: from which status to which, when it took effect in the world
    (with the precision known), when and by whom it was recorded, why, and on what source.
    Written only by `Pledge.change_status`."""

    NATURAL_KEY = ("pledge__slug", "sequence")

    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="status_changes",  # the history is part of the pledge
    )
    sequence = models.PositiveIntegerField(help_text="1 for the first change of this pledge, then 2, 3, …")
    from_status = models.CharField(max_length=20, choices=Status.choices, help_text="Status before the change.")
    to_status = models.CharField(max_length=20, choices=Status.choices, help_text="Status after the change.")
    effective_date = models.DateField(help_text="When the change took effect in the world.")
    effective_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    recorded_at = models.DateTimeField(default=timezone.now, help_text="When the change was entered in the tracker.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the history outlives a removed account
        null=True,
        blank=True,
        related_name="+",
        help_text="Who entered it; blank for changes loaded from the seed fixtures.",
    )
    note = models.TextField(help_text="Why the status changed.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "sequence"]
        get_latest_by = "sequence"
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "sequence"],
                name="status_change_sequence_unique",
                violation_error_message="This pledge already has a status change with this number.",
            ),
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")),
                name="status_change_changes_status",
                violation_error_message="A status change must move to a different status.",
            ),
            models.CheckConstraint(
                condition=~Q(note=""),
                name="status_change_has_note",
                violation_error_message="Say why the status changed.",
            ),
            sane_date("effective_date", "status_change"),
        ]
        indexes = [
            # as_of: "the latest change per pledge effective on or before a date"
            models.Index(fields=["pledge", "effective_date"], name="status_change_pledge_date"),
        ]

    def __str__(self):
        return f"{self.pledge}: {self.from_status} → {self.to_status} ({self.effective_date})"


def exactly_one_of(fields: tuple[str, ...]) -> Q:
    """Q: exactly one of these nullable foreign keys is set."""
    condition = Q()
    for chosen in fields:
        condition |= Q(**{f"{name}__isnull": name != chosen for name in fields})
    return condition


class Citation(Sourced, NaturalKeyModel):
    """Ties a source to one record (a summit, a declaration, a pledge or a force requirement),
    optionally to one of its fields, with the phrase that supports it."""

    NATURAL_KEY = ("key",)
    TARGETS = ("summit", "declaration", "pledge", "force_requirement")

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
                condition=exactly_one_of(("summit", "declaration", "pledge", "force_requirement")),
                name="citation_one_target",
                violation_error_message="A citation supports exactly one record: a summit, a declaration, a pledge "
                "or a force requirement.",
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
