"""Releases through the API: the list, one release's metadata, its frozen data package, and the
diff between two releases (or a release and now). `?release=N` on the other endpoints:
`release_reads`."""

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import exports
from ..models import Release
from ..releases import diff as release_diff
from .exports import BOM, FirstRenderer, wants_bom
from .release_reads import find_release
from .schema import ConditionalGetSchema
from .views import ConditionalGetMixin

ZIP_TYPE = "application/zip"


# ---------------------------------------------------------------------------------------------
# The releases' own addresses


class ReleaseSerializer(serializers.ModelSerializer):
    """A release's metadata: never its blobs (the package has its own address). The account that
    made it is not shown: it is about the tracker's staff, as the package leaves out who recorded
    a status change."""

    url = serializers.SerializerMethodField(help_text="This release's address.")
    package_url = serializers.SerializerMethodField(help_text="The release's data package (zip), byte for byte.")
    diff_from_previous_url = serializers.SerializerMethodField(
        help_text="What changed since the previous release (null for release 1)."
    )
    diff_to_now_url = serializers.SerializerMethodField(help_text="What changed since this release, up to now.")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Rows per table of the data package.")

    class Meta:
        model = Release
        fields = [
            "number",
            "title",
            "notes",
            "created_at",
            "package_sha256",
            "package_bytes",
            "snapshot_sha256",
            "snapshot_bytes",
            "counts",
            "url",
            "package_url",
            "diff_from_previous_url",
            "diff_to_now_url",
        ]

    def _url(self, name: str, *args) -> str:
        return reverse(f"api:{name}", args=args, request=self.context.get("request"))

    def get_url(self, release) -> str:
        return self._url("release-detail", release.number)

    def get_package_url(self, release) -> str:
        return self._url("release-package", release.number)

    def get_diff_from_previous_url(self, release) -> str | None:
        if release.number == 1:
            return None
        return self._url("release-diff", release.number - 1, str(release.number))

    def get_diff_to_now_url(self, release) -> str:
        return self._url("release-diff", release.number, "now")


NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The release number.")


class ReleaseView(ConditionalGetMixin, GenericAPIView):
    """Base of the releases' addresses: the API's authentication, read rule and throttles."""

    queryset = Release.objects.none()
    pagination_class = None
    filter_backends = []
    lookup_value_regex = "[^/]+"

    def release_from(self, raw: str) -> Release:
        # In the address a bad number is no such address (404), as for any record.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
            raise exceptions.NotFound(gettext("No such release: GET /api/releases/ lists them."))
        return find_release(int(raw))


class ReleaseListView(ConditionalGetMixin, ListAPIView):
    """The numbered releases of the register, newest first: what a report cites ("as of release
    7"). Each is immutable: its package's hash never changes."""

    name = _("Releases")
    serializer_class = ReleaseSerializer
    queryset = Release.objects.metadata()
    filter_backends = []
    keyset_ordering = "-number"
    ordering_fields = ()

    @extend_schema(operation_id="releases_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReleaseDetailView(ReleaseView):
    """One release: number, title, notes, when it was made, its package's SHA-256 and size, its
    snapshot's, and its rows per table, with links to its package and its diffs."""

    name = _("Release")
    serializer_class = ReleaseSerializer

    @extend_schema(operation_id="releases_retrieve", parameters=[NUMBER], responses={200: ReleaseSerializer})
    def get(self, request, number):
        release = self.release_from(number)
        response = Response(ReleaseSerializer(release, context={"request": request}).data)
        return response


class ReleasePackageView(ReleaseView):
    """The release's data package, byte for byte as frozen when the release was made (its
    SHA-256 is the release's `package_sha256`, also sent as the ETag)."""

    name = _("Release package")
    schema = ConditionalGetSchema()  # If-None-Match with the package's hash: 304
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        operation_id="releases_package",
        parameters=[NUMBER],
        responses={
            (200, ZIP_TYPE): OpenApiResponse(
                {"contentMediaType": ZIP_TYPE},
                description="The data package of the release (a zip of CSV files and datapackage.json), unchanged "
                "since the release was made.",
            ),
        },
    )
    def get(self, request, number):
        return package_response(request, self.release_from(number))


def package_response(request, release: Release, *, conditional: bool = True):
    """The release's frozen package, with its hash as the ETag (a 304 for a client that has it);
    `conditional` False: neither (an address whose schema declares no ETag)."""
    etag = f'"{release.package_sha256}"'
    if conditional and etag in [
        tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")
    ]:
        unchanged = HttpResponseNotModified()
        unchanged["ETag"] = etag
        return unchanged
    package = bytes(Release.objects.filter(pk=release.pk).values_list("package", flat=True).get())
    response = HttpResponse(package, content_type=ZIP_TYPE)
    response["Content-Disposition"] = f'attachment; filename="release-{release.number}-data-package.zip"'
    if conditional:
        response["ETag"] = etag
    # Immutable: a cache may keep it as long as it likes.
    response["Cache-Control"] = "max-age=31536000, immutable"
    return response


# ---------------------------------------------------------------------------------------------
# Diffs


class DiffSideSerializer(serializers.Serializer):
    release = serializers.IntegerField(allow_null=True, help_text="The release number; null for the live register.")
    title = serializers.CharField()
    created_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the release was made; for 'now', the live register's last change (null if it is empty).",
    )


class StatusMoveSerializer(serializers.Serializer):
    table = serializers.ChoiceField(["pledges", "instruments"], help_text="The kind of record that moved.")
    record = serializers.CharField(help_text="The record's slug.")
    label = serializers.CharField(help_text="Its title (pledges) or name (instruments).")
    sequence = serializers.IntegerField(help_text="The status change's number in the record's history.")
    from_status = serializers.CharField(help_text="The status before ('' for the first).")
    to_status = serializers.CharField(help_text="The status after.")
    effective_date = serializers.DateField(allow_null=True, help_text="When the new status took effect.")
    quote = serializers.CharField(help_text="The source's phrase supporting the move.")
    source = serializers.CharField(help_text="The key of that source.")
    note = serializers.CharField(help_text="The analyst's note.")
    source_title = serializers.CharField(help_text="That source's title.")


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The column of the data package that changed.")
    # Any JSON value: text, a number, true/false or null.
    locals()["from"] = serializers.JSONField(help_text="The value before.")
    to = serializers.JSONField(help_text="The value after.")


class RecordChangeSerializer(serializers.Serializer):
    change = serializers.ChoiceField(["added", "removed", "changed"])
    table = serializers.CharField(help_text="The data package's table of the record.")
    key = serializers.DictField(help_text="The record's natural key, by column.")
    record = serializers.CharField(help_text="The natural key as one text ('slug', or parts joined by ' / ').")
    label = serializers.CharField(help_text="The record's title or name, where it has one.")
    fields = FieldChangeSerializer(many=True, required=False, help_text="changed: each field, before and after.")
    values = serializers.DictField(required=False, help_text="added / removed: the record's values.")


class DiffCountsSerializer(serializers.Serializer):
    status_moves = serializers.IntegerField()
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    changed = serializers.IntegerField()


class DiffSerializer(serializers.Serializer):
    locals()["from"] = DiffSideSerializer(help_text="The earlier side.")
    to = DiffSideSerializer(help_text="The later side: a release, or the live register ('now').")
    counts = DiffCountsSerializer()
    status_moves = StatusMoveSerializer(many=True, help_text="Status moves first: each new status-history row.")
    changes = RecordChangeSerializer(many=True, help_text="Records added, removed and changed, table by table.")


OTHER = OpenApiParameter(
    "other",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The later release's number, or `now` for the live register.",
    examples=[OpenApiExample("The live register", value="now")],
)
DIFF_DESCRIPTION = (
    "What changed from release `number` to release `other` (or to `now`, the live register): status moves first "
    "(pledge X: announced → agreed, with the date it took effect, the quote and the source), then every record "
    "added, removed or changed field by field, table by table of the data package, records named by their natural "
    "keys. Computed from the two frozen snapshots."
)


class ReleaseDiffMixin:
    def sides_and_diff(self, number: str, other: str) -> release_diff.Diff:
        old = self.release_from(number)
        if other == "now":
            with release_diff.live_side() as new:
                return release_diff.compare(release_diff.release_side(old), new)
        return release_diff.compare(release_diff.release_side(old), release_diff.release_side(self.release_from(other)))


class ReleaseDiffView(ReleaseDiffMixin, ReleaseView):
    name = _("Release diff")
    serializer_class = DiffSerializer

    @extend_schema(
        operation_id="releases_diff", description=DIFF_DESCRIPTION, parameters=[NUMBER, OTHER], responses=DiffSerializer
    )
    def get(self, request, number, other):
        return Response(self.sides_and_diff(number, other).as_dict())


class ReleaseDiffCSVView(ReleaseDiffMixin, ReleaseView):
    name = _("Release diff (CSV)")
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        operation_id="releases_diff_csv",
        description=DIFF_DESCRIPTION
        + " As CSV, one row per status move, record added or removed, and field changed.\n\n"
        + "Columns, in this order:\n\n"
        + "\n".join(f"- `{c.name}` ({exports.TYPES[c.type][0]}): {c.description}" for c in release_diff.CSV_COLUMNS),
        parameters=[NUMBER, OTHER, BOM],
        responses={(200, "text/csv"): OpenApiResponse({"type": "string"}, description="The diff as CSV.")},
    )
    def get(self, request, number, other):
        bom = wants_bom(request)
        found = self.sides_and_diff(number, other)
        chunks = exports.csv_chunks(release_diff.CSV_COLUMNS, release_diff.csv_rows(found), bom=bom)
        return exports.csv_response(chunks, f"release-{found.old.release.number}-to-{other}.csv")
