"""What the API shows of the guarantees' architecture: instruments (with their parties, the pledges
that build them and each force requirement against those pledges), people and their posts, and
statements. All read-only; they change in the admin."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import models
from ..choices import InstrumentRole, InstrumentStatus
from .refs import InstrumentRefSerializer, PersonRefSerializer, PledgeRefSerializer, StatementRefSerializer
from .serializers import CitationSerializer, NamedRefSerializer, SourceRefSerializer, StatusChangeSerializer


def no_contributions() -> dict:
    """The figures of an instrument no pledge contributes to: counts 0, sums unknown (None), as
    PledgeQuerySet.totals() gives them over no pledge (without a query)."""
    return models.Pledge.objects.none().totals()


# Parties are listed leads first, then participants, contributors and supporters.
ROLE_ORDER = {role: position for position, role in enumerate(InstrumentRole.values)}


class InstrumentPartySerializer(serializers.ModelSerializer):
    """A party's part in the instrument, with the phrase that gives it."""

    state = serializers.SlugRelatedField(read_only=True, slug_field="code")
    state_name = serializers.CharField(source="state.name", read_only=True)
    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = models.InstrumentParty
        fields = ["state", "state_name", "role", "quote", "attribution", "source", "notes"]


class ContributionSerializer(serializers.ModelSerializer):
    """A pledge that helps build the instrument: who, where it stands, and its quantities (a vague
    quantity stays text). A share of a larger pledge (`part_of` set) is inside that pledge and is
    not counted again in the requirement figures."""

    url = serializers.HyperlinkedIdentityField(view_name="api:pledge-detail")
    pledgers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    part_of = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)

    class Meta:
        model = models.Pledge
        fields = [
            "id",
            "url",
            "slug",
            "title",
            "category",
            "pledgers",
            "part_of",
            "status",
            "status_changed_on",
            "troops_min",
            "troops_max",
            "amount",
            "currency",
            "amount_eur",
            "monitoring_role",
            "monitoring_means",
            "quantity_text",
            "condition",
            "condition_state",
        ]


class RequirementGapSerializer(serializers.Serializer):
    """A force requirement the instrument must meet against the troops its contributions pledge
    (`requirement_gap`, the rule the summary report uses): sums run over the contributions that
    give a troop figure and are null when none does; the gap is null when either side is."""

    slug = serializers.CharField(source="requirement.slug")
    title = serializers.CharField(source="requirement.title")
    requirement_min = serializers.IntegerField(
        source="requirement.troops_min", allow_null=True, help_text="Lower end of the troops required."
    )
    requirement_max = serializers.IntegerField(
        source="requirement.troops_max", allow_null=True, help_text="Upper end of the troops required."
    )
    troops_low = serializers.IntegerField(
        allow_null=True, help_text="Sum of the contributions' lower troop figures; null when none gives one."
    )
    troops_high = serializers.IntegerField(
        allow_null=True, help_text="Sum of the contributions' upper troop figures; null when none gives one."
    )
    troop_pledges = serializers.IntegerField(help_text="Contributions giving a troop figure (the ones in the sums).")
    troop_pledges_unquantified = serializers.IntegerField(
        help_text="Troop contributions giving no figure ('thousands of troops'): not in the sums."
    )
    gap_min = serializers.IntegerField(
        allow_null=True, help_text="requirement_min − troops_low: troops missing (negative: surplus); null if unknown."
    )
    gap_max = serializers.IntegerField(
        allow_null=True, help_text="requirement_max − troops_high: troops missing (negative: surplus); null if unknown."
    )


class InstrumentSerializer(serializers.ModelSerializer):
    """An instrument with who leads and takes part, its status, the texts that create it, the
    pledges that build it, each force requirement against those pledges, and what was said of it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:instrument-detail", lookup_field="slug")
    status = serializers.ChoiceField(
        choices=InstrumentStatus.choices,
        read_only=True,
        help_text="Where the instrument stands (with ?as_of=, where it stood then); its history is at …/history/.",
    )
    status_changed_on = serializers.DateField(read_only=True, allow_null=True)
    parties = serializers.SerializerMethodField(
        help_text="Its parties, leads first, then participants, contributors, supporters."
    )
    declarations = NamedRefSerializer(many=True, read_only=True)
    contributions = ContributionSerializer(
        many=True, read_only=True, help_text="The pledges that contribute to it (their current status)."
    )
    force_requirements = serializers.SerializerMethodField()
    statements = StatementRefSerializer(many=True, read_only=True, help_text="Statements about it.")
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = models.Instrument
        fields = [
            "url",
            "id",
            "slug",
            "name",
            "name_uk",
            "kind",
            "mandate",
            "summary",
            "summary_uk",
            "status",
            "status_changed_on",
            "condition",
            "condition_text",
            "condition_state",
            "parties",
            "declarations",
            "contributions",
            "force_requirements",
            "statements",
            "citations",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(InstrumentPartySerializer(many=True))
    def get_parties(self, instrument):
        parties = sorted(
            instrument.parties.all(), key=lambda p: (ROLE_ORDER.get(p.role, len(ROLE_ORDER)), p.state.code)
        )
        return InstrumentPartySerializer(parties, many=True, context=self.context).data

    @extend_schema_field(RequirementGapSerializer(many=True))
    def get_force_requirements(self, instrument):
        # A list view computes every instrument's figures in one query (context "figures");
        # a single instrument computes its own.
        if "figures" in self.context:
            figures = self.context["figures"].get(instrument.pk) or no_contributions()
        else:
            figures = instrument.contribution_figures()
        return RequirementGapSerializer(instrument.requirement_gaps(figures), many=True).data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # With ?as_of= the queryset carries the status as it stood then (StatusHistoryQuerySet.as_of).
        if getattr(instance, "as_of_status", None):
            data["status"] = instance.as_of_status
            data["status_changed_on"] = serializers.DateField().to_representation(instance.as_of_status_changed_on)
        return data


class InstrumentStatusChangeSerializer(StatusChangeSerializer):
    """One step of an instrument's status history."""

    class Meta(StatusChangeSerializer.Meta):
        model = models.InstrumentStatusChange


class PersonPostSerializer(serializers.ModelSerializer):
    """One of a person's posts, with the phrase that names it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:post-detail", lookup_field="slug")
    state = serializers.SlugRelatedField(read_only=True, slug_field="code")
    state_name = serializers.CharField(source="state.name", read_only=True)
    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = models.Post
        fields = [
            "slug",
            "url",
            "title",
            "role",
            "state",
            "state_name",
            "start_date",
            "start_precision",
            "end_date",
            "quote",
            "attribution",
            "source",
        ]


class PersonSerializer(serializers.ModelSerializer):
    """A person the reports name, with the posts they hold or held."""

    url = serializers.HyperlinkedIdentityField(view_name="api:person-detail", lookup_field="slug")
    posts = PersonPostSerializer(many=True, read_only=True)

    class Meta:
        model = models.Person
        fields = ["url", "id", "slug", "name", "summary", "posts", "created_at", "updated_at"]


class PostSerializer(PersonPostSerializer):
    """A post held for a state or body, with its holder (null when no report names one)."""

    person = PersonRefSerializer(read_only=True, allow_null=True, help_text="Its holder; null when not named.")

    class Meta(PersonPostSerializer.Meta):
        fields = [
            "url",
            "id",
            "slug",
            "title",
            "role",
            "state",
            "state_name",
            "person",
            "start_date",
            "start_precision",
            "end_date",
            "quote",
            "attribution",
            "source",
            "created_at",
            "updated_at",
        ]


class StatementAboutSerializer(serializers.Serializer):
    """What a statement is about: one or several pledges, instruments, declarations, meetings."""

    pledges = PledgeRefSerializer(many=True, read_only=True)
    instruments = InstrumentRefSerializer(many=True, read_only=True)
    declarations = NamedRefSerializer(many=True, read_only=True)
    summits = NamedRefSerializer(many=True, read_only=True)


class StatementSerializer(serializers.ModelSerializer):
    """Something a person or party said about the guarantees, in the source's words."""

    url = serializers.HyperlinkedIdentityField(view_name="api:statement-detail", lookup_field="slug")
    speaker = PersonRefSerializer(read_only=True, allow_null=True, help_text="Who said it; null when not named.")
    state = serializers.SlugRelatedField(
        read_only=True, slug_field="code", allow_null=True, help_text="The party that said it, or for which."
    )
    summit = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", allow_null=True, help_text="The meeting at which it was said."
    )
    about = StatementAboutSerializer(source="*", read_only=True)
    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = models.Statement
        fields = [
            "url",
            "id",
            "slug",
            "speaker",
            "state",
            "made_on",
            "made_precision",
            "summit",
            "stance",
            "summary",
            "about",
            "quote",
            "attribution",
            "source",
            "created_at",
            "updated_at",
        ]
