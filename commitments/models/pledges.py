"""What was promised: pledges, their status history, citations, and force requirements."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
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
    lazy_format,
    lazy_long_date,
    new_key,
    sane_date,
)
from .indexes import NullsLastIndex
from .instruments import Instrument, condition_state_matches
from .meetings import Summit
from .parties import State
from .pledge_queries import PledgeQuerySet
from .status import StatusChangeBase, StatusHistory, status_change_constraints
from .texts import Declaration

# A sanity bound that also keeps troop figures inside every database's integer range.
MAX_TROOPS = 10_000_000
SHARE_OF_ITSELF = _("A pledge cannot be a share of itself.")
REVIEW_TIME_BOUNDS = lazy_format(
    _("A review time lies between %(earliest)s and now."), {"earliest": lazy_long_date(EARLIEST_DATE)}
)
NO_PLEDGER = _("Give at least one pledger.")


def troop_range_constraints(model: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(troops_min__isnull=True) | Q(troops_min__gte=0),
            name=f"{model}_troops_min_not_negative",
            violation_error_message=_("Troop numbers cannot be negative."),
        ),
        models.CheckConstraint(
            condition=Q(troops_max__isnull=True) | Q(troops_max__gte=0),
            name=f"{model}_troops_max_not_negative",
            violation_error_message=_("Troop numbers cannot be negative."),
        ),
        models.CheckConstraint(
            condition=Q(troops_min__isnull=True)
            | Q(troops_max__isnull=True)
            | Q(troops_min__lte=models.F("troops_max")),
            name=f"{model}_troops_min_le_max",
            violation_error_message=_("The lower troop figure cannot exceed the upper one."),
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
        help_text=_(
            "The instrument (e.g. the multinational force) that must meet this requirement; its "
            "contributions are set against it."
        ),
    )
    troops_min = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Lower end of the range; blank if not given.")
    )
    troops_max = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Upper end of the range; blank if not given.")
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("force requirement")
        verbose_name_plural = _("force requirements")
        ordering = ["slug"]
        constraints = troop_range_constraints("force_requirement")

    def __str__(self):
        return self.title


class Pledge(StatusHistory, NaturalKeyModel):
    """A promise made to Ukraine by one party or several jointly. A joint pledge ("France and the
    UK provide the bulk of the troops") is one row with several pledgers and counts once in any
    total. Quantities are stored by kind; a vague amount stays text and is never turned into a
    number. The current status is written only by `change_status`, which also writes the history."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    title = models.CharField(max_length=300, help_text=_("What is promised, in one line."))
    title_uk = models.CharField(
        max_length=300,
        verbose_name=_("title (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of title; empty: the English is shown."),
    )
    description = models.TextField(blank=True, help_text=_("Details, in the analyst's words."))
    description_uk = models.TextField(
        verbose_name=_("description (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of description; empty: the English is shown."),
    )
    pledgers = models.ManyToManyField(
        State,
        related_name="pledges",
        help_text=_("Who pledged. Several parties make one joint pledge, counted once in totals."),
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,  # a share must be re-homed or deleted before the pledge it belongs to
        null=True,
        blank=True,
        related_name="shares",
        help_text=_(
            "The larger pledge this one is a true share of (France's troops within the Franco-British "
            "bulk). Shares are left out of quantity totals, which count the larger pledge. For a pledge that helps "
            "build a force or mechanism, use 'contributes to' instead."
        ),
    )
    contributes_to = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,  # a pledge must not silently lose what it builds
        null=True,
        blank=True,
        related_name="contributions",
        help_text=_(
            "The instrument (a force, a monitoring mechanism, a commission) this pledge helps build. "
            "A contribution counts in totals with its own status and quantity."
        ),
    )
    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.PROTECT,  # a pledge must not lose the text it was made in
        null=True,
        blank=True,
        related_name="pledges",
        help_text=_("The text in which the pledge was made or recorded."),
    )
    summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,  # a pledge must not lose the meeting it was made at
        null=True,
        blank=True,
        related_name="pledges",
        help_text=_("The meeting at which the pledge was made or announced."),
    )
    category = models.CharField(max_length=30, choices=Category.choices, help_text=_("What kind of help is promised."))

    troops_min = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_TROOPS)],
        help_text=_("Troops: lower end of the range; blank when the source gives none."),
    )
    troops_max = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_TROOPS)],
        help_text=_("Troops: upper end of the range; blank when the source gives none."),
    )
    amount = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text=_("Money: amount in the pledged currency.")
    )
    currency = models.CharField(
        max_length=3, choices=Currency.choices, blank=True, help_text=_("Money: ISO 4217 currency of the amount.")
    )
    value_date = models.DateField(
        null=True, blank=True, help_text=_("Money: the date whose exchange rate converts the amount to euros.")
    )
    fx_rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        null=True,
        blank=True,
        help_text=_("Money: euros per unit of the currency on the value date (1 for EUR)."),
    )
    amount_eur = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text=_("Money: amount × FX rate, in euros.")
    )
    monitoring_role = models.CharField(
        max_length=12,
        choices=MonitoringRole.choices,
        blank=True,
        help_text=_("Monitoring: lead, participant or contributor in a monitoring mechanism."),
    )
    monitoring_means = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Monitoring: the means, comma-separated (drones, sensors, satellites)."),
    )
    quantity_text = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "Any quantity the source gives only in words ('thousands of troops', 'the bulk of the troops'). "
            "Never converted into a number."
        ),
    )

    condition = models.CharField(
        max_length=30,
        choices=Condition.choices,
        default=Condition.NOT_STATED,
        help_text=_("What the pledge depends on."),
    )
    condition_text = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("The condition in the source's words, e.g. 'after a peace agreement is achieved'."),
    )
    condition_state = models.CharField(
        max_length=15,
        choices=ConditionState.choices,
        default=ConditionState.NOT_APPLICABLE,
        help_text=_("Whether the condition has been met: pending, triggered or lapsed."),
    )

    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_ASSESSABLE,
        editable=False,
        help_text=_("Where the pledge stands now. Changed only through a status change, which is kept in the history."),
    )
    last_reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When an analyst last confirmed the record against its sources.")
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text=_("Raised by every save; detects edits made in the meantime.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # incremental sync (`updated_since=`) and `?ordering=updated_at` read the (updated_at, id) index below
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = NaturalKeyManager.from_queryset(PledgeQuerySet)()
    # version is left out of the audit trail: it changes on every save and is no fact about the pledge.
    history = HistoricalRecords(m2m_fields=[pledgers], excluded_fields=["version"])

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["id"]
        constraints = [
            *troop_range_constraints("pledge"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="pledge_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(Q(amount__isnull=True) & Q(currency="")) | (Q(amount__isnull=False) & ~Q(currency="")),
                name="pledge_amount_has_currency",
                violation_error_message=_("An amount needs its currency, and a currency needs an amount."),
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
                violation_error_message=_(
                    "A euro amount needs the original amount, the FX rate and the value date used."
                ),
            ),
            models.CheckConstraint(
                condition=Q(fx_rate__isnull=True) | Q(fx_rate__gt=0),
                name="pledge_fx_rate_positive",
                violation_error_message=_("An FX rate must be greater than zero."),
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
                errors["amount_eur"] = gettext("Amount × FX rate is %(expected)s, not %(given)s.") % {
                    "expected": expected,
                    "given": self.amount_eur,
                }
        if self.monitoring_means and not self.monitoring_role:
            errors["monitoring_role"] = gettext(
                "Give the monitoring role (lead, participant, contributor) for these means."
            )
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
            role = gettext("%(role)s monitoring role") % {"role": self.get_monitoring_role_display().lower()}
            parts.append(f"{role} ({self.monitoring_means})" if self.monitoring_means else role)
        if self.quantity_text:
            parts.append(gettext("%(text)s (unquantified)") % {"text": self.quantity_text})
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
    from_status = models.CharField(max_length=20, choices=Status.choices, help_text=_("Status before the change."))
    to_status = models.CharField(max_length=20, choices=Status.choices, help_text=_("Status after the change."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
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

    key = models.CharField(max_length=64, unique=True, default=new_key, help_text=_("Stable identifier."))
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
        help_text=_("The field the citation supports (e.g. amount); blank for the whole record."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of(CITATION_TARGETS),
                name="citation_one_target",
                violation_error_message=_(
                    "A citation supports exactly one record: a summit, a declaration, a pledge, "
                    "a force requirement or an instrument."
                ),
            ),
        ]

    @property
    def target(self):
        return next((getattr(self, name) for name in self.TARGETS if getattr(self, f"{name}_id")), None)

    # Fields of a record no source is cited for: identifiers and bookkeeping, and the Ukrainian
    # versions of its text (a translation of what the English says, not a claim of its own).
    UNCITABLE = frozenset(
        {
            "id",
            "key",
            "slug",
            "version",
            "created_at",
            "updated_at",
            "title_uk",
            "description_uk",
            "name_uk",
            "summary_uk",
        }
    )

    @classmethod
    def citable_fields(cls, model) -> list[tuple[str, str]]:
        """(name, label) of the fields of `model` a citation may support: its own facts, the
        many-to-many ones (a pledge's pledgers) included; not identifiers, bookkeeping or the rows
        that point to it (its citations, its status history)."""
        opts = model._meta
        fields = [*opts.concrete_fields, *opts.many_to_many]
        return [(f.name, str(f.verbose_name).capitalize()) for f in fields if f.name not in cls.UNCITABLE]

    def clean(self):
        super().clean()
        target = self.target
        if self.field and target is not None:
            names = {name for name, _label in self.citable_fields(type(target))}
            if self.field not in names:
                raise ValidationError(
                    {
                        "field": gettext("A %(model)s has no field “%(field)s” a source can support.")
                        % {"model": target._meta.verbose_name, "field": self.field}
                    }
                )

    def __str__(self):
        return f"{self.source.title}: “{self.quote[:60]}”"
