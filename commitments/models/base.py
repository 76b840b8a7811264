"""Shared building blocks: natural keys, date sanity, sources and the sourced-fact mixin."""

import datetime
import re
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import bounds
from ..choices import (
    DatePrecision,
    SourceKind,
)

# Dates before Ukraine's independence or far in the future are typing mistakes, not facts.
EARLIEST_DATE = datetime.date(1991, 8, 24)
LATEST_DATE = datetime.date(2100, 12, 31)
MAX_QUOTE_WORDS = 25
SLUG_HELP = _("Stable identifier used by fixtures, URLs and imports (lower-case letters, digits, hyphens).")
# A date in a message, in the active language: "24 August 1991", "24 серпня 1991".
LONG_DATE = "d E Y"


def long_date(value: datetime.date) -> str:
    return formats.date_format(value, LONG_DATE)


def _interpolate(message, values: dict) -> str:
    return str(message) % {name: str(value) if isinstance(value, Promise) else value for name, value in values.items()}


# A message with named placeholders, translated and filled in when it is shown (not at import):
# for messages built at module level (constraints' messages, help texts with a number in them).
lazy_format = lazy(_interpolate, str)
lazy_long_date = lazy(long_date, str)

# The names of the dated fields, as the date-bounds messages give them.
DATE_FIELD_LABELS = {
    "published_on": _("Published on"),
    "value_date": _("Value date"),
    "status_changed_on": _("Status changed on"),
    "date": _("Date"),
    "signed_on": _("Signed on"),
    "made_on": _("Made on"),
    "end_date": _("End date"),
    "start_date": _("Start date"),
    "effective_date": _("Effective date"),
}


def sane_date(field: str, model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": EARLIEST_DATE, f"{field}__lte": LATEST_DATE}),
        name=f"{model}_{field}_sane",
        violation_error_message=lazy_format(
            _("%(field)s must lie between %(earliest)s and %(latest)s."),
            {
                "field": DATE_FIELD_LABELS.get(field, field.replace("_", " ").capitalize()),
                "earliest": lazy_long_date(EARLIEST_DATE),
                "latest": lazy_long_date(LATEST_DATE),
            },
        ),
    )


def in_language(record, field: str, language: str | None = None) -> str:
    """A record's `field` in `language` (the active language by default): its Ukrainian version
    `<field>_uk` when the language is Ukrainian and the version is not empty, else the English
    (the register's own text; the Ukrainian one is an optional translation of it)."""
    language = language or translation.get_language() or ""
    english = getattr(record, field)
    if language.split("-")[0].lower() == "uk":
        return getattr(record, f"{field}_uk", "") or english
    return english


def quote_words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def new_key() -> str:
    return uuid.uuid4().hex


class NaturalKeyManager(models.Manager):
    """Looks records up by the fields named in the model's `NATURAL_KEY`, so fixtures carry
    no database ids and loading them twice updates rather than duplicates."""

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.model.NATURAL_KEY, values, strict=True)))


class NaturalKeyModel(models.Model):
    NATURAL_KEY: tuple[str, ...] = ()

    objects = NaturalKeyManager()

    class Meta:
        abstract = True

    def in_language(self, field: str, language: str | None = None) -> str:
        """`field` in the active language (or `language`): see `in_language`."""
        return in_language(self, field, language)

    def clean_fields(self, exclude=None):
        """The fields' own checks, and the bounds every input is held to (commitments.bounds):
        no NUL in text, a real UTC offset on times — whichever path the values came by."""
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.error_dict
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            value = getattr(self, field.attname)
            try:
                if isinstance(value, str):
                    bounds.check_text(value)
                elif isinstance(value, datetime.datetime):
                    bounds.check_time(value)
            except ValidationError as exc:
                errors[field.name] = exc.error_list
        if errors:
            raise ValidationError(errors)

    def natural_key(self):
        values = []
        for path in self.NATURAL_KEY:
            value = self
            for part in path.split("__"):
                value = getattr(value, part)
            values.append(value)
        return tuple(values)


class TimestampedModel(NaturalKeyModel):
    """A record whose creation and last change times clients sync on. Set in save(), not with
    auto_now, so fixtures loaded raw keep the times they carry and loading twice changes nothing."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not kwargs.get("raw"):
            self.updated_at = timezone.now()
        super().save(*args, **kwargs)


# --------------------------------------------------------------------------------------------
# Sources


class Source(NaturalKeyModel):
    """A document that states facts: a news report, an official communiqué, a declaration's text.

    The seed reports are secondary sources; the tracker does not store their full text, only the
    file name, so a quoted phrase can be checked against the file (`manage.py check_data`). Where
    a document may be kept whole (an official text), its `text` lets every quote be checked."""

    NATURAL_KEY = ("key",)

    key = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    title = models.CharField(max_length=300, help_text=_("The document's headline or title, as published."))
    publisher = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who published it (outlet or institution). Blank when the document does not say."),
    )
    relays = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Outlets the report itself cites for its facts, e.g. 'Radio Liberty'."),
    )
    published_on = models.DateField(null=True, blank=True, help_text=_("Publication date; blank if unknown."))
    published_precision = models.CharField(
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How much of the publication date is known."),
    )
    date_basis = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Where the publication date comes from when the document does not print it."),
    )
    url = models.URLField(max_length=500, blank=True, help_text=_("Public address of the document."))
    seed_file = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("File name of the seed report in the shared seeds folder, when the fact was loaded from one."),
    )
    kind = models.CharField(
        max_length=10,
        choices=SourceKind.choices,
        default=SourceKind.SECONDARY,
        help_text=_("Primary: the document itself; secondary: a report about it."),
    )
    text = models.TextField(
        blank=True,
        help_text=_(
            "The document's full text, where it may be kept (official texts); every quote from it is "
            "checked against it. Blank for news reports, which are cited, not copied."
        ),
    )
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["published_on", "key"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(seed_file=""),
                name="source_has_location",
                violation_error_message=_("A source needs a URL or a seed file name, so a reader can find it."),
            ),
            sane_date("published_on", "source"),
        ]

    def __str__(self):
        who = self.publisher or gettext("publisher not stated")
        return gettext("%(title)s (%(publisher)s)") % {"title": self.title, "publisher": who}


class Sourced(models.Model):
    """A fact tied to the document that states it, with the phrase that states it."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,  # a source may not disappear while a fact still rests on it
        help_text=_("The document that states this fact."),
    )
    quote = models.TextField(
        blank=True,
        help_text=lazy_format(
            _("The phrase of the source that states the fact, at most %(words)s words, verbatim."),
            {"words": MAX_QUOTE_WORDS},
        ),
    )
    attribution = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who the source says made the statement, e.g. 'Emmanuel Macron, via The Guardian'."),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if quote_words(self.quote) > MAX_QUOTE_WORDS:
            raise ValidationError(
                {
                    "quote": gettext("Quote at most %(most)s words; this one has %(words)s.")
                    % {"most": MAX_QUOTE_WORDS, "words": quote_words(self.quote)}
                }
            )
