"""The FilterSets of the facts that hang off the records: force requirements, citations, and the
status histories of pledges and instruments. Subqueries rather than joins wherever a filter looks
through a relation of several rows, so a row is listed once."""

import django_filters
from django.db.models import Q

from .. import models
from ..choices import InstrumentStatus, Status
from .core import BoundedIsoDateTimeFilter, TrackerFilterSet, state_codes


def source_keys(label: str) -> django_filters.ModelMultipleChoiceFilter:
    """Several source keys, any of them (`source=bbc&source=nyt`); filtered by `SourceKeys.filter_source`."""
    return django_filters.ModelMultipleChoiceFilter(
        field_name="source__key",  # what the values are, for the OpenAPI schema
        to_field_name="key",
        queryset=models.Source.objects.all(),
        method="filter_source",
        label=label,
    )


class SourceKeys:
    def filter_source(self, queryset, name, value: str):  # the hint types the values in the OpenAPI schema
        return queryset.filter(source__in=value) if value else queryset


class ForceRequirementFilterSet(TrackerFilterSet):
    summit = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=models.Summit.objects.all(),
        label="Given at this meeting (summit slug, e.g. `paris-summit-2025-03-27`)",
    )
    declaration = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=models.Declaration.objects.all(),
        label="Given in this text (declaration slug)",
    )
    instrument = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=models.Instrument.objects.all(),
        label="The requirement of this instrument (slug, e.g. `multinational-force`)",
    )
    q = django_filters.CharFilter(method="filter_q", label="Text search: title, slug, description")

    class Meta:
        model = models.ForceRequirement
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(slug__icontains=value) | Q(description__icontains=value))


class CitationFilterSet(SourceKeys, TrackerFilterSet):
    record = django_filters.MultipleChoiceFilter(
        choices=[(target, target.replace("_", " ")) for target in models.Citation.TARGETS],
        method="filter_record",
        label="The kind of record cited for: summit, declaration, pledge, force_requirement, instrument "
        "(repeat for any of several)",
    )
    source = source_keys("Quoted from this source (its key; repeat for any of several)")
    summit = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Summit.objects.all(), label="Supports this meeting (summit slug)"
    )
    declaration = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Declaration.objects.all(), label="Supports this text (declaration slug)"
    )
    pledge = django_filters.ModelChoiceFilter(queryset=models.Pledge.objects.all(), label="Supports this pledge (id)")
    force_requirement = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=models.ForceRequirement.objects.all(),
        label="Supports this force requirement (slug)",
    )
    instrument = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Instrument.objects.all(), label="Supports this instrument (slug)"
    )
    field = django_filters.CharFilter(
        label="Supports this field of its record (e.g. `amount`, `troops_max`); a citation of the whole record has none"
    )
    q = django_filters.CharFilter(method="filter_q", label="Text search: quote, attribution, source title")

    class Meta:
        model = models.Citation
        fields = []

    def filter_record(self, queryset, name, value):
        if not value:
            return queryset
        cited = Q()
        for target in value:
            cited |= Q(**{f"{target}__isnull": False})
        return queryset.filter(cited)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(quote__icontains=value) | Q(attribution__icontains=value) | Q(source__title__icontains=value)
        )


class StatusChangeFilters(SourceKeys, TrackerFilterSet):
    """What both status histories filter on: when a change took effect, when it was recorded, to
    and from which status, on which source. Subclasses declare `status` and `from_status` with
    their own choices."""

    effective = django_filters.DateFromToRangeFilter(
        field_name="effective_date",
        label="Took effect between (effective_after/_before, YYYY-MM-DD, both days included)",
    )
    recorded_since = BoundedIsoDateTimeFilter(
        field_name="recorded_at",
        lookup_expr="gte",
        label="Entered in the tracker at or after this ISO 8601 time (e.g. `2026-01-06T12:00:00Z`)",
    )
    source = source_keys("Reported by this source (its key; repeat for any of several)")


class StatusChangeFilterSet(StatusChangeFilters):
    pledge = django_filters.ModelChoiceFilter(
        queryset=models.Pledge.objects.all(), label="The history of this pledge (id)"
    )
    state = state_codes(
        "Changes of the pledges this party made, alone or jointly (state code; repeat for any of several)",
        "pledge__pledgers__code",
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="to_status",
        choices=Status.choices,
        label="Moved to this status (e.g. `committed`; repeat for several)",
    )
    from_status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label="Moved from this status (repeat for several)"
    )

    class Meta:
        model = models.StatusChange
        fields = []

    def filter_state(self, queryset, name, value: str):  # the hint types the values in the OpenAPI schema
        if not value:
            return queryset
        pledged = models.Pledge.pledgers.through.objects.filter(state__in=value).values("pledge_id")
        return queryset.filter(pledge__in=pledged)


class InstrumentStatusChangeFilterSet(StatusChangeFilters):
    instrument = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=models.Instrument.objects.all(),
        label="The history of this instrument (slug, e.g. `multinational-force`)",
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="to_status",
        choices=InstrumentStatus.choices,
        label="Moved to this status (e.g. `agreed`; repeat for several)",
    )
    from_status = django_filters.MultipleChoiceFilter(
        choices=InstrumentStatus.choices, label="Moved from this status (repeat for several)"
    )

    class Meta:
        model = models.InstrumentStatusChange
        fields = []
