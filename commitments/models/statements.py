"""What was said about the guarantees: a claim of progress, a caveat, a rejection. A statement has
a speaker (a person, the party they speak for, or both; a party that pledges nothing may still
speak), a date and meeting where known, what it is about (pledges, instruments, declarations,
summits: one or several), a stance, and the quoted phrase with its source."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import DatePrecision, Stance
from .base import SLUG_HELP, NaturalKeyManager, Sourced, TimestampedModel, sane_date
from .instruments import Instrument
from .meetings import Summit
from .parties import State
from .people import Person
from .pledges import Pledge
from .texts import Declaration

ABOUT = ("pledges", "instruments", "declarations", "summits")
ABOUT_NOTHING = _("Say what the statement is about: at least one pledge, instrument, declaration or meeting.")


class StatementQuerySet(models.QuerySet):
    def with_related(self):
        """A statement's speaker, party, meeting, source and what it is about, in a fixed number of queries."""
        return self.select_related("speaker", "state", "summit", "source").prefetch_related(*ABOUT)

    def about(self, record):
        """Statements about `record` (a pledge, instrument, declaration or summit)."""
        name = {Pledge: "pledges", Instrument: "instruments", Declaration: "declarations", Summit: "summits"}
        return self.filter(**{name[type(record)]: record})


class Statement(Sourced, TimestampedModel):
    """Something a person or party said that supports, commits to, qualifies, claims progress on,
    questions or rejects a guarantee, in the source's words (the quote, at most 25 words), with
    who said it as the source attributes it."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    speaker = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,  # who said it is part of the fact
        null=True,
        blank=True,
        related_name="statements",
        help_text=_("Who said it, where the report names them."),
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        help_text=_("The state or body that said it, or for which the speaker spoke."),
    )
    made_on = models.DateField(null=True, blank=True, help_text=_("When it was said; blank if no report says."))
    made_precision = models.CharField(
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How much of the date is known."),
    )
    summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        help_text=_("The meeting at which (or right after which) it was said."),
    )
    stance = models.CharField(max_length=20, choices=Stance.choices, help_text=_("What it does to the guarantee."))
    summary = models.TextField(
        blank=True, help_text=_("What it says, in the analyst's words, where the quote needs it.")
    )
    pledges = models.ManyToManyField(Pledge, blank=True, related_name="statements", help_text=_("Pledges it is about."))
    instruments = models.ManyToManyField(
        Instrument, blank=True, related_name="statements", help_text=_("Instruments it is about.")
    )
    declarations = models.ManyToManyField(
        Declaration, blank=True, related_name="statements", help_text=_("Declarations it is about.")
    )
    summits = models.ManyToManyField(
        Summit, blank=True, related_name="statements_about", help_text=_("Meetings it is about (their outcome).")
    )

    objects = NaturalKeyManager.from_queryset(StatementQuerySet)()
    history = HistoricalRecords(m2m_fields=[pledges, instruments, declarations, summits])

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["made_on", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(speaker__isnull=False) | Q(state__isnull=False),
                name="statement_has_speaker",
                violation_error_message=_("Say who made the statement: a person, a party, or both."),
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="statement_has_quote",
                violation_error_message=_("A statement is its quoted words: give the phrase, at most 25 words."),
            ),
            sane_date("made_on", "statement"),
        ]

    def __str__(self):
        who = self.speaker.name if self.speaker_id else (self.state.name if self.state_id else gettext("unknown"))
        return f"{who}: “{self.quote[:60]}”"
