"""Thin viewsets: loading is PledgeQuerySet's job, filtering the shared FilterSets', rules the
models'. What is here is HTTP: ETags and If-Match, status codes, the audit user."""

import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse as api_reverse
from rest_framework.views import APIView

from .. import filtersets, models
from ..export_views import CSVRenderer, pledge_csv_response
from . import changes, serializers
from .errors import field_messages
from .pagination import positive_int

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of the pledge as last read; the write is refused with 412 if it has changed since.",
)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The pledge has changed since you read it (ETag mismatch): reload it and apply your change again."
    default_code = "precondition_failed"


def content_etag(data) -> str:
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return f'"{digest[:32]}"'


class ContentETagMixin:
    """Read-only records: the ETag is a digest of the representation."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = content_etag(response.data)
        return response


class ReadOnlyViewSet(ContentETagMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = "[^/]+"  # any segment reaches the view, which answers a JSON 404


class StateViewSet(ReadOnlyViewSet):
    """Parties that pledge, sign and attend: states, organisations, coalitions. Looked up by code."""

    queryset = models.State.objects.all()
    serializer_class = serializers.StateSerializer
    filterset_class = filtersets.StateFilterSet
    lookup_field = "code"


class SourceViewSet(ReadOnlyViewSet):
    """The documents facts are drawn from. Looked up by key."""

    queryset = models.Source.objects.all()
    serializer_class = serializers.SourceSerializer
    filterset_class = filtersets.SourceFilterSet
    lookup_field = "key"


class SummitViewSet(ReadOnlyViewSet):
    """Meetings where guarantees were discussed. Looked up by slug."""

    queryset = models.Summit.objects.prefetch_related("hosts")
    serializer_class = serializers.SummitSerializer
    filterset_class = filtersets.SummitFilterSet
    lookup_field = "slug"


class DeclarationViewSet(ReadOnlyViewSet):
    """Texts the parties produced, with signatories and endorsers. Looked up by slug."""

    queryset = models.Declaration.objects.select_related("summit", "supersedes").prefetch_related(
        Prefetch("parties", queryset=models.DeclarationParty.objects.select_related("state"))
    )
    serializer_class = serializers.DeclarationSerializer
    filterset_class = filtersets.DeclarationFilterSet
    lookup_field = "slug"


def pledge_etag(pledge: models.Pledge) -> str:
    return f'"pledge-{pledge.pk}-v{pledge.version}"'


def if_match_ok(header: str | None, etag: str) -> bool:
    if header is None:
        return True  # no precondition given: the client accepts overwriting
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag in tags  # strong comparison: a weak W/ tag never matches


PLEDGE_EXAMPLE = OpenApiExample(
    "A joint troop pledge",
    request_only=True,
    value={
        "slug": "reassurance-force-troops",
        "title": "Troops for a reassurance force in Ukraine",
        "category": "troops",
        "pledgers": ["FR", "GB"],
        "troops_min": 10000,
        "troops_max": 30000,
        "quantity_text": "the bulk of the troops",
        "condition": "upon_ceasefire",
        "condition_text": "once a ceasefire is agreed",
        "condition_state": "pending",
    },
)
PATCH_EXAMPLE = OpenApiExample(
    "Mark as reviewed", request_only=True, value={"last_reviewed_at": "2025-09-04T12:00:00Z"}
)
STATUS_EXAMPLE = OpenApiExample(
    "Announced at a summit",
    request_only=True,
    value={
        "status": "announced",
        "effective_date": "2025-03-11",
        "note": "Announced at the Paris summit",
        "source": "bbc",
    },
)


@extend_schema_view(
    create=extend_schema(examples=[PLEDGE_EXAMPLE]),
    update=extend_schema(parameters=[IF_MATCH], examples=[PLEDGE_EXAMPLE]),
    partial_update=extend_schema(parameters=[IF_MATCH], examples=[PATCH_EXAMPLE]),
    destroy=extend_schema(parameters=[IF_MATCH]),
)
class PledgeViewSet(viewsets.ModelViewSet):
    """Pledges: who promised what, on which condition, where it stands. Detail responses carry an
    ETag; send it back in If-Match when writing to be sure nobody changed the pledge meanwhile."""

    queryset = models.Pledge.objects.with_related()
    serializer_class = serializers.PledgeSerializer
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = "[^/]+"
    filterset_class = filtersets.PledgeFilterSet
    ordering_fields = tuple(
        name for name in filtersets.PledgeFilterSet.base_filters["ordering"].param_map if not name.startswith("-")
    )
    keyset_ordering = "id"
    required_permissions = {"change_status": ["commitments.change_pledge", "commitments.add_statuschange"]}

    def get_queryset(self):
        if self.action == "history":
            return models.Pledge.objects.all()  # only to know the pledge exists
        return super().get_queryset()

    def get_renderers(self):
        # ?format=csv: the whole filtered list as the documented export file, on the list only. With no
        # action (a method the route lacks) it stays, so the answer is 405, not a 404 from negotiation.
        renderers = super().get_renderers()
        return [*renderers, CSVRenderer()] if self.action in ("list", None) else renderers

    @extend_schema(
        description="The pledges, filtered. `?format=csv` (with `bom=1` for Excel) returns every matching pledge "
        "as the CSV export documented in docs/exports.md instead of a JSON page."
    )
    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == CSVRenderer.format:
            return pledge_csv_response(request, self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        pledge = self.get_object()
        return self.pledge_response(pledge)

    def pledge_response(self, pledge, status_code=status.HTTP_200_OK, headers=None):
        response = Response(self.get_serializer(pledge).data, status=status_code, headers=headers)
        response["ETag"] = pledge_etag(pledge)
        return response

    def locked_pledge(self) -> models.Pledge:
        """The pledge, locked until the transaction ends, after checking If-Match against it: a
        concurrent writer either finished before (and the ETag no longer matches) or waits."""
        pledge = self.get_object()
        locked = models.Pledge.objects.select_for_update().get(pk=pledge.pk)
        if not if_match_ok(self.request.headers.get("If-Match"), pledge_etag(locked)):
            raise PreconditionFailed()
        return locked

    def reloaded(self, pk) -> models.Pledge:
        return models.Pledge.objects.with_related().get(pk=pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            pledge = serializer.save()
        pledge = self.reloaded(pledge.pk)
        location = api_reverse("api:pledge-detail", args=[pledge.pk], request=request)
        return self.pledge_response(pledge, status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            locked = self.locked_pledge()
            serializer = self.get_serializer(locked, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            serializer.save()
        return self.pledge_response(self.reloaded(locked.pk))

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            locked = self.locked_pledge()
            locked._history_user = request.user
            locked.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Change the pledge's status",
        description="Records a status change (kept in the pledge's history) through the same model method as "
        "the admin. Returns the new history entry; the ETag header is the pledge's new ETag.",
        parameters=[IF_MATCH],
        examples=[STATUS_EXAMPLE],
        request=serializers.StatusChangeRequestSerializer,
        responses={201: serializers.StatusChangeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        payload = serializers.StatusChangeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        with transaction.atomic():
            locked = self.locked_pledge()
            try:
                change = locked.change_status(
                    values["status"],
                    effective_date=values["effective_date"],
                    precision=values["precision"],
                    note=values["note"],
                    source=values["source"],
                    quote=values["quote"],
                    attribution=values["attribution"],
                    user=request.user,
                )
            except DjangoValidationError as exc:
                raise exceptions.ValidationError(
                    field_messages(exc, serializers.StatusChangeRequestSerializer.RENAMES)
                ) from None
        change = models.StatusChange.objects.select_related("source").get(pk=change.pk)
        response = Response(serializers.StatusChangeSerializer(change, context={"request": request}).data, status=201)
        response["ETag"] = pledge_etag(locked)
        return response

    @extend_schema(
        summary="The pledge's status history", responses={200: serializers.StatusChangeSerializer(many=True)}
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="history",
        serializer_class=serializers.StatusChangeSerializer,
        filter_backends=[],
        keyset_ordering="sequence",
        ordering_fields=(),
    )
    def history(self, request, pk=None):
        pledge = self.get_object()
        rows = models.StatusChange.objects.filter(pledge=pledge).select_related("source")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        # Detail routes ignore the list filters (except as_of, which changes what a pledge shows).
        queryset = self.get_queryset()
        as_of = self.request.query_params.get("as_of")
        if as_of:
            form = filtersets.PledgeFilterSet({"as_of": as_of}, queryset=queryset).form
            if not form.is_valid():
                raise exceptions.ValidationError(form.errors)
            queryset = queryset.as_of(form.cleaned_data["as_of"])
        obj = self.get_object_from(queryset)
        return obj

    def get_object_from(self, queryset):
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if not (lookup.isascii() and lookup.isdigit() and len(lookup) < 19):
            raise exceptions.NotFound()
        try:
            obj = queryset.get(pk=int(lookup))
        except models.Pledge.DoesNotExist:
            raise exceptions.NotFound() from None
        self.check_object_permissions(self.request, obj)
        return obj


class ChangeFeedView(GenericAPIView):
    """Every create, update and delete of pledges, states, summits, declarations and sources, in
    the order recorded. Store `next` and GET it on the next pull (README, API section)."""

    serializer_class = serializers.ChangePageSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.STR,
                description="A cursor from a previous `next` link, or an ISO 8601 date or time (changes at or "
                "after it). Without it, the feed starts at the beginning.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": 1000},
                description="Entries per page, 1 to 1000 (default 200).",
            ),
        ],
        responses={200: serializers.ChangePageSerializer},
    )
    def get(self, request):
        limit = positive_int(request, "page_size", 200, 1000)
        raw_since = request.query_params.get("since")
        if raw_since and "\x00" in raw_since:
            raise exceptions.ValidationError({"since": ["Null characters are not allowed."]})
        position = changes.parse_since(raw_since)
        entries = changes.read_changes(position, limit + 1)
        has_more = len(entries) > limit
        entries = entries[:limit]
        since = changes.cursor_after(entries[-1]) if entries else raw_since
        query = request.query_params.copy()
        if since:
            query["since"] = since
        next_url = request.build_absolute_uri(request.path) + ("?" + query.urlencode() if query else "")
        results = [
            {
                "resource": entry["resource"],
                "id": entry["object_id"],
                "lookup": entry["lookup"],
                "change": entry["change"],
                "at": entry["at"],
                "url": None
                if entry["change"] == "deleted"
                else request.build_absolute_uri(reverse(f"api:{entry['resource']}-detail", args=[entry["lookup"]])),
            }
            for entry in entries
        ]
        page = serializers.ChangePageSerializer({"next": next_url, "has_more": has_more, "results": results})
        return Response(page.data)


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request, path=""):
    """Any other address under /api/: a JSON 404 like the API's own, not the site's HTML page."""
    raise exceptions.NotFound("No such API address; GET /api/ lists the endpoints.")


class ApiRootView(APIView):
    """The tracker's API: pledges to Ukraine, who made them, where, and where they stand."""

    @extend_schema(responses={200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}})
    def get(self, request, format=None):
        names = {
            "pledges": "api:pledge-list",
            "states": "api:state-list",
            "summits": "api:summit-list",
            "declarations": "api:declaration-list",
            "sources": "api:source-list",
            "changes": "api:change-list",
            "schema": "api:schema",
            "docs": "api:docs",
        }
        return Response({name: api_reverse(view, request=request) for name, view in names.items()})
