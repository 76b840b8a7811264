"""The texts the parties produced: declarations, their parties and components."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    DatePrecision,
    DeclarationKind,
    DeclarationStatus,
    PartyRole,
)
from .base import (
    SLUG_HELP,
    NaturalKeyModel,
    Sourced,
    TimestampedModel,
    sane_date,
)
from .meetings import Summit
from .parties import State


class Declaration(TimestampedModel):
    """A text the parties produced or are negotiating: a draft, a joint declaration, a statement,
    a declaration of intent, or principles a summit agreed without a published text."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    title = models.CharField(max_length=300, help_text=_("Title as reported, e.g. 'Paris Declaration'."))
    title_uk = models.CharField(
        max_length=300,
        verbose_name=_("title (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of title; empty: the English is shown."),
    )
    kind = models.CharField(max_length=30, choices=DeclarationKind.choices, help_text=_("What sort of text."))
    status = models.CharField(
        max_length=12,
        choices=DeclarationStatus.choices,
        help_text=_("Draft, adopted/endorsed, signed, in force, superseded or abandoned."),
    )
    date = models.DateField(null=True, blank=True, help_text=_("Date of adoption, signature or of the reported draft."))
    date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,  # a text must not lose the meeting that produced it
        null=True,
        blank=True,
        related_name="declarations",
        help_text=_("The meeting that produced or discussed the text."),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,  # the chain of versions is history; break it deliberately
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text=_("The earlier text (e.g. a draft) this one replaces, where a report says so."),
    )
    summary = models.TextField(blank=True)
    summary_uk = models.TextField(
        verbose_name=_("summary (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of summary; empty: the English is shown."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["date", "slug"]
        constraints = [
            sane_date("date", "declaration"),
            models.CheckConstraint(
                condition=~Q(supersedes=models.F("id")),
                name="declaration_not_self_superseding",
                violation_error_message=_("A declaration cannot supersede itself."),
            ),
        ]

    def __str__(self):
        return self.title


class DeclarationParty(Sourced, NaturalKeyModel):
    """A party's relation to a text: signatory (with the date signed) or endorser. Kept apart
    because the Declaration of Intent was signed by three states and endorsed by none, while the
    Paris Declaration was endorsed by the coalition."""

    NATURAL_KEY = ("declaration__slug", "state__code", "role")

    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.CASCADE,
        related_name="parties",  # a signature exists only on its text
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="declaration_parties",  # keep who signed
    )
    role = models.CharField(max_length=10, choices=PartyRole.choices)
    signed_on = models.DateField(null=True, blank=True, help_text=_("Date of signature (signatories only)."))
    represented_by = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "Who signed or endorsed for the party, in the report's words; the people and posts themselves "
            "are in `representatives`."
        ),
    )
    notes = models.TextField(blank=True)

    representatives = models.ManyToManyField(
        "Post",
        blank=True,
        related_name="declaration_parties",
        help_text=_("The posts (and people) that signed or endorsed for the party, where a report names them."),
    )

    history = HistoricalRecords(m2m_fields=[representatives])

    class Meta:
        verbose_name = _("declaration party")
        ordering = ["declaration", "role", "state"]
        verbose_name_plural = _("declaration parties")
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "state", "role"],
                name="declaration_party_once",
                violation_error_message=_("This party already has this role on this text."),
            ),
            models.CheckConstraint(
                condition=Q(role=PartyRole.SIGNATORY) | Q(signed_on__isnull=True),
                name="declaration_party_only_signatories_sign",
                violation_error_message=_("Only a signatory has a signature date."),
            ),
            sane_date("signed_on", "declaration_party"),
        ]

    def __str__(self):
        return f"{self.state} ({self.get_role_display().lower()}) — {self.declaration}"


class DeclarationComponent(Sourced, NaturalKeyModel):
    """A numbered component or principle of a text: the draft's five components, the three
    principles of March 2025."""

    NATURAL_KEY = ("declaration__slug", "number")

    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.CASCADE,
        related_name="components",  # a component is part of its text
    )
    number = models.PositiveSmallIntegerField(help_text=_("Position in the text, from 1."))
    text = models.TextField(help_text=_("What the component says, in the report's words where possible."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declaration component")
        verbose_name_plural = _("declaration components")
        ordering = ["declaration", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "number"],
                name="declaration_component_number_unique",
                violation_error_message=_("This text already has a component with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="declaration_component_number_positive",
                violation_error_message=_("Components are numbered from 1."),
            ),
        ]

    def __str__(self):
        return f"{self.declaration} — {self.number}. {self.text[:60]}"
