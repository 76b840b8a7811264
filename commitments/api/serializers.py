"""What the API shows and accepts. Writes are checked by the models' own rules (`full_clean`:
field checks, `clean()`, the named constraints), so a client gets the same messages as an
analyst in the admin, as HTTP 400 with field messages, and nothing is half-written."""

import copy
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models as db
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from .. import bounds, models, services
from ..choices import DatePrecision, Status
from .errors import field_messages
from .refs import InstrumentRefSerializer, PostRefSerializer, StatementRefSerializer
from .rows import FinishedRows, PlannedListSerializer

# Strict JSON types. DRF is lenient by default (0 becomes "0", "12" becomes 12, a dict passes as
# a list of its keys); the API accepts what its OpenAPI schema describes, and nothing else, so a
# client's type mistake is a 400 rather than a silently different value.


class StringOnly:
    """Refuses any JSON value that is not a string before the field's own parsing."""

    not_a_string = "invalid"

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail(self.not_a_string, input=data)
        return super().to_internal_value(data)


class StrictCharField(StringOnly, serializers.CharField):
    pass


class StrictSlugField(StringOnly, serializers.SlugField):
    pass


class StrictChoiceField(StringOnly, serializers.ChoiceField):
    not_a_string = "invalid_choice"


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if (
            isinstance(data, bool)
            or not isinstance(data, int | float)
            or (isinstance(data, float) and not data.is_integer())
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDecimalField(StringOnly, serializers.DecimalField):
    """Amounts travel as strings ("1000.00"), as they are shown: no binary-float rounding."""

    default_error_messages = {"invalid": _('A decimal number as a string, e.g. "1000.00".')}


class StrictDateTimeField(StringOnly, serializers.DateTimeField):
    """An ISO 8601 time held to the register's bounds (commitments.bounds): a UTC offset in use, so
    the API refuses what the import and the filters refuse, in the same words."""

    not_a_string = "not_a_string"
    default_error_messages = {"not_a_string": _('An ISO 8601 time as a string, e.g. "2026-01-06T12:00:00+01:00".')}

    def enforce_timezone(self, value):
        try:
            bounds.check_time(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return super().enforce_timezone(value)


class StrictManyRelatedField(serializers.ManyRelatedField):
    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class PrefetchedManyRelatedField(StrictManyRelatedField):
    """A writable to-many relation that reads, like `PrefetchedListSerializer`, from the instance's
    `prefetched` list when it is there."""

    def __init__(self, *args, prefetched: str, **kwargs):
        self.prefetched = prefetched
        super().__init__(*args, **kwargs)

    def get_attribute(self, instance):
        rows = getattr(instance, self.prefetched, None)
        return rows if rows is not None else super().get_attribute(instance)


class SafeSlugRelatedField(serializers.SlugRelatedField):
    """A reference by natural key, given as a string. Refuses NUL characters before the lookup:
    PostgreSQL cannot compare them and would fail the query instead of reporting a bad value."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update((key, value) for key, value in kwargs.items() if key in MANY_RELATION_KWARGS)
        return StrictManyRelatedField(**list_kwargs)

    def run_validation(self, data=serializers.empty):
        # DRF turns "" into null for relations; a client that means "none" sends null.
        if data == "":
            self.fail("invalid")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class PrefixedIdentityField(serializers.HyperlinkedIdentityField):
    """A record's address without a `reverse()` per row: the view's address is reversed once per
    request (and format), with a placeholder where the lookup value goes, and each row's value
    put in its place. The same string `reverse()` gives, since a value of letters, digits, `-`
    and `_` is never quoted in a URL; any other value still goes through `reverse()`."""

    PLACEHOLDER = "0lookup0placeholder0"
    PLAIN = re.compile(r"[A-Za-z0-9_-]+\Z")

    def get_url(self, obj, view_name, request, format):
        if hasattr(obj, "pk") and obj.pk in (None, ""):
            return None
        value = str(getattr(obj, self.lookup_field))
        around = self._around(view_name, request, format) if self.PLAIN.match(value) else None
        if around is None:
            return super().get_url(obj, view_name, request, format)
        return around[0] + value + around[1]

    def _around(self, view_name, request, format):
        cached = getattr(self, "_cached_around", None)
        if cached is None or cached[0] is not request or cached[1] != (view_name, format):
            url = self.reverse(
                view_name, kwargs={self.lookup_url_kwarg: self.PLACEHOLDER}, request=request, format=format
            )
            parts = tuple(url.split(self.PLACEHOLDER))
            cached = (request, (view_name, format), parts if len(parts) == 2 else None)
            self._cached_around = cached
        return cached[2]


class PrefetchedListSerializer(serializers.ListSerializer):
    """A to-many relation read from the list a `to_attr` prefetch left on the instance (named by
    `prefetched`) when it is there, rather than from a QuerySet cloned per row; from the
    relation itself otherwise (a record just written, a detail page)."""

    def __init__(self, *args, prefetched: str, **kwargs):
        self.prefetched = prefetched
        super().__init__(*args, **kwargs)

    def get_attribute(self, instance):
        rows = getattr(instance, self.prefetched, None)
        return rows if rows is not None else super().get_attribute(instance)


class StrictModelSerializer(serializers.ModelSerializer):
    """Fields that check JSON types only; the model's own rules (lengths, bounds, uniqueness,
    constraints) are checked by `full_clean` in `validate`, so an API client reads the very
    messages an analyst reads in the admin or an import report."""

    MODEL_RULES = ("max_length", "min_length", "min_value", "max_value", "validators")

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        for rule in self.MODEL_RULES:
            field_kwargs.pop(rule, None)
        return field_class, field_kwargs

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        db.CharField: StrictCharField,
        db.TextField: StrictCharField,
        db.SlugField: StrictSlugField,
        db.PositiveIntegerField: StrictIntegerField,
        db.IntegerField: StrictIntegerField,
        db.DecimalField: StrictDecimalField,
        db.DateTimeField: StrictDateTimeField,
    }
    serializer_choice_field = StrictChoiceField


class StateRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.State
        fields = ["code", "name", "kind"]


class SourceRefSerializer(serializers.ModelSerializer):
    """A source inside another record: what names it, its publication date with how much of it is
    known (`published_precision`: a `month` date's day is not known), and where to read it."""

    api_url = PrefixedIdentityField(view_name="api:source-detail", lookup_field="key")

    class Meta:
        model = models.Source
        fields = ["key", "title", "publisher", "published_on", "published_precision", "url", "api_url"]


class NamedRefSerializer(serializers.Serializer):
    """A link to a summit, declaration or pledge: its slug and title."""

    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)


class CitationSerializer(serializers.ModelSerializer):
    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = models.Citation
        fields = ["source", "quote", "attribution", "field"]


class StateSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:state-detail", lookup_field="code")

    class Meta:
        model = models.State
        fields = ["url", "id", "code", "name", "name_uk", "kind", "notes"]


class SourceSerializer(serializers.ModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", lookup_field="key")

    class Meta:
        model = models.Source
        fields = [
            "api_url",
            "id",
            "key",
            "title",
            "publisher",
            "relays",
            "published_on",
            "published_precision",
            "date_basis",
            "url",
            "seed_file",
            "kind",
            "text",
            "notes",
        ]
        # Said for API users, who do not have the tracker's files.
        extra_kwargs = {
            "seed_file": {
                "help_text": "Name of the research report the record was first loaded from, when it was (a provenance "
                "note of the tracker's own); blank otherwise."
            }
        }


class SummitSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:summit-detail", lookup_field="slug")
    hosts = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    chairs = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    organisers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = models.Summit
        fields = [
            "url",
            "id",
            "slug",
            "title",
            "title_uk",
            "kind",
            "status",
            "city",
            "hosts",
            "chairs",
            "organisers",
            "date",
            "date_precision",
            "end_date",
            "sequence_number",
            "summary",
            "summary_uk",
            "created_at",
            "updated_at",
        ]


class AttendanceSerializer(serializers.ModelSerializer):
    """A party at a meeting (or reported absent), who represented it in the report's words
    (`represented_by`) and as posts with their holders (`representatives`)."""

    state = serializers.SlugRelatedField(read_only=True, slug_field="code")
    state_name = serializers.CharField(source="state.name", read_only=True)
    representatives = PostRefSerializer(many=True, read_only=True)
    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = models.Attendance
        fields = [
            "state",
            "state_name",
            "status",
            "role",
            "represented_by",
            "representatives",
            "quote",
            "attribution",
            "source",
        ]


class AttendanceReportSerializer(serializers.ModelSerializer):
    """A head count of the meeting as one source gives it. Sources disagree (35 countries, "more
    than 30" leaders, 27 countries): each count is its own row with its source, none overwrites
    another, and a qualified count (`more_than`, `nearly`, `about`) is not an exact one."""

    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = models.AttendanceReport
        fields = ["counted", "qualifier", "value", "quote", "attribution", "source"]


class SummitDetailSerializer(SummitSerializer):
    """A meeting as its own address shows it: the list's fields, every party recorded as attending
    or reported absent (`status`) and who represented it, the head counts each source gives, the
    posts that chaired it, and the citations of the meeting itself."""

    attendance = AttendanceSerializer(
        source="attendances",
        many=True,
        read_only=True,
        help_text="Each party recorded for the meeting, by state code: `attended`, or `absent` when a report says "
        "it stayed away.",
    )
    attendance_reports = AttendanceReportSerializer(
        many=True, read_only=True, help_text="Head counts, one per source and thing counted, by what is counted."
    )
    chaired_by = PostRefSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True, help_text="Sources for the meeting's own fields.")

    class Meta(SummitSerializer.Meta):
        fields = [*SummitSerializer.Meta.fields, "attendance", "attendance_reports", "chaired_by", "citations"]


class DeclarationPartySerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = models.DeclarationParty
        fields = ["state", "role", "signed_on", "represented_by"]


class DeclarationPartyDetailSerializer(DeclarationPartySerializer):
    """A party to the text as the text's own address shows it: the posts that signed or endorsed
    for it, and the phrase and source that say so."""

    state_name = serializers.CharField(source="state.name", read_only=True)
    representatives = PostRefSerializer(many=True, read_only=True)
    source = SourceRefSerializer(read_only=True)

    class Meta(DeclarationPartySerializer.Meta):
        fields = [
            "state",
            "state_name",
            "role",
            "signed_on",
            "represented_by",
            "representatives",
            "notes",
            "quote",
            "attribution",
            "source",
        ]


class DeclarationComponentSerializer(serializers.ModelSerializer):
    """A numbered component or principle of the text, with the phrase and source that give it."""

    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = models.DeclarationComponent
        fields = ["number", "text", "quote", "attribution", "source"]


class DeclarationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:declaration-detail", lookup_field="slug")
    summit = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    supersedes = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    parties = DeclarationPartySerializer(many=True, read_only=True)

    class Meta:
        model = models.Declaration
        fields = [
            "url",
            "id",
            "slug",
            "title",
            "title_uk",
            "kind",
            "status",
            "date",
            "date_precision",
            "summit",
            "supersedes",
            "parties",
            "summary",
            "summary_uk",
            "created_at",
            "updated_at",
        ]


class DeclarationDetailSerializer(DeclarationSerializer):
    """A text as its own address shows it: its parties with the posts that signed or endorsed for
    them and their sources, its components in order, and the citations of the text itself."""

    parties = DeclarationPartyDetailSerializer(many=True, read_only=True)
    components = DeclarationComponentSerializer(
        many=True, read_only=True, help_text="Its numbered components or principles, in order (`number` from 1)."
    )
    citations = CitationSerializer(many=True, read_only=True, help_text="Sources for the text's own fields.")

    class Meta(DeclarationSerializer.Meta):
        fields = [*DeclarationSerializer.Meta.fields, "components", "citations"]


class PledgeSerializer(FinishedRows, StrictModelSerializer):
    """A pledge with everything a client shows. References are written as natural keys (state
    codes, summit and declaration slugs); the `*_detail` fields repeat them with names for
    display. The status is read-only here: it changes only through POST …/status/."""

    # A list page reads the pledgers and citations from `PledgeQuerySet.with_related_rows()`'s
    # lists: `pledgers` and `pledger_details` from the one list, no QuerySet per row.
    url = PrefixedIdentityField(view_name="api:pledge-detail")
    pledgers = PrefetchedManyRelatedField(
        prefetched="pledgers_by_name",
        child_relation=SafeSlugRelatedField(
            slug_field="code",
            queryset=models.State.objects.all(),
            help_text="State codes of the pledging parties; several make one joint pledge.",
        ),
        allow_empty=True,  # an empty list is refused by the write path's rule, in its words
        help_text="State codes of the pledging parties; several make one joint pledge.",
    )
    pledger_details = PrefetchedListSerializer(
        child=StateRefSerializer(), prefetched="pledgers_by_name", source="pledgers", read_only=True
    )
    declaration = SafeSlugRelatedField(
        slug_field="slug", queryset=models.Declaration.objects.all(), allow_null=True, required=False
    )
    declaration_detail = NamedRefSerializer(source="declaration", read_only=True, allow_null=True)
    summit = SafeSlugRelatedField(
        slug_field="slug", queryset=models.Summit.objects.all(), allow_null=True, required=False
    )
    summit_detail = NamedRefSerializer(source="summit", read_only=True, allow_null=True)
    part_of = SafeSlugRelatedField(
        slug_field="slug", queryset=models.Pledge.objects.all(), allow_null=True, required=False
    )
    contributes_to = SafeSlugRelatedField(
        slug_field="slug",
        queryset=models.Instrument.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the instrument (a force, a monitoring mechanism) the pledge helps build; null if none.",
    )
    contributes_to_detail = InstrumentRefSerializer(source="contributes_to", read_only=True, allow_null=True)
    citations = PrefetchedListSerializer(child=CitationSerializer(), prefetched="citation_list", read_only=True)
    status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        help_text="Where the pledge stands (with ?as_of=, where it stood then). Change it with POST …/status/.",
    )
    status_changed_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = models.Pledge
        fields = [
            "url",
            "id",
            "slug",
            "title",
            "title_uk",
            "description",
            "description_uk",
            "pledgers",
            "pledger_details",
            "category",
            "part_of",
            "contributes_to",
            "contributes_to_detail",
            "declaration",
            "declaration_detail",
            "summit",
            "summit_detail",
            "troops_min",
            "troops_max",
            "amount",
            "currency",
            "value_date",
            "fx_rate",
            "amount_eur",
            "monitoring_role",
            "monitoring_means",
            "quantity_text",
            "condition",
            "condition_text",
            "condition_state",
            "status",
            "status_changed_on",
            "citations",
            "last_reviewed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]
        # A list page's rows as plain dicts from a plan of these fields (api/rows.py), not DRF's
        # per-field machinery; the same answer byte for byte (tests/test_api_seeded.py).
        list_serializer_class = PlannedListSerializer

    def finish_row(self, instance, data):
        # With ?as_of= the queryset carries the status as it stood then (PledgeQuerySet.as_of).
        if getattr(instance, "as_of_status", None):
            data["status"] = instance.as_of_status
            data["status_changed_on"] = serializers.DateField().to_representation(instance.as_of_status_changed_on)
        return data

    def validate(self, attrs):
        """Apply the write path's rules (`services.validate_pledge`: the model's rules and the
        pledger rule) to the pledge as it would be saved; `clean()` may fill in derived values
        (the euro conversion of a EUR amount), which are kept."""
        candidate = copy.copy(self.instance) if self.instance is not None else models.Pledge()
        for name, value in attrs.items():
            if name != "pledgers":
                setattr(candidate, name, value)
        try:
            services.validate_pledge(candidate, attrs.get("pledgers"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(field_messages(exc)) from None
        for derived in ("fx_rate", "amount_eur"):
            if getattr(candidate, derived) != getattr(self.instance, derived, None) or derived in attrs:
                attrs[derived] = getattr(candidate, derived)
        return attrs

    def _save(self, instance, attrs):
        pledgers = attrs.pop("pledgers", None)
        for name, value in attrs.items():
            setattr(instance, name, value)
        # Validated in validate(); the audit trail records who wrote, token clients as browser sessions.
        # With review on the result is a pending revision (None: the edit changes nothing).
        result = services.save_pledge(
            instance, pledgers=pledgers, user=self.context["request"].user, reason="API", validate=False
        )
        return instance if result is None else result

    def create(self, validated_data):
        return self._save(models.Pledge(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class PledgeDetailSerializer(PledgeSerializer):
    """A pledge as its own address shows it: the list's fields and the statements about it."""

    statements = StatementRefSerializer(many=True, read_only=True, help_text="Statements about the pledge.")

    class Meta(PledgeSerializer.Meta):
        fields = [*PledgeSerializer.Meta.fields, "statements"]


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class SourceReferenceField(serializers.Field):
    """A source given by its key (string) or its id (integer)."""

    default_error_messages = {
        "unknown": _("No source with this key or id."),
        "invalid": _("Give a source key (string) or id (integer)."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        if isinstance(data, str) and ("\x00" in data or len(data) > 80):
            self.fail("unknown")
        lookup = {"key": data} if isinstance(data, str) else {"pk": data}
        if isinstance(data, int) and not 0 < data < 2**63:
            self.fail("unknown")
        source = models.Source.objects.filter(**lookup).first()
        if source is None:
            self.fail("unknown")
        return source

    def to_representation(self, value):
        return value.key


class StatusChangeSerializer(serializers.ModelSerializer):
    """One step of a pledge's status history."""

    source = SourceRefSerializer(read_only=True)
    precision = serializers.ChoiceField(source="effective_precision", choices=DatePrecision.choices, read_only=True)

    class Meta:
        model = models.StatusChange
        fields = [
            "sequence",
            "from_status",
            "to_status",
            "effective_date",
            "precision",
            "recorded_at",
            "note",
            "source",
            "quote",
            "attribution",
        ]
        read_only_fields = fields


class StatusChangeRequestSerializer(serializers.Serializer):
    """A request to move a pledge to another status; `Pledge.change_status` decides."""

    status = StrictChoiceField(choices=Status.choices)
    effective_date = serializers.DateField(help_text="When the change took effect in the world (not in the future).")
    precision = StrictChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    note = StrictCharField(help_text="Why the status changed.")
    source = SourceReferenceField(help_text="The source that reports the change: its key or id.")
    quote = StrictCharField(required=False, allow_blank=True, default="")
    attribution = StrictCharField(required=False, allow_blank=True, default="", max_length=200)


class ChangeSerializer(serializers.Serializer):
    """One entry of the change feed."""

    resource = serializers.ChoiceField(
        choices=["pledge", "state", "summit", "declaration", "source", "instrument", "person", "post", "statement"]
    )
    id = serializers.IntegerField(help_text="The record's id.")
    lookup = serializers.CharField(help_text="What goes in the record's URL: id for pledges, code, slug or key.")
    change = serializers.ChoiceField(choices=["created", "updated", "deleted"])
    at = serializers.DateTimeField(help_text="When the change was recorded.")
    url = serializers.URLField(allow_null=True, help_text="The record's current URL; null once deleted.")


class PendingChangeSerializer(serializers.Serializer):
    """An edit waiting for review, in the change feed with `?include=pending`."""

    revision = serializers.URLField(help_text="The revision's address (/api/revisions/{id}/).")
    resource = serializers.CharField(help_text="Kind of record.")
    id = serializers.IntegerField(allow_null=True, help_text="The record's id; null for a proposed new record.")
    action = serializers.ChoiceField(choices=["create", "change", "delete", "status"])
    author = serializers.CharField()
    at = serializers.DateTimeField(help_text="When the edit was proposed.")


class ChangePageSerializer(serializers.Serializer):
    next = serializers.URLField(help_text="Where to continue: store it and GET it on the next pull.")
    has_more = serializers.BooleanField(help_text="True when `next` already holds more changes.")
    results = ChangeSerializer(many=True, help_text="Published changes only.")
    pending = PendingChangeSerializer(
        many=True,
        required=False,
        help_text="With `?include=pending` only: every edit now waiting for review (not published, not in results).",
    )
