"""Thin viewsets: loading is PledgeQuerySet's job, filtering the shared FilterSets', rules the
models'. What is here is HTTP: ETags, If-None-Match and If-Match, status codes, the audit user."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
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

from .. import filtersets, models, services
from . import architecture, changes, facts, serializers
from . import review as review_api
from .errors import field_messages
from .etags import ConditionalGetMixin, content_etag
from .exports import CSVRenderer, pledge_csv_response
from .pagination import positive_int
from .release_reads import ReleaseReadMixin

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=settings.API_REQUIRE_IF_MATCH,
    description="The ETag of the pledge as last read (the `ETag` header of `GET /api/pledges/{id}/`); the write is "
    "refused with 412 if the pledge has changed since, and with 428 if If-Match is missing.",
)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The pledge has changed since you read it (ETag mismatch): reload it and apply your change again."
    )
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    """RFC 6585: the write must say which version of the pledge it changes."""

    status_code = 428
    default_detail = _(
        "This write needs an If-Match header with the pledge's current ETag, so that it cannot overwrite an edit "
        "you have not seen: GET /api/pledges/{id}/, and send its ETag header back as If-Match."
    )
    default_code = "precondition_required"


class ViewNameMixin:
    """Names for the browsable API's titles and breadcrumbs: "Summits", "Summit paris-2025", "Status
    history", rather than DRF's "Summit List", "Summit Instance", "History"."""

    def get_view_name(self):
        if self.name:
            return self.name
        meta = self.queryset.model._meta
        if self.suffix == "List":
            return capfirst(meta.verbose_name_plural)
        lookup = getattr(self, "kwargs", {}).get(self.lookup_url_kwarg or self.lookup_field)
        return f"{capfirst(meta.verbose_name)} {lookup}" if lookup else capfirst(meta.verbose_name)


class ReadOnlyViewSet(ReleaseReadMixin, ConditionalGetMixin, ViewNameMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = "[^/]+"  # any segment reaches the view, which answers a JSON 404
    # A detail address may show more than a list row: its serializer, and everything it prefetches
    # (in place of the list's prefetches).
    detail_serializer_class = None
    detail_prefetch: tuple = ()

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def get_object(self):
        # PostgreSQL cannot compare a NUL character: such a key names no record.
        if "\x00" in self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""):
            raise exceptions.NotFound()
        return super().get_object()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve" and self.detail_prefetch:
            return queryset.prefetch_related(None).prefetch_related(*self.detail_prefetch)
        return queryset


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The status (and the date it took effect) as it stood on this date (YYYY-MM-DD); a record with no "
    "status change by then answers 404.",
)


class AsOfDetailMixin:
    """A detail address of a record with a status history ignores the list's filters, except
    `as_of`, which changes what the record shows (its status then)."""

    def get_object(self):
        queryset = self.get_queryset()
        as_of = self.request.query_params.get("as_of")
        if as_of:
            form = self.filterset_class({"as_of": as_of}, queryset=queryset).form
            if not form.is_valid():
                raise exceptions.ValidationError(form.errors)
            queryset = queryset.as_of(form.cleaned_data["as_of"])
        return self.get_object_from(queryset)


def posts_with_holders():
    return models.Post.objects.select_related("person", "state")


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


def citations_with_sources():
    return models.Citation.objects.select_related("source")


class SummitViewSet(ReadOnlyViewSet):
    """Meetings where guarantees were discussed. Looked up by slug; one meeting's address also
    shows who attended (and who was reported absent), who represented each party, the head counts
    each source gives, who chaired it, and its citations. `?state=US` lists the meetings the party
    attended; `&attendance=absent`, those it was reported absent from."""

    queryset = models.Summit.objects.prefetch_related("hosts", "chairs", "organisers")
    serializer_class = serializers.SummitSerializer
    detail_serializer_class = serializers.SummitDetailSerializer
    detail_prefetch = (
        "hosts",
        "chairs",
        "organisers",
        Prefetch(
            "attendances",
            queryset=models.Attendance.objects.select_related("state", "source").prefetch_related(
                Prefetch("representatives", queryset=posts_with_holders())
            ),
        ),
        Prefetch("attendance_reports", queryset=models.AttendanceReport.objects.select_related("source")),
        Prefetch("chaired_by", queryset=posts_with_holders()),
        Prefetch("citations", queryset=citations_with_sources()),
    )
    filterset_class = filtersets.SummitFilterSet
    lookup_field = "slug"


class DeclarationViewSet(ReadOnlyViewSet):
    """Texts the parties produced, with signatories and endorsers. Looked up by slug; one text's
    address also shows who signed or endorsed for each party and on what source, its components
    in order, and its citations."""

    queryset = models.Declaration.objects.select_related("summit", "supersedes").prefetch_related(
        Prefetch("parties", queryset=models.DeclarationParty.objects.select_related("state"))
    )
    serializer_class = serializers.DeclarationSerializer
    detail_serializer_class = serializers.DeclarationDetailSerializer
    detail_prefetch = (
        Prefetch(
            "parties",
            queryset=models.DeclarationParty.objects.select_related("state", "source").prefetch_related(
                Prefetch("representatives", queryset=posts_with_holders())
            ),
        ),
        Prefetch("components", queryset=models.DeclarationComponent.objects.select_related("source")),
        Prefetch("citations", queryset=citations_with_sources()),
    )
    filterset_class = filtersets.DeclarationFilterSet
    lookup_field = "slug"


class IdLookupMixin:
    """Records looked up by id: anything but a number the database can hold is a JSON 404 (not a
    500 from the database refusing to compare it)."""

    def get_object(self):
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if not (lookup.isascii() and lookup.isdigit() and len(lookup) < 19):
            raise exceptions.NotFound()
        return super().get_object()


class ForceRequirementViewSet(ReadOnlyViewSet):
    """Force sizes the reports give for a planned deployment (not anyone's pledge): e.g. "between
    15,000 and 30,000 troops", where each was given, the instrument that must meet it, and its
    citations. Looked up by slug. The troops pledged against a requirement are on its instrument's
    address (`force_requirements`)."""

    queryset = models.ForceRequirement.objects.select_related("summit", "declaration", "instrument").prefetch_related(
        Prefetch("citations", queryset=citations_with_sources())
    )
    serializer_class = facts.ForceRequirementSerializer
    filterset_class = filtersets.ForceRequirementFilterSet
    lookup_field = "slug"


class CitationViewSet(ReadOnlyViewSet):
    """Every citation: a source's phrase supporting one record (a summit, a declaration, a pledge,
    a force requirement or an instrument), or one field of it. The records show their own
    citations too; here they can be read across records, by source or by kind. Looked up by key."""

    queryset = models.Citation.objects.select_related("source", *models.Citation.TARGETS)
    serializer_class = facts.CitationRecordSerializer
    filterset_class = filtersets.CitationFilterSet
    lookup_field = "key"


class StatusChangeViewSet(IdLookupMixin, ReadOnlyViewSet):
    """Every pledge's status changes, in the order they were recorded (by id): from which status to
    which, when it took effect, why, on what source. One pledge's are also at
    `/api/pledges/{id}/history/`.

    Instruments' status changes are at `/api/instrument-status-changes/`, not here: the two
    histories have different statuses (a pledge is `committed`, an instrument `operational`) and
    belong to different records (a pledge by id, an instrument by slug), so one endpoint would
    answer rows of two shapes with ids that collide, and filter on statuses that mean nothing for
    half of them. Looked up by id."""

    queryset = models.StatusChange.objects.select_related("pledge", "source")
    serializer_class = facts.StatusChangeRecordSerializer
    filterset_class = filtersets.StatusChangeFilterSet


class InstrumentStatusChangeViewSet(IdLookupMixin, ReadOnlyViewSet):
    """Every instrument's status changes, in the order they were recorded (by id). One instrument's
    are also at `/api/instruments/{slug}/history/`; pledges' are at `/api/status-changes/`. Looked
    up by id."""

    queryset = models.InstrumentStatusChange.objects.select_related("instrument", "source")
    serializer_class = facts.InstrumentStatusChangeRecordSerializer
    filterset_class = filtersets.InstrumentStatusChangeFilterSet


def statements_with_speakers():
    """Statements shown inside a record: oldest first, undated last (in every database)."""
    return models.Statement.objects.select_related("speaker", "state").order_by(
        F("made_on").asc(nulls_last=True), "slug"
    )


@extend_schema_view(retrieve=extend_schema(parameters=[AS_OF]))
class InstrumentViewSet(AsOfDetailMixin, ReadOnlyViewSet):
    """The instruments pledges build (a multinational force, a monitoring mechanism, a commission):
    who leads and takes part, their status (`?as_of=` for a past date), the pledges that contribute
    and each force requirement against them, statements about them. Looked up by slug."""

    queryset = models.Instrument.objects.with_related().prefetch_related(
        Prefetch(
            "contributions",
            queryset=models.Pledge.objects.select_related("part_of").prefetch_related("pledgers").order_by("id"),
        ),
        Prefetch("statements", queryset=statements_with_speakers()),
    )
    serializer_class = architecture.InstrumentSerializer
    filterset_class = filtersets.InstrumentFilterSet
    lookup_field = "slug"
    keyset_ordering = "id"
    ordering_fields = ()

    def get_queryset(self):
        if self.action == "history":
            return models.Instrument.objects.all()  # only to know the instrument exists
        return super().get_queryset()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # Every listed instrument's contribution figures in one query, not one per instrument.
        figures = models.Instrument.objects.filter(pk__in=[row.pk for row in page]).contribution_figures()
        context = {**self.get_serializer_context(), "figures": figures}
        return self.get_paginated_response(self.get_serializer(page, many=True, context=context).data)

    def get_object_from(self, queryset):
        return slug_lookup(self, queryset)

    @extend_schema(
        summary="The instrument's status history",
        responses={200: architecture.InstrumentStatusChangeSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="history",
        name=_("Status history"),
        serializer_class=architecture.InstrumentStatusChangeSerializer,
        filter_backends=[],
        keyset_ordering="sequence",
        ordering_fields=(),
    )
    def history(self, request, slug=None):
        instrument = slug_lookup(self, self.get_queryset())
        rows = models.InstrumentStatusChange.objects.filter(instrument=instrument).select_related("source")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def slug_lookup(view, queryset):
    """The record of the address's slug, or a JSON 404 (also for a slug the database cannot compare)."""
    slug = view.kwargs[view.lookup_url_kwarg or view.lookup_field]
    record = None if "\x00" in slug else queryset.filter(slug=slug).first()
    if record is None:
        raise exceptions.NotFound()
    view.check_object_permissions(view.request, record)
    return record


class PersonViewSet(ReadOnlyViewSet):
    """The people the reports name, with the posts they hold or held. Looked up by slug."""

    queryset = models.Person.objects.prefetch_related(
        Prefetch("posts", queryset=models.Post.objects.select_related("state", "source"))
    )
    serializer_class = architecture.PersonSerializer
    filterset_class = filtersets.PersonFilterSet
    lookup_field = "slug"


class PostViewSet(ReadOnlyViewSet):
    """Posts held for a state or body ('envoy', 'Chief of the Defence Staff'), with their holder
    where a report names one. Looked up by slug."""

    queryset = models.Post.objects.select_related("person", "state", "source")
    serializer_class = architecture.PostSerializer
    filterset_class = filtersets.PostFilterSet
    lookup_field = "slug"


class StatementViewSet(ReadOnlyViewSet):
    """What was said about the guarantees: speaker, party, date, stance, what it is about, and the
    quoted words with their source. Looked up by slug."""

    queryset = models.Statement.objects.with_related()
    serializer_class = architecture.StatementSerializer
    filterset_class = filtersets.StatementFilterSet
    lookup_field = "slug"


def pledge_etag(pledge: models.Pledge, data=None) -> str:
    """`"pledge-<id>-v<version>"`, and where the answer's body is at hand `.<digest>` of it after
    the version. If-Match compares the version part only (the pledge's own fields, pledgers,
    status: what a write could overwrite); If-None-Match compares the whole tag, so a 304 is never
    sent while anything the answer shows has changed (a citation edited on its own page, a
    statement about the pledge, a renamed summit), which leaves the version where it was."""
    version = f"pledge-{pledge.pk}-v{pledge.version}"
    if data is None:
        return f'"{version}"'
    return f'"{version}.{content_etag(data).strip(chr(34))[:16]}"'


def if_match_ok(header: str | None, pledge: models.Pledge) -> bool:
    if header is None:
        return True  # no precondition given, and none required (API_REQUIRE_IF_MATCH off)
    version = f"pledge-{pledge.pk}-v{pledge.version}"
    for tag in (tag.strip() for tag in header.split(",")):
        # Strong comparison: a weak W/ tag never matches. The digest after the version, if any,
        # is the body's, not the pledge's: it does not decide a write.
        if tag == "*" or tag == f'"{version}"' or (tag.startswith(f'"{version}.') and tag.endswith('"')):
            return True
    return False


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


# With review on (REVIEW_REQUIRED), a write by a user is kept as a pending revision: 202 Accepted
# with the revision (docs/review.md), the pledge unchanged until a reviewer approves it.
REVIEWED = "With review on, the edit is validated and kept for review: 202 with the pending revision."


@extend_schema_view(
    create=extend_schema(
        examples=[PLEDGE_EXAMPLE],
        description=REVIEWED,
        responses={201: serializers.PledgeDetailSerializer, **review_api.ACCEPTED},
    ),
    update=extend_schema(
        parameters=[IF_MATCH],
        examples=[PLEDGE_EXAMPLE],
        description=REVIEWED,
        responses={200: serializers.PledgeDetailSerializer, **review_api.ACCEPTED},
    ),
    partial_update=extend_schema(
        parameters=[IF_MATCH],
        examples=[PATCH_EXAMPLE],
        description=REVIEWED,
        responses={200: serializers.PledgeDetailSerializer, **review_api.ACCEPTED},
    ),
    destroy=extend_schema(parameters=[IF_MATCH], description=REVIEWED, responses={204: None, **review_api.ACCEPTED}),
)
@extend_schema_view(retrieve=extend_schema(parameters=[AS_OF, review_api.INCLUDE_PENDING]))
class PledgeViewSet(ReleaseReadMixin, AsOfDetailMixin, ConditionalGetMixin, ViewNameMixin, viewsets.ModelViewSet):
    """Pledges: who promised what, on which condition, where it stands. Detail responses carry an
    ETag; send it back in If-Match when writing to be sure nobody changed the pledge meanwhile."""

    # with_related_rows() (with_related()'s relations as lists the serializer reads without a
    # QuerySet per row) and the instrument a pledge contributes to (contributes_to and its detail)
    queryset = models.Pledge.objects.with_related_rows().select_related("contributes_to")
    serializer_class = serializers.PledgeSerializer
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = "[^/]+"
    filterset_class = filtersets.PledgeFilterSet
    ordering_fields = tuple(
        name for name in filtersets.PledgeFilterSet.base_filters["ordering"].param_map if not name.startswith("-")
    )
    keyset_ordering = "id"
    required_permissions = {"change_status": ["commitments.change_pledge", "commitments.add_statuschange"]}

    DETAIL_ACTIONS = ("retrieve", "create", "update", "partial_update")

    def get_queryset(self):
        if self.action == "history":
            return models.Pledge.objects.all()  # only to know the pledge exists
        if self.action in self.DETAIL_ACTIONS:
            return self.detail_queryset()
        return super().get_queryset()

    @classmethod
    def detail_queryset(cls):
        """A pledge as its address shows it: the list's relations and the statements about it."""
        return cls.queryset.all().prefetch_related(Prefetch("statements", queryset=statements_with_speakers()))

    def get_serializer_class(self):
        if self.action in self.DETAIL_ACTIONS:
            return serializers.PledgeDetailSerializer
        return super().get_serializer_class()

    def get_renderers(self):
        # ?format=csv: the whole filtered list as the documented export file, on the list only. With no
        # action (a method the route lacks) it stays, so the answer is 405, not a 404 from negotiation.
        renderers = super().get_renderers()
        return [*renderers, CSVRenderer()] if self.action in ("list", None) else renderers

    # The page is JSON; the same filters give every matching pledge as a CSV file at
    # /api/pledges/export.csv. `?format=csv` still answers that file here (older clients use it), but
    # is left out of the schema: one operation, one media type, so a generated client never reads
    # CSV as JSON.
    @extend_schema(
        description="The pledges, filtered, a page at a time. The same filters give every matching pledge as a "
        "CSV file at `/api/pledges/export.csv`, or a workbook at `/api/pledges/export.xlsx`.",
        parameters=[OpenApiParameter("format", exclude=True), review_api.INCLUDE_PENDING],
        responses={(200, "application/json"): serializers.PledgeSerializer(many=True)},
    )
    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == CSVRenderer.format:
            return pledge_csv_response(request, self.filter_queryset(self.get_queryset()))
        pending = review_api.wants_pending(request)
        response = super().list(request, *args, **kwargs)
        if pending:
            review_api.add_pending(request, models.Pledge, response.data["results"])
        return response

    def retrieve(self, request, *args, **kwargs):
        # Its ETag is the version's and the body's digest (pledge_etag): If-Match compares the
        # version, If-None-Match (ConditionalGetMixin) the whole tag.
        pending = review_api.wants_pending(request)
        pledge = self.get_object()
        response = self.pledge_response(pledge)
        if pending:
            review_api.add_pending(request, models.Pledge, response.data)
            response["ETag"] = pledge_etag(pledge, response.data)
        return response

    def pledge_response(self, pledge, status_code=status.HTTP_200_OK, headers=None):
        data = self.get_serializer(pledge).data
        response = Response(data, status=status_code, headers=headers)
        response["ETag"] = pledge_etag(pledge, data)
        return response

    def locked_pledge(self) -> models.Pledge:
        """The pledge, found and locked in one query until the transaction ends, then If-Match
        checked against it: a concurrent writer either finished before (and the ETag no longer
        matches, or the pledge is gone: 404) or waits for this one."""
        header = self.request.headers.get("If-Match")
        locked = self.get_object_from(models.Pledge.objects.select_for_update())
        if header is None and settings.API_REQUIRE_IF_MATCH:
            raise PreconditionRequired()
        if not if_match_ok(header, locked):
            raise PreconditionFailed()
        locked._locked_for_update = True  # change_status need not lock it again
        return locked

    def reloaded(self, pk) -> models.Pledge:
        return self.detail_queryset().get(pk=pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            pledge = serializer.save()
        if isinstance(pledge, models.Revision):
            return review_api.revision_response(request, pledge)
        pledge = self.reloaded(pledge.pk)
        location = api_reverse("api:pledge-detail", args=[pledge.pk], request=request)
        return self.pledge_response(pledge, status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            locked = self.locked_pledge()
            serializer = self.get_serializer(locked, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            result = serializer.save()
        if isinstance(result, models.Revision):
            return review_api.revision_response(request, result)
        return self.pledge_response(self.reloaded(locked.pk))

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            result = services.delete_pledge(self.locked_pledge(), user=request.user)
        if isinstance(result, models.Revision):
            return review_api.revision_response(request, result)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Change the pledge's status",
        description="Records a status change, kept in the pledge's history, under the same rules as a change "
        "made by the tracker's editors. Returns the new history entry; the ETag header is the pledge's new ETag. "
        "With review on, the change is validated and kept for review: 202 with the pending revision.",
        parameters=[IF_MATCH],
        examples=[STATUS_EXAMPLE],
        request=serializers.StatusChangeRequestSerializer,
        responses={201: serializers.StatusChangeSerializer, **review_api.ACCEPTED},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        with transaction.atomic():
            # The precondition first, as for the other writes: a stale or missing If-Match is a
            # 412 or 428 whatever the body holds.
            locked = self.locked_pledge()
            payload = serializers.StatusChangeRequestSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            values = payload.validated_data
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
                raise exceptions.ValidationError(field_messages(exc, services.STATUS_CHANGE_NAMES)) from None
        if isinstance(change, models.Revision):  # review on: the history waits for a reviewer
            return review_api.revision_response(request, change)
        # `change` is the saved row, with its source: nothing to read again.
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
        name=_("Status history"),
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


class ChangeFeedView(ReleaseReadMixin, ConditionalGetMixin, GenericAPIView):
    """Every create, update and delete of pledges, states, summits, declarations, sources,
    instruments, people, posts and statements, in the order recorded. Store `next` and GET it on
    the next pull: it returns the changes made since."""

    release_readable = False  # the audit trail is not in a release; compare releases with their diff

    name = _("Change feed")
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
            review_api.INCLUDE_PENDING,
        ],
        responses={200: serializers.ChangePageSerializer},
    )
    def get(self, request):
        pending = review_api.wants_pending(request)
        limit = positive_int(request, "page_size", 200, 1000)
        raw_since = request.query_params.get("since")
        if raw_since and "\x00" in raw_since:
            raise exceptions.ValidationError({"since": [gettext("Null characters are not allowed.")]})
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
        page = {"next": next_url, "has_more": has_more, "results": results}
        if pending:
            page["pending"] = review_api.pending_changes(request)
        return Response(serializers.ChangePageSerializer(page).data)


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request, path=""):
    """Any other address under /api/: a JSON 404 like the API's own, not the site's HTML page."""
    raise exceptions.NotFound(gettext("No such API address; GET /api/ lists the endpoints."))


class ApiRootView(ConditionalGetMixin, APIView):
    """The tracker's API: pledges to Ukraine, who made them, where, and where they stand."""

    name = "API"

    @extend_schema(responses={200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}})
    def get(self, request, format=None):
        names = {
            "pledges": "api:pledge-list",
            "states": "api:state-list",
            "summits": "api:summit-list",
            "declarations": "api:declaration-list",
            "sources": "api:source-list",
            "instruments": "api:instrument-list",
            "people": "api:person-list",
            "posts": "api:post-list",
            "statements": "api:statement-list",
            "force-requirements": "api:force-requirement-list",
            "citations": "api:citation-list",
            "status-changes": "api:status-change-list",
            "instrument-status-changes": "api:instrument-status-change-list",
            "changes": "api:change-list",
            "revisions": "api:revision-list",
            "data-package": "api:data-package-zip",
            "data-package-xlsx": "api:data-package-xlsx",
            "summary-report": "api:report-summary-json",
            "releases": "api:release-list",
            "schema": "api:schema",
            "docs": "api:docs",
        }
        return Response({name: api_reverse(view, request=request) for name, view in names.items()})
