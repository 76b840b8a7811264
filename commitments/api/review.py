"""Review before publication through the API (docs/review.md): the queue of revisions
(`/api/revisions/`, with approve / return / withdraw), the 202 answer of a write that waits for
review, and `?include=pending` on the pledges (each record's pending revisions)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse as api_reverse

from .. import filtersets, review
from ..models import ApiToken, Revision
from .errors import field_messages
from .etags import ConditionalGetMixin

INCLUDE_PENDING = OpenApiParameter(
    "include",
    OpenApiTypes.STR,
    enum=["pending"],
    description="`pending`: add each record's pending revisions (edits waiting for review) as `pending_revisions`. "
    "Needs the permission to view revisions (Analyst and Reviewer roles); 403 otherwise.",
)


def wants_pending(request) -> bool:
    """`?include=pending`, allowed for users who may see revisions; 403 for anyone else."""
    include = request.query_params.get("include")
    if include in (None, ""):
        return False
    if include != "pending":
        raise exceptions.ValidationError({"include": [gettext("The only value is `pending`.")]})
    if request.query_params.get("release") not in (None, ""):
        raise exceptions.ValidationError(
            {"include": [gettext("Pending revisions are edits of the live register: leave out ?release= to see them.")]}
        )
    user = request.user
    if not (user and user.is_authenticated and user.has_perm(review.VIEW_PERMISSION)):
        raise exceptions.PermissionDenied(gettext("Pending revisions are shown to analysts and reviewers only."))
    return True


class DiffRowSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name ('' for a deletion).")
    label = serializers.CharField(help_text="The field's name as a reader reads it.")
    base = serializers.CharField(help_text="Its value when the revision was proposed.")
    proposed = serializers.CharField(help_text="The value the revision proposes.")
    now = serializers.CharField(help_text="Its published value now ('' for a new record).")
    moved = serializers.BooleanField(help_text="True if the published value moved since the revision's base.")


class RevisionSerializer(serializers.ModelSerializer):
    """An edit waiting for review, or decided: what it proposes, field by field, and who decided."""

    url = serializers.HyperlinkedIdentityField(view_name="api:revision-detail")
    model = serializers.CharField(source="content_type.model", read_only=True, help_text="Kind of record.")
    author = serializers.CharField(source="author.username", read_only=True)
    reviewer = serializers.CharField(source="reviewer.username", read_only=True, allow_null=True, default=None)
    diff = serializers.SerializerMethodField(help_text="The field diff: base, proposed and published values.")
    also_pending = serializers.SerializerMethodField(
        help_text="Other pending revisions of the same record: they conflict; approving one may refuse the other."
    )

    class Meta:
        model = Revision
        fields = [
            "url",
            "id",
            "model",
            "object_id",
            "action",
            "summary",
            "state",
            "author",
            "created_at",
            "reviewer",
            "reviewed_at",
            "comment",
            "payload",
            "base",
            "diff",
            "also_pending",
        ]
        read_only_fields = fields

    @extend_schema_field(DiffRowSerializer(many=True))
    def get_diff(self, revision) -> list:
        return review.diff(revision)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_also_pending(self, revision) -> list[int]:
        return review.also_pending(revision)


class PendingRevisionSerializer(serializers.ModelSerializer):
    """A pending revision as a record's `pending_revisions` show it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:revision-detail")
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Revision
        fields = ["url", "id", "action", "author", "created_at", "payload"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when sending back; optional on approval."
    )


class RevisionPermission(permissions.BasePermission):
    """Reading the queue needs `view_revision`; a decision is the workflow's to allow (reviewer, not
    the author; the author alone withdraws), with a read-write token for a token client."""

    message = _("Seeing revisions needs the Analyst or Reviewer role.")

    def has_permission(self, request, view):
        user = request.user
        if getattr(view, request.method.lower(), None) is None:
            return True
        if not (user and user.is_authenticated):
            return False
        if request.method not in permissions.SAFE_METHODS and isinstance(request.auth, ApiToken):
            if not request.auth.can_write:
                self.message = gettext("This token is read-only: writing needs a read-write token.")
                return False
        return user.has_perm(review.VIEW_PERMISSION)


def revision_response(request, revision: Revision) -> Response:
    """The answer to a write that waits for review: 202 Accepted, the revision, its address."""
    data = RevisionSerializer(revision, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


ACCEPTED = {202: RevisionSerializer}


class RevisionViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """The review queue: edits waiting for a second person (pending first), and those decided.
    A reviewer who is not the author approves one (it is published at once) or sends it back with
    a comment; its author may withdraw it."""

    queryset = Revision.objects.select_related("author", "reviewer", "content_type")
    serializer_class = RevisionSerializer
    permission_classes = [RevisionPermission]
    filterset_class = filtersets.RevisionFilterSet
    lookup_value_regex = "[0-9]{1,18}"
    keyset_ordering = "-id"
    ordering_fields = ("id", "created_at")

    def decide(self, request, pk, decision):
        revision = self.get_object()
        payload = DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = payload.validated_data["comment"]
        try:
            revision = decision(revision, request.user, comment)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(field_messages(exc)) from None
        return Response(RevisionSerializer(revision, context={"request": request}).data)

    @extend_schema(
        summary="Approve and publish the revision",
        description="Re-validates the edit and writes it, as its author, in one transaction. Refused (400, nothing "
        "written, the revision stays pending) if the record changed since in a field the revision names, or the "
        "edit now breaks a rule; 403 for the revision's author or without the Reviewer role.",
        request=DecisionSerializer,
        responses={200: RevisionSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.decide(request, pk, review.approve)

    @extend_schema(
        summary="Send the revision back to its author",
        description="With a comment (required). Nothing is published. 403 for its author or without the Reviewer role.",
        request=DecisionSerializer,
        responses={200: RevisionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        return self.decide(request, pk, review.send_back)

    @extend_schema(
        summary="Withdraw your own pending revision",
        request=None,
        responses={200: RevisionSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.decide(request, pk, lambda revision, user, comment: review.withdraw(revision, user))

    def get_view_name(self):
        if self.suffix == "List":
            return gettext("Revisions")
        return (gettext("Revision %(number)s") % {"number": self.kwargs.get("pk", "")}).strip()


def pending_by_record(model, ids) -> dict:
    """{record id: [pending revisions]} for these records, in one query."""
    from django.contrib.contenttypes.models import ContentType

    rows = (
        Revision.objects.pending()
        .filter(content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids))
        .select_related("author")
        .order_by("id")
    )
    out: dict = {}
    for row in rows:
        out.setdefault(row.object_id, []).append(row)
    return out


def add_pending(request, model, data) -> None:
    """Add `pending_revisions` to each record in `data` (one record's dict, or a list of them)."""
    records = data if isinstance(data, list) else [data]
    found = pending_by_record(model, [r["id"] for r in records])
    for record in records:
        rows = found.get(record["id"], [])
        record["pending_revisions"] = PendingRevisionSerializer(rows, many=True, context={"request": request}).data


def pending_changes(request) -> list[dict]:
    """Every pending revision, oldest first, as the change feed lists it with `?include=pending`."""
    rows = Revision.objects.pending().select_related("author", "content_type").order_by("created_at", "id")
    return [
        {
            "revision": api_reverse("api:revision-detail", args=[row.pk], request=request),
            "resource": row.content_type.model,
            "id": row.object_id,
            "action": row.action,
            "author": row.author.username,
            "at": row.created_at,
        }
        for row in rows
    ]
