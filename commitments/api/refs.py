"""Short references to the architecture's records (people, posts, instruments, statements) and to
pledges, shown inside other records: what a client needs to name the record and follow its link.
Kept apart from the full serializers, which use them as the existing records do."""

from rest_framework import serializers

from .. import models


class PersonRefSerializer(serializers.ModelSerializer):
    """A person, by slug and name."""

    url = serializers.HyperlinkedIdentityField(view_name="api:person-detail", lookup_field="slug")

    class Meta:
        model = models.Person
        fields = ["slug", "name", "url"]


class PostRefSerializer(serializers.ModelSerializer):
    """A post as the report words it, the party it is held for and its holder (null: not named)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:post-detail", lookup_field="slug")
    state = serializers.SlugRelatedField(read_only=True, slug_field="code", help_text="Held for this party (code).")
    person = PersonRefSerializer(
        read_only=True, allow_null=True, help_text="Its holder; null when no report names one."
    )

    class Meta:
        model = models.Post
        fields = ["slug", "url", "title", "role", "state", "person"]


class InstrumentRefSerializer(serializers.ModelSerializer):
    """An instrument, by slug, name and kind."""

    url = serializers.HyperlinkedIdentityField(view_name="api:instrument-detail", lookup_field="slug")

    class Meta:
        model = models.Instrument
        fields = ["slug", "name", "kind", "url"]


class PledgeRefSerializer(serializers.ModelSerializer):
    """A pledge, by id (its API address), slug and title."""

    url = serializers.HyperlinkedIdentityField(view_name="api:pledge-detail")

    class Meta:
        model = models.Pledge
        fields = ["id", "slug", "title", "url"]


class StatementRefSerializer(serializers.ModelSerializer):
    """A statement in brief: who said it, when, its stance and its quoted words."""

    url = serializers.HyperlinkedIdentityField(view_name="api:statement-detail", lookup_field="slug")
    speaker = PersonRefSerializer(read_only=True, allow_null=True)
    state = serializers.SlugRelatedField(read_only=True, slug_field="code", allow_null=True)

    class Meta:
        model = models.Statement
        fields = ["slug", "url", "speaker", "state", "made_on", "made_precision", "stance", "quote", "attribution"]
