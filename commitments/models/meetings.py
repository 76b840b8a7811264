"""Where guarantees were discussed: meetings, who attended, and how many each source counted."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    AttendanceStatus,
    CountedThing,
    CountQualifier,
    DatePrecision,
    RepresentativeRole,
    SummitKind,
    SummitStatus,
)
from .base import (
    SLUG_HELP,
    NaturalKeyModel,
    Sourced,
    TimestampedModel,
    sane_date,
)
from .parties import State


class Summit(TimestampedModel):
    """A meeting at which guarantees were discussed: a leaders' summit, a defence contact group,
    a meeting of military planners. Dates are stored with the precision the reports give."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    title = models.CharField(
        max_length=200, help_text=_("Descriptive name, e.g. 'Coalition of the Willing leaders' summit, Paris'.")
    )
    title_uk = models.CharField(
        max_length=200,
        verbose_name=_("title (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of title; empty: the English is shown."),
    )
    kind = models.CharField(max_length=30, choices=SummitKind.choices, help_text=_("What sort of meeting."))
    status = models.CharField(
        max_length=10,
        choices=SummitStatus.choices,
        default=SummitStatus.HELD,
        help_text=_("Planned when the reports announce it for later; held once it took place."),
    )
    city = models.CharField(max_length=100, blank=True, help_text=_("Where it met; blank if no report says."))
    hosts = models.ManyToManyField(
        State,
        blank=True,
        related_name="hosted_summits",
        help_text=_(
            "The party that hosted the meeting: it took place at its invitation or on its territory, as a "
            "report says (co-hosts allowed). Not its chair or organiser, which have their own fields."
        ),
    )
    chairs = models.ManyToManyField(
        State,
        blank=True,
        related_name="chaired_summits",
        help_text=_(
            "The party whose representative chairs (or, for a planned meeting, is to chair) the meeting, "
            "as a report says ('the Defense Secretary will chair'). Chairing is not hosting."
        ),
    )
    organisers = models.ManyToManyField(
        State,
        blank=True,
        related_name="organised_summits",
        help_text=_(
            "The party a report says organised or convened the meeting ('organised by Macron and Starmer'). "
            "Organising is not hosting: the meeting may take place elsewhere."
        ),
    )
    date = models.DateField(help_text=_("First day of the meeting, or the first day of the period it is known to."))
    date_precision = models.CharField(
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How much of the date is known: 'earlier this month' is month precision."),
    )
    end_date = models.DateField(null=True, blank=True, help_text=_("Last day, for meetings over several days."))
    sequence_number = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        unique=True,
        help_text=_("The meeting's number in the coalition's series where a report gives it ('the 15th')."),
    )
    summary = models.TextField(blank=True, help_text=_("What was discussed, in the analyst's words."))
    summary_uk = models.TextField(
        verbose_name=_("summary (Ukrainian)"),
        blank=True,
        default="",
        help_text=_("Ukrainian version of summary; empty: the English is shown."),
    )

    chaired_by = models.ManyToManyField(
        "Post",
        blank=True,
        related_name="chaired_summits",
        help_text=_("The posts (and people) that chaired it, where a report says: 'the Defense Secretary will chair'."),
    )

    history = HistoricalRecords(m2m_fields=[hosts, chairs, organisers, chaired_by])

    class Meta:
        verbose_name = _("summit")
        verbose_name_plural = _("summits")
        ordering = ["date", "slug"]
        constraints = [
            sane_date("date", "summit"),
            sane_date("end_date", "summit"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("date")),
                name="summit_end_after_start",
                violation_error_message=_("A meeting cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title


class Attendance(Sourced, NaturalKeyModel):
    """One party's presence at (or reported absence from) a meeting, and who represented it."""

    NATURAL_KEY = ("summit__slug", "state__code")

    summit = models.ForeignKey(
        Summit,
        on_delete=models.CASCADE,
        related_name="attendances",  # attendance means nothing without its meeting
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="attendances",  # removing a state must not erase who attended
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.ATTENDED)
    represented_by = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "The representatives in the report's words, e.g. 'Washington's envoy Steve Witkoff'; the people "
            "and posts themselves are in `representatives`."
        ),
    )
    role = models.CharField(
        max_length=30,
        choices=RepresentativeRole.choices,
        blank=True,
        help_text=_("In what capacity they attended: the US sent envoys, not its president."),
    )

    representatives = models.ManyToManyField(
        "Post",
        blank=True,
        related_name="attendances",
        help_text=_("The posts (and people) that represented the party, as the report names them."),
    )

    history = HistoricalRecords(m2m_fields=[representatives])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["summit", "state"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "state"],
                name="attendance_once_per_summit",
                violation_error_message=_("This party is already recorded for this meeting."),
            ),
        ]

    def __str__(self):
        return gettext("%(state)s at %(summit)s") % {"state": self.state, "summit": self.summit}


class AttendanceReport(Sourced, NaturalKeyModel):
    """A head count of a meeting as one source gives it. Sources disagree (35, 'more than 30',
    27), so each count is kept with its own source and none overwrites another."""

    NATURAL_KEY = ("summit__slug", "source__key", "counted")

    summit = models.ForeignKey(
        Summit,
        on_delete=models.CASCADE,
        related_name="attendance_reports",  # a count of a meeting goes with it
    )
    counted = models.CharField(max_length=12, choices=CountedThing.choices, help_text=_("What is counted."))
    qualifier = models.CharField(
        max_length=10,
        choices=CountQualifier.choices,
        default=CountQualifier.EXACT,
        help_text=_("How the source phrased it: exactly, more than, nearly, about."),
    )
    value = models.PositiveIntegerField(help_text=_("The number the source gives."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance report")
        verbose_name_plural = _("attendance reports")
        ordering = ["summit", "counted", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "source", "counted"],
                name="attendance_report_once_per_source",
                violation_error_message=_("This source's count of this is already recorded for the meeting."),
            ),
        ]

    def __str__(self):
        return f"{self.get_qualifier_display()} {self.value} {self.get_counted_display().lower()}"
