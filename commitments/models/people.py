"""Who: the people the reports name and the posts they hold (after Popolo's Person, Post and
Membership). A post may have no known holder: "the Defense Secretary" of the UK, unnamed in the
report, is a post without a person."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import DatePrecision, RepresentativeRole
from .base import SLUG_HELP, Sourced, TimestampedModel, sane_date
from .parties import State


class Person(TimestampedModel):
    """A person the reports name: who represents a party, signs, chairs or speaks. What they are is
    in their posts; a person is named only as a report names them."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    name = models.CharField(max_length=200, help_text=_("The name as the reports give it, e.g. 'Steve Witkoff'."))
    summary = models.TextField(blank=True, help_text=_("Who they are, in the analyst's words, as the reports support."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        ordering = ["name", "slug"]
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name


class Post(Sourced, TimestampedModel):
    """A position held for a state or body, as a report words it ('Washington's envoy', 'Chief of the
    Defence Staff'), with its holder where the report names one and the dates where known. The
    quote is the phrase that names the post (and the person)."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,  # a post's holder is a fact that rests on a source: remove it deliberately
        null=True,
        blank=True,
        related_name="posts",
        help_text=_("Who holds it; blank when the report names the post but not the person."),
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,  # the party a post serves must not vanish under it
        related_name="posts",
        help_text=_("The state, organisation or grouping the post is held for."),
    )
    title = models.CharField(
        max_length=200, help_text=_("The post as the report words it: 'envoy', 'Chief of the Defence Staff'.")
    )
    role = models.CharField(
        max_length=30, choices=RepresentativeRole.choices, help_text=_("The kind of post, for filtering and counting.")
    )
    start_date = models.DateField(null=True, blank=True, help_text=_("Since when it is held, where a report says."))
    start_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    end_date = models.DateField(null=True, blank=True, help_text=_("Until when it was held, where a report says."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["state", "title", "slug"]
        constraints = [
            sane_date("start_date", "post"),
            sane_date("end_date", "post"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="post_ends_after_it_starts",
                violation_error_message=_("A post cannot end before it starts."),
            ),
        ]

    def __str__(self):
        holder = self.person.name if self.person_id else gettext("not named")
        return f"{self.title} ({self.state.code}): {holder}"
