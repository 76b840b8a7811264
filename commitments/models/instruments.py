"""The guarantees' architecture: the instruments pledges build (a multinational force, a ceasefire
monitoring mechanism, a commission, military hubs, a maritime task), who leads and takes part in
each, its own status with a dated history, the condition for it to start, and the texts that
create or describe it. Pledges contribute to an instrument (`Pledge.contributes_to`); a force
requirement may be the one an instrument must meet (`ForceRequirement.instrument`)."""

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import Condition, ConditionState, InstrumentKind, InstrumentRole, InstrumentStatus
from .base import SLUG_HELP, NaturalKeyManager, Sourced, TimestampedModel
from .parties import State
from .status import StatusChangeBase, StatusHistory, StatusHistoryQuerySet, status_change_constraints
from .texts import Declaration


def condition_state_matches(model: str) -> models.CheckConstraint:
    """A conditional record has a condition state (pending, triggered, lapsed); an unconditional one none."""
    unconditional = [Condition.NOT_STATED, Condition.UNCONDITIONAL]
    return models.CheckConstraint(
        condition=(models.Q(condition__in=unconditional) & models.Q(condition_state=ConditionState.NOT_APPLICABLE))
        | (~models.Q(condition__in=unconditional) & ~models.Q(condition_state=ConditionState.NOT_APPLICABLE)),
        name=f"{model}_condition_state_matches",
        violation_error_message=_(
            "A conditional pledge needs a condition state (pending, triggered or lapsed); an unconditional one "
            "has none."
        )
        if model == "pledge"
        else _(
            "A conditional instrument needs a condition state (pending, triggered or lapsed); an unconditional one "
            "has none."
        ),
    )


def requirement_gap(requirement, figures: dict) -> dict:
    """A force requirement against the figures of the pledges set against it (see
    Instrument.requirement_gaps): one rule for the API, the pages and the summary report."""

    def gap(required, pledged):
        return None if required is None or pledged is None else required - pledged

    return {
        "requirement": requirement,
        "troops_low": figures["troops_low"],
        "troops_high": figures["troops_high"],
        "troop_pledges": figures["troop_pledges"],
        "troop_pledges_unquantified": figures["troop_pledges_unquantified"],
        "gap_min": gap(requirement.troops_min, figures["troops_low"]),
        "gap_max": gap(requirement.troops_max, figures["troops_high"]),
    }


class InstrumentQuerySet(StatusHistoryQuerySet):
    def with_related(self):
        """Everything an instrument's row shows: its parties (with their states), texts, force
        requirements and citations, in a fixed number of queries."""
        from .pledges import Citation

        return self.prefetch_related(
            Prefetch("parties", queryset=InstrumentParty.objects.select_related("state", "source")),
            "declarations",
            "force_requirements",
            Prefetch("citations", queryset=Citation.objects.select_related("source")),
        )

    def with_leads_and_contribution_count(self):
        """Each instrument with `leads` (its lead parties, states loaded, by name) and
        `contribution_count` (the pledges contributing to it, shares included): what a list of
        instruments shows. Two queries."""
        leads = InstrumentParty.objects.filter(role=InstrumentRole.LEAD).select_related("state").order_by("state__name")
        return self.annotate(contribution_count=models.Count("contributions", distinct=True)).prefetch_related(
            Prefetch("parties", queryset=leads, to_attr="leads")
        )

    def led_by(self, code: str):
        """Instruments the party leads (alone or with others)."""
        return self.filter(parties__state__code=code, parties__role=InstrumentRole.LEAD).distinct()

    def contribution_figures(self) -> dict[int, dict]:
        """{instrument id: the figures (PledgeQuerySet.totals) of the pledges contributing to it}
        for the instruments of this queryset that have contributions. One query."""
        from .pledges import Pledge

        pledges = Pledge.objects.filter(contributes_to__in=self.values("pk"))
        return pledges.totals_by("contributes_to")


class Instrument(StatusHistory, TimestampedModel):
    """A mechanism, force or body that pledges build: the multinational force for Ukraine, the
    US-led ceasefire monitoring and verification mechanism, the special commission on breaches.
    Its status (proposed, agreed, established, operational…) has a dated history of its own,
    written only by `change_status`, apart from the statuses of the pledges that feed it."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    name = models.CharField(max_length=300, help_text=_("Its name as the reports give it, or a plain description."))
    name_uk = models.CharField(
        max_length=300,
        verbose_name=_("name (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of name; empty: the English is shown."),
    )
    kind = models.CharField(max_length=20, choices=InstrumentKind.choices, help_text=_("What sort of instrument."))
    mandate = models.TextField(
        blank=True,
        help_text=_(
            "What it is to do, in the sources' words where possible; cite it with a citation on field "
            "'mandate'. Blank when no report says."
        ),
    )
    summary = models.TextField(blank=True, help_text=_("Details, in the analyst's words."))
    summary_uk = models.TextField(
        verbose_name=_("summary (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of summary; empty: the English is shown."),
    )
    declarations = models.ManyToManyField(
        Declaration,
        blank=True,
        related_name="instruments",
        help_text=_("The texts that create or describe it."),
    )
    condition = models.CharField(
        max_length=30,
        choices=Condition.choices,
        default=Condition.NOT_STATED,
        help_text=_("What it depends on to start (e.g. upon a ceasefire)."),
    )
    condition_text = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("The condition in the source's words, e.g. 'once a ceasefire is agreed'."),
    )
    condition_state = models.CharField(
        max_length=15,
        choices=ConditionState.choices,
        default=ConditionState.NOT_APPLICABLE,
        help_text=_("Whether the condition has been met: pending, triggered or lapsed."),
    )
    status = models.CharField(
        max_length=20,
        choices=InstrumentStatus.choices,
        default=InstrumentStatus.NOT_ASSESSABLE,
        editable=False,
        help_text=_("Where the instrument stands now. Changed only through a status change, kept in its history."),
    )

    objects = NaturalKeyManager.from_queryset(InstrumentQuerySet)()
    history = HistoricalRecords(m2m_fields=[declarations])

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["name", "slug"]
        constraints = [condition_state_matches("instrument")]

    def __str__(self):
        return self.name

    def contribution_figures(self) -> dict:
        """The figures of the pledges that contribute to it, as every total counts them
        (PledgeQuerySet.totals: shares of a contribution are inside it, unknown sums None)."""
        return self.contributions.all().totals()

    def requirement_gaps(self, figures: dict | None = None) -> list[dict]:
        """Each force requirement it must meet against its contributions: the requirement, the
        troops pledged to it (`troops_low` – `troops_high`, None when no contribution gives a
        number), how many contributions give a troop figure and how many give none, and the gap
        (requirement − pledged: positive is missing; None when either is unknown)."""
        figures = self.contribution_figures() if figures is None else figures
        return [requirement_gap(requirement, figures) for requirement in self.force_requirements.all()]


class InstrumentParty(Sourced, TimestampedModel):
    """A party's part in an instrument (lead, participant, contributor, supporter), as a report
    gives it: 'a US-led mechanism' makes the US its lead."""

    NATURAL_KEY = ("instrument__slug", "state__code", "role")

    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,  # a role in an instrument means nothing without it
        related_name="parties",
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,  # removing a state must not erase what it leads or takes part in
        related_name="instrument_roles",
    )
    role = models.CharField(max_length=12, choices=InstrumentRole.choices)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instrument party")
        ordering = ["instrument", "role", "state"]
        verbose_name_plural = _("instrument parties")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "state", "role"],
                name="instrument_party_once_per_role",
                violation_error_message=_("This party already has this role in this instrument."),
            ),
        ]

    def __str__(self):
        return gettext("%(state)s — %(role)s of %(instrument)s") % {
            "state": self.state,
            "role": self.get_role_display().lower(),
            "instrument": self.instrument,
        }


class InstrumentStatusChange(StatusChangeBase):
    """One step in an instrument's life. Written only by `Instrument.change_status`."""

    SUBJECT = "instrument"
    NATURAL_KEY = ("instrument__slug", "sequence")

    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="status_changes",  # the history is part of the instrument
    )
    from_status = models.CharField(
        max_length=20, choices=InstrumentStatus.choices, help_text=_("Status before the change.")
    )
    to_status = models.CharField(
        max_length=20, choices=InstrumentStatus.choices, help_text=_("Status after the change.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instrument status change")
        verbose_name_plural = _("instrument status changes")
        ordering = ["instrument", "sequence"]
        get_latest_by = "sequence"
        constraints = status_change_constraints("instrument_status_change", "instrument")
        indexes = [
            # as_of: "the latest change per instrument effective on or before a date"
            models.Index(fields=["instrument", "effective_date"], name="instrument_status_date"),
        ]


Instrument.STATUS_CHANGE = InstrumentStatusChange
