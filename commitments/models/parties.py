"""Who pledges, signs and attends."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    StateKind,
)
from .base import (
    NaturalKeyModel,
)


class State(NaturalKeyModel):
    """A party that pledges, signs or attends: a sovereign state (ISO 3166-1 alpha-2 code), an
    international organisation such as the European Commission, or an informal grouping such as
    the Coalition of the Willing when a report credits the group rather than named members."""

    NATURAL_KEY = ("code",)

    code = models.CharField(
        max_length=12,
        unique=True,
        help_text=_("ISO 3166-1 alpha-2 code for a state (FR, GB, UA); a short upper-case code otherwise (EC, COW)."),
    )
    name = models.CharField(max_length=120, unique=True, help_text=_("Common English name."))
    name_uk = models.CharField(
        max_length=120,
        verbose_name=_("name (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of name; empty: the English is shown."),
    )
    kind = models.CharField(
        max_length=30,
        choices=StateKind.choices,
        default=StateKind.SOVEREIGN_STATE,
        help_text=_("Sovereign state, international organisation, or informal grouping."),
    )
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("state")
        verbose_name_plural = _("states")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=StateKind.SOVEREIGN_STATE) | Q(code__regex=r"^[A-Z]{2}$"),
                name="state_iso_code",
                violation_error_message=_("A sovereign state's code is its two-letter ISO 3166-1 code, e.g. FR."),
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z0-9-]{1,11}$"),
                name="state_code_format",
                violation_error_message=_("A code is upper-case letters, digits and hyphens, e.g. EC or NATO."),
            ),
        ]

    def __str__(self):
        return self.name
