"""What the API shows of the facts that hang off the records, each at an address of its own: force
requirements, citations, and the status histories of pledges and instruments. All read-only; they
change in the admin (a status only through the record's status change)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from .. import models
from .refs import InstrumentRefSerializer, PledgeRefSerializer
from .serializers import CitationSerializer, SourceRefSerializer, StatusChangeSerializer

# A citation's record: the kind, its API route and the field its address is looked up by.
CITED_RECORDS = {
    "summit": ("api:summit-detail", "slug"),
    "declaration": ("api:declaration-detail", "slug"),
    "pledge": ("api:pledge-detail", "pk"),
    "force_requirement": ("api:force-requirement-detail", "slug"),
    "instrument": ("api:instrument-detail", "slug"),
}


class ForceRequirementSerializer(serializers.ModelSerializer):
    """A force size the reports give for a planned deployment (not anyone's pledge), where it was
    given, the instrument that must meet it (whose address sets its contributions against it), and
    its citations."""

    url = serializers.HyperlinkedIdentityField(view_name="api:force-requirement-detail", lookup_field="slug")
    summit = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", allow_null=True, help_text="The meeting where it was given (slug)."
    )
    declaration = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", allow_null=True, help_text="The text that gives it (slug)."
    )
    instrument = serializers.SlugRelatedField(
        read_only=True,
        slug_field="slug",
        allow_null=True,
        help_text="The instrument that must meet it (slug); its address shows the troops pledged against it.",
    )
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = models.ForceRequirement
        fields = [
            "url",
            "id",
            "slug",
            "title",
            "summit",
            "declaration",
            "instrument",
            "troops_min",
            "troops_max",
            "description",
            "citations",
        ]


class CitationRecordSerializer(serializers.ModelSerializer):
    """A source's phrase supporting one record (or one field of it). Exactly one of `summit`,
    `declaration`, `pledge`, `force_requirement` and `instrument` is set: the record `record`
    names, at `record_url`."""

    url = serializers.HyperlinkedIdentityField(view_name="api:citation-detail", lookup_field="key")
    record = serializers.SerializerMethodField(help_text="The kind of record it supports.")
    record_url = serializers.SerializerMethodField(help_text="The API address of the record it supports.")
    summit = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    declaration = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    pledge = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="The pledge's id.")
    force_requirement = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    instrument = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = models.Citation
        fields = [
            "url",
            "id",
            "key",
            "record",
            "record_url",
            "summit",
            "declaration",
            "pledge",
            "force_requirement",
            "instrument",
            "field",
            "source",
            "quote",
            "attribution",
        ]

    @staticmethod
    def cited(citation) -> str:
        return next(name for name in models.Citation.TARGETS if getattr(citation, f"{name}_id") is not None)

    @extend_schema_field(serializers.ChoiceField(choices=list(CITED_RECORDS)))
    def get_record(self, citation) -> str:
        return self.cited(citation)

    @extend_schema_field(serializers.URLField())
    def get_record_url(self, citation) -> str:
        kind = self.cited(citation)
        view_name, field = CITED_RECORDS[kind]
        lookup = getattr(citation, f"{kind}_id") if field == "pk" else getattr(getattr(citation, kind), field)
        return reverse(view_name, args=[lookup], request=self.context.get("request"))


class StatusChangeRecordSerializer(StatusChangeSerializer):
    """One step of a pledge's status history, with the pledge it belongs to."""

    url = serializers.HyperlinkedIdentityField(view_name="api:status-change-detail")
    pledge = PledgeRefSerializer(read_only=True)

    class Meta(StatusChangeSerializer.Meta):
        fields = ["url", "id", "pledge", *StatusChangeSerializer.Meta.fields]
        read_only_fields = fields


class InstrumentStatusChangeRecordSerializer(StatusChangeSerializer):
    """One step of an instrument's status history, with the instrument it belongs to."""

    url = serializers.HyperlinkedIdentityField(view_name="api:instrument-status-change-detail")
    instrument = InstrumentRefSerializer(read_only=True)

    class Meta(StatusChangeSerializer.Meta):
        model = models.InstrumentStatusChange
        fields = ["url", "id", "instrument", *StatusChangeSerializer.Meta.fields]
        read_only_fields = fields
