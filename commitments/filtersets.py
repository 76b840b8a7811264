"""One FilterSet per model, shared by the API, the CSV exports and the public pages.

An unknown choice, an unknown state code or a malformed date makes the filter form invalid; the
API turns that into HTTP 400 with the field's message, never an empty or unfiltered result."""

import django_filters
from django.db.models import Q

from . import models
from .choices import (
    Category,
    Condition,
    ConditionState,
    DeclarationKind,
    DeclarationStatus,
    StateKind,
    Status,
    SummitKind,
)


class PledgeFilterSet(django_filters.FilterSet):
    state = django_filters.ModelMultipleChoiceFilter(
        # A multiple-choice filter filters on field_name=<to_field value>, so it must name the code.
        field_name="pledgers__code",
        to_field_name="code",
        queryset=models.State.objects.all(),
        distinct=True,
        label="State code, as sole or joint pledger (repeat for several: any of them)",
    )
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label="Category (repeat for several)")
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label="Status (repeat for several)")
    open = django_filters.BooleanFilter(method="filter_open", label="Open (true) or final (false) statuses")
    condition = django_filters.MultipleChoiceFilter(choices=Condition.choices)
    condition_state = django_filters.MultipleChoiceFilter(choices=ConditionState.choices)
    summit = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Summit.objects.all(), label="Summit slug"
    )
    declaration = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Declaration.objects.all(), label="Declaration slug"
    )
    status_changed = django_filters.DateFromToRangeFilter(
        field_name="status_changed_on", label="Current status took effect between (status_changed_after/_before)"
    )
    value_date = django_filters.DateFromToRangeFilter(label="Money value date between (value_date_after/_before)")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after this ISO 8601 time"
    )
    top_level = django_filters.BooleanFilter(
        field_name="part_of", lookup_expr="isnull", label="Only pledges that count in totals (not shares)"
    )
    q = django_filters.CharFilter(method="filter_q", label="Text search: title, description, pledgers, sources")
    ordering = django_filters.OrderingFilter(
        fields=("id", "updated_at", "status_changed_on", "title", "category", "status", "amount_eur", "troops_max"),
    )

    class Meta:
        model = models.Pledge
        fields = []

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.final()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matches = models.Pledge.objects.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(quantity_text__icontains=value)
            | Q(pledgers__name__icontains=value)
            | Q(pledgers__code__iexact=value)
            | Q(citations__quote__icontains=value)
            | Q(citations__source__title__icontains=value)
            | Q(citations__source__publisher__icontains=value)
        )
        # A subquery keeps the outer query free of joins (and duplicates) whatever matched.
        return queryset.filter(pk__in=matches.values("pk"))


class StateFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=StateKind.choices)
    q = django_filters.CharFilter(method="filter_q", label="Name or code")

    class Meta:
        model = models.State
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value.strip()))


class SummitFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=SummitKind.choices)
    date = django_filters.DateFromToRangeFilter(label="Date between (date_after/_before)")
    state = django_filters.ModelChoiceFilter(
        field_name="attendances__state",
        to_field_name="code",
        queryset=models.State.objects.all(),
        distinct=True,
        label="Attended by (state code)",
    )
    q = django_filters.CharFilter(method="filter_q", label="Title or city")

    class Meta:
        model = models.Summit
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(city__icontains=value))


class DeclarationFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=DeclarationKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=DeclarationStatus.choices)
    date = django_filters.DateFromToRangeFilter(label="Date between (date_after/_before)")
    summit = django_filters.ModelChoiceFilter(to_field_name="slug", queryset=models.Summit.objects.all())
    state = django_filters.ModelChoiceFilter(
        field_name="parties__state",
        to_field_name="code",
        queryset=models.State.objects.all(),
        distinct=True,
        label="Signed or endorsed by (state code)",
    )
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title")

    class Meta:
        model = models.Declaration
        fields = []


class SourceFilterSet(django_filters.FilterSet):
    published = django_filters.DateFromToRangeFilter(field_name="published_on")
    q = django_filters.CharFilter(method="filter_q", label="Title or publisher")

    class Meta:
        model = models.Source
        fields = ["kind"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(publisher__icontains=value))
