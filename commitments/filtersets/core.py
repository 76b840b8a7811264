"""The FilterSets of the register's records (pledges, parties, meetings, texts, sources, and the
guarantees' architecture) and the building blocks every FilterSet of the package shares.

An unknown choice, an unknown state code or a malformed date makes the filter form invalid; the
API turns that into HTTP 400 with the field's message, keyed by the parameter the client sent
(`TrackerFilterSet.errors`), never an empty or unfiltered result."""

import copy
from typing import ClassVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.utils.translation import gettext
from django_filters.widgets import SuffixedMultiWidget

from .. import bounds, models
from ..choices import (
    FINAL_STATUSES,
    AttendanceStatus,
    Category,
    Condition,
    ConditionState,
    DeclarationKind,
    DeclarationStatus,
    InstrumentKind,
    InstrumentRole,
    InstrumentStatus,
    PartyRole,
    RepresentativeRole,
    Stance,
    StateKind,
    Status,
    SummitKind,
)


class NulSafeForm(forms.Form):
    """Refuses NUL characters in any parameter before a field looks them up: PostgreSQL cannot
    store or compare them, so a lookup such as `summit=\\x00` would otherwise fail in the database
    rather than as a validation error. Refuses, too, a parameter given twice that takes one value
    (`ordering=-category&ordering=id`): the form would read the last and silently drop the rest."""

    def single_valued_names(self) -> set[str]:
        """The parameters that take one value: every field's but the multiple-choice ones'; a
        range (`date`) reads two parameters (`date_after`, `date_before`), each one value."""
        names = set()
        for name, field in self.fields.items():
            if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                continue
            suffixes = getattr(field.widget, "suffixes", None) or [""]
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        return names

    def full_clean(self):
        data = self.data
        pairs = list(data.lists() if hasattr(data, "lists") else ((key, [value]) for key, value in data.items()))
        messages = {
            name: "Null characters are not allowed."
            for name, values in pairs
            if any("\x00" in str(value) for value in values)
        }
        single = self.single_valued_names()
        for name, values in pairs:
            if name in single and len(values) > 1 and name not in messages:
                messages[name] = f"Give {name} once: it takes one value ({len(values)} were given)."
        if not messages:
            super().full_clean()
            return
        self._errors = ErrorDict()
        self.cleaned_data = {}
        for name in sorted(messages):
            self._errors[name] = self.error_class([messages[name]])


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error rather than django's silent 'unknown'."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return None if value == "" else value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(gettext("Use true or false."), code="invalid") from None

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)  # the default select widget drops unknown values
        super().__init__(*args, **kwargs)


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time held to the register's bounds (`bounds.check_time`): a UTC offset the
    database can compare (PostgreSQL refuses ±16:00), in the words the API's fields and the
    import use."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None:
            try:
                bounds.check_time(moment)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages, code=exc.code) from None
        return moment


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class CodesField(django_filters.fields.ModelMultipleChoiceField):
    """Several state codes, in any case (`state=us` is `state=US`: every stored code is upper case,
    by the `state_code_format` constraint); an empty value (`state=`) means no filter, as for the
    other parameters."""

    def clean(self, value):
        return super().clean([str(item).upper() for item in value or [] if item not in ("", None)])


class CodesFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = CodesField


def state_codes(label: str, field_name: str = "state__code") -> CodesFilter:
    """Several state codes, any of them (`state=US&state=GB`), in any case; filtered by the
    FilterSet's `filter_state`."""
    return CodesFilter(
        field_name=field_name,  # what the values are, for the OpenAPI schema
        to_field_name="code",
        queryset=models.State.objects.all(),
        method="filter_state",
        label=label,
    )


class OneFieldOrderingFilter(django_filters.OrderingFilter):
    """`ordering=<field>` or `-<field>`: one field, as the API's pages order (by one field, id
    breaking ties); `ordering=title,id` is refused with a 400 rather than read differently by the
    pages, the exports and the API."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        class OneField(self.field_class):
            def clean(self, value):
                value = super().clean(value)
                if value and len(value) > 1:
                    raise forms.ValidationError(
                        gettext("Order by one field at a time; id always breaks ties."), code="invalid"
                    )
                return value

        self.field_class = OneField


class TrackerFilterSet(django_filters.FilterSet):
    """Base of the tracker's FilterSets: the forms refuse NUL characters (see NulSafeForm), and
    errors name the parameters the client sent (see `errors`)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter deep-copies every declared filter for each FilterSet, querysets, choices
        # and form fields included (about 1 ms of each API page). What a filter holds for one
        # request is its `model` and `parent`, the `extra` its form field is made from (a
        # queryset filter writes its queryset there), the form field made from it, and for a
        # `method` filter the FilterMethod that finds the method on its parent: a shallow copy
        # given its own of each is as independent of other requests as the deep copy, and the
        # declared filters are left as they are.
        self.base_filters = {}  # what FilterSet.__init__ deep-copies: nothing
        super().__init__(data, queryset, request=request, prefix=prefix)
        del self.base_filters  # the class's again
        self.filters = {name: self.own_copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = self.queryset.model
            filter_.parent = self

    @staticmethod
    def own_copy(declared: django_filters.Filter) -> django_filters.Filter:
        copied = copy.copy(declared)
        copied.extra = dict(declared.extra)
        copied.__dict__.pop("_field", None)  # made again, from this copy's own extra
        if declared.method is not None:
            copied.method = declared.method  # a FilterMethod bound to the copy, not the declared filter
        return copied

    # The form class of each FilterSet class and model, made once. django-filter makes it anew for
    # each FilterSet, one form field per filter and two classes (about 1.5 ms of an API page);
    # the fields are made from what every copy of a filter shares (its `extra`, label, choices:
    # no queryset here depends on the request), and each form deep-copies them from the class,
    # so no form shares a field with another.
    form_classes: ClassVar[dict] = {}

    def get_form_class(self):
        key = (type(self), self.queryset.model)
        form_class = TrackerFilterSet.form_classes.get(key)
        if form_class is None:
            made = super().get_form_class()
            form_class = TrackerFilterSet.form_classes[key] = type(made.__name__, (NulSafeForm, made), {})
        return form_class

    @property
    def errors(self) -> ErrorDict:
        """The form's errors, keyed by the query parameters the client sent. A range filter is one
        form field (`value_date`) read from two parameters (`value_date_after`, `value_date_before`;
        `amount_min`, `amount_max` for a numeric range); its error goes under the parameter whose
        value is wrong, as the API, the exports and the export commands report it. (The public
        pages render the form itself, whose errors stay on its fields.)"""
        form = self.form
        errors = ErrorDict()
        for name, messages in form.errors.items():
            field = form.fields.get(name)
            widget = getattr(field, "widget", None)
            if not isinstance(widget, SuffixedMultiWidget):
                errors[name] = messages
                continue
            params = [widget.suffixed(name, suffix) for suffix in widget.suffixes]
            for param, subfield in zip(params, field.fields, strict=True):
                try:
                    subfield.clean(form.data.get(param))
                except ValidationError as exc:
                    errors.setdefault(param, form.error_class()).extend(exc.error_list)
            if not any(param in errors for param in params):
                # A rule over the range as a whole: under each of its parameters the client sent.
                for param in [param for param in params if param in form.data] or [name]:
                    errors[param] = messages
        return errors


class StatusHistoryFilterSet(TrackerFilterSet):
    """Filters of a record with a status history (pledges, instruments): with `as_of`, each record
    carries its status as it stood on that date (`StatusHistoryQuerySet.as_of`), and the status
    filters read that past status. Subclasses declare `as_of` and `status` with their own words."""

    def filter_queryset(self, queryset):
        # as_of first: the status filters then read the status as it stood on that date.
        as_of = self.form.cleaned_data.get("as_of")
        if as_of:
            queryset = queryset.as_of(as_of)
        return super().filter_queryset(queryset)

    def _status_field(self) -> str:
        return "as_of_status" if self.form.cleaned_data.get("as_of") else "status"

    def filter_as_of(self, queryset, name, value):
        return queryset  # applied in filter_queryset, before the filters that depend on it

    def filter_status(self, queryset, name, value):
        return queryset.filter(**{f"{self._status_field()}__in": value}) if value else queryset

    def filter_status_changed(self, queryset, name, value):
        field = "as_of_status_changed_on" if self.form.cleaned_data.get("as_of") else "status_changed_on"
        if value.start is not None:
            queryset = queryset.filter(**{f"{field}__gte": value.start})
        if value.stop is not None:
            queryset = queryset.filter(**{f"{field}__lte": value.stop})
        return queryset


class StateRoleFilters:
    """`state` and `role` over a record's links to parties (an instrument's parties, a person's
    posts): the records with a link for one of the states, in one of the roles; with both, one
    link must match both. Subclasses give `links()` (the link rows) and `link_to` (the link's
    column naming the record). Subqueries rather than joins: a record is listed once however many
    of its links match."""

    link_to = ""

    def links(self):
        raise NotImplementedError

    def _role_links(self):
        roles = self.form.cleaned_data.get("role")
        return self.links().filter(role__in=roles) if roles else self.links()

    def filter_state(self, queryset, name, value: str):  # the hint types the values in the OpenAPI schema
        if not value:
            return queryset
        return queryset.filter(pk__in=self._role_links().filter(state__in=value).values(self.link_to))

    def filter_role(self, queryset, name, value):
        if not value or self.form.cleaned_data.get("state"):
            return queryset  # with `state`, filter_state applies the roles to those links
        return queryset.filter(pk__in=self._role_links().values(self.link_to))


class PledgeFilterSet(StatusHistoryFilterSet):
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        label="Status as it stood on this date (YYYY-MM-DD); pledges not yet made then are left out",
    )
    state = CodesFilter(
        field_name="pledgers__code",  # what the values are, for the OpenAPI schema; filter_state filters
        to_field_name="code",
        queryset=models.State.objects.all(),
        method="filter_state",
        label="State code, as sole or joint pledger (repeat for several: any of them)",
    )
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label="Category (repeat for several)")
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, method="filter_status", label="Status (repeat for several); the as-of status with as_of"
    )
    open = StrictBooleanFilter(method="filter_open", label="Open (true) or final (false) statuses")
    condition = django_filters.MultipleChoiceFilter(choices=Condition.choices)
    condition_state = django_filters.MultipleChoiceFilter(choices=ConditionState.choices)
    summit = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Summit.objects.all(), label="Summit slug"
    )
    declaration = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Declaration.objects.all(), label="Declaration slug"
    )
    instrument = django_filters.ModelChoiceFilter(
        field_name="contributes_to",
        to_field_name="slug",
        queryset=models.Instrument.objects.all(),
        label="Instrument slug: the pledges that contribute to it",
    )
    status_changed = django_filters.DateFromToRangeFilter(
        field_name="status_changed_on",
        method="filter_status_changed",
        label="Current status took effect between (status_changed_after/_before)",
    )
    value_date = django_filters.DateFromToRangeFilter(label="Money value date between (value_date_after/_before)")
    updated_since = BoundedIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after this ISO 8601 time"
    )
    top_level = StrictBooleanFilter(
        field_name="part_of", lookup_expr="isnull", label="Only pledges that count in totals (not shares)"
    )
    q = django_filters.CharFilter(method="filter_q", label="Text search: title, description, pledgers, sources")
    ordering = OneFieldOrderingFilter(
        label="Order by this field, `-` before it for descending (one field; id always breaks ties)",
        fields=("id", "updated_at", "status_changed_on", "title", "category", "status", "amount_eur", "troops_max"),
    )

    class Meta:
        model = models.Pledge
        fields = []

    def filter_state(self, queryset, name, value: str):  # the hint types the values in the OpenAPI schema
        # A subquery rather than a join: no duplicate rows for joint pledges, so no DISTINCT.
        pledged = models.Pledge.pledgers.through.objects.filter(state__in=value).values("pledge_id")
        return queryset.filter(pk__in=pledged) if value else queryset

    def filter_open(self, queryset, name, value):
        lookup = {f"{self._status_field()}__in": FINAL_STATUSES}
        return queryset.exclude(**lookup) if value else queryset.filter(**lookup)

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


class StateFilterSet(TrackerFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=StateKind.choices)
    q = django_filters.CharFilter(method="filter_q", label="Name or code")

    class Meta:
        model = models.State
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value.strip()))


class SummitFilterSet(TrackerFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=SummitKind.choices)
    date = django_filters.DateFromToRangeFilter(label="Date between (date_after/_before)")
    state = state_codes(
        "Attended by this party (state code, e.g. `US`; repeat for any of several); with `attendance=absent`, "
        "reported absent from",
        "attendances__state__code",
    )
    attendance = django_filters.ChoiceFilter(
        choices=AttendanceStatus.choices,
        method="filter_attendance",
        label="With `state`: `attended` (the default) or `absent` (the meetings the party was reported absent "
        "from); alone: the meetings with a party recorded so",
    )
    q = django_filters.CharFilter(method="filter_q", label="Title or city")

    class Meta:
        model = models.Summit
        fields = []

    def _attendances(self, status=None):
        status = status or self.form.cleaned_data.get("attendance") or AttendanceStatus.ATTENDED
        return models.Attendance.objects.filter(status=status)

    def filter_state(self, queryset, name, value: str):  # the hint types the values in the OpenAPI schema
        # An absence is recorded as an attendance row too (status `absent`): `state` reads the status,
        # attended unless `attendance=absent` is asked. A subquery: a meeting is listed once.
        if not value:
            return queryset
        return queryset.filter(pk__in=self._attendances().filter(state__in=value).values("summit_id"))

    def filter_attendance(self, queryset, name, value):
        if not value or self.form.cleaned_data.get("state"):
            return queryset  # with `state`, filter_state reads the status
        return queryset.filter(pk__in=self._attendances(value).values("summit_id"))

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(city__icontains=value))


class DeclarationFilterSet(StateRoleFilters, TrackerFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=DeclarationKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=DeclarationStatus.choices)
    date = django_filters.DateFromToRangeFilter(label="Date between (date_after/_before)")
    summit = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Summit.objects.all(), label="Produced by this summit (slug)"
    )
    state = state_codes(
        "Signed or endorsed by this party (state code; repeat for any of several); with `role`, in that role",
        "parties__state__code",
    )
    role = django_filters.MultipleChoiceFilter(
        choices=PartyRole.choices,
        method="filter_role",
        label="Has a party in this role (signatory, endorser); with `state`, that party's role (repeat for several)",
    )
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title")

    link_to = "declaration_id"

    class Meta:
        model = models.Declaration
        fields = []

    def links(self):
        return models.DeclarationParty.objects.all()


class SourceFilterSet(TrackerFilterSet):
    published = django_filters.DateFromToRangeFilter(
        field_name="published_on", label="Published between (published_after/_before)"
    )
    q = django_filters.CharFilter(method="filter_q", label="Title or publisher")

    class Meta:
        model = models.Source
        fields = ["kind"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(publisher__icontains=value))


# --------------------------------------------------------------------------------------------
# The guarantees' architecture: instruments, people and their posts, statements


class InstrumentFilterSet(StateRoleFilters, StatusHistoryFilterSet):
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        label="Status as it stood on this date (YYYY-MM-DD); instruments with no status change by then are left out",
    )
    kind = django_filters.MultipleChoiceFilter(choices=InstrumentKind.choices, label="Kind (repeat for several)")
    status = django_filters.MultipleChoiceFilter(
        choices=InstrumentStatus.choices,
        method="filter_status",
        label="Status (repeat for several); the as-of status with as_of",
    )
    state = state_codes("A party to it (state code), in any role or in those given by `role` (repeat for several)")
    role = django_filters.MultipleChoiceFilter(
        choices=InstrumentRole.choices,
        method="filter_role",
        label="Has a party in this role (lead, participant, …); with `state`, that party's role (repeat for several)",
    )
    q = django_filters.CharFilter(method="filter_q", label="Text search: name, slug, mandate, summary")

    link_to = "instrument_id"

    class Meta:
        model = models.Instrument
        fields = []

    def links(self):
        return models.InstrumentParty.objects.all()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(slug__icontains=value)
            | Q(mandate__icontains=value)
            | Q(summary__icontains=value)
        )


class PersonFilterSet(StateRoleFilters, TrackerFilterSet):
    state = state_codes("Holds or held a post for this state (code; repeat for several)", "posts__state__code")
    role = django_filters.MultipleChoiceFilter(
        choices=RepresentativeRole.choices,
        method="filter_role",
        label="Holds or held a post of this kind; with `state`, one held for that state (repeat for several)",
    )
    q = django_filters.CharFilter(method="filter_q", label="Text search: name, slug, summary, post titles")

    link_to = "person_id"

    class Meta:
        model = models.Person
        fields = []

    def links(self):
        return models.Post.objects.filter(person__isnull=False)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        titled = models.Post.objects.filter(title__icontains=value, person__isnull=False).values("person_id")
        return queryset.filter(
            Q(name__icontains=value) | Q(slug__icontains=value) | Q(summary__icontains=value) | Q(pk__in=titled)
        )


class PostFilterSet(TrackerFilterSet):
    state = state_codes("Held for this state (code; repeat for several)")
    role = django_filters.MultipleChoiceFilter(choices=RepresentativeRole.choices, label="Kind of post (repeat)")
    person = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=models.Person.objects.all(), label="Held by this person (slug)"
    )
    q = django_filters.CharFilter(method="filter_q", label="Text search: title, slug, holder's name")

    class Meta:
        model = models.Post
        fields = []

    def filter_state(self, queryset, name, value: str):  # the hint types the values in the OpenAPI schema
        return queryset.filter(state__in=value) if value else queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(slug__icontains=value) | Q(person__name__icontains=value))


class StatementFilterSet(TrackerFilterSet):
    state = state_codes("Made by or for this state (code; repeat for several)")
    person = django_filters.ModelChoiceFilter(
        field_name="speaker", to_field_name="slug", queryset=models.Person.objects.all(), label="Speaker (person slug)"
    )
    stance = django_filters.MultipleChoiceFilter(choices=Stance.choices, label="Stance (repeat for several)")
    instrument = django_filters.ModelChoiceFilter(
        field_name="instruments",
        to_field_name="slug",
        queryset=models.Instrument.objects.all(),
        method="filter_about",
        label="About this instrument (slug)",
    )
    pledge = django_filters.ModelChoiceFilter(
        field_name="pledges",
        queryset=models.Pledge.objects.all(),
        method="filter_about",
        label="About this pledge (id)",
    )
    summit = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=models.Summit.objects.all(),
        method="filter_summit",
        label="Made at this meeting or about it (slug)",
    )
    declaration = django_filters.ModelChoiceFilter(
        field_name="declarations",
        to_field_name="slug",
        queryset=models.Declaration.objects.all(),
        method="filter_about",
        label="About this declaration (slug)",
    )
    made = django_filters.DateFromToRangeFilter(field_name="made_on", label="Made between (made_after/_before)")
    q = django_filters.CharFilter(method="filter_q", label="Text search: quote, summary, attribution, speaker")

    class Meta:
        model = models.Statement
        fields = []

    def filter_state(self, queryset, name, value: str):  # the hint types the values in the OpenAPI schema
        return queryset.filter(state__in=value) if value else queryset

    def filter_about(self, queryset, name, value):
        # A subquery on the link table: no join, so no duplicate rows.
        if value is None:
            return queryset
        links = getattr(models.Statement, name).through.objects.filter(**{type(value)._meta.model_name: value})
        return queryset.filter(pk__in=links.values("statement_id"))

    def filter_summit(self, queryset, name, value):
        if value is None:
            return queryset
        about = models.Statement.summits.through.objects.filter(summit=value).values("statement_id")
        return queryset.filter(Q(summit=value) | Q(pk__in=about))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(quote__icontains=value)
            | Q(summary__icontains=value)
            | Q(attribution__icontains=value)
            | Q(slug__icontains=value)
            | Q(speaker__name__icontains=value)
        )
