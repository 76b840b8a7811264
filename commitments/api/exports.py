"""The file exports and the summary reports under /api/, as DRF views: the API's authentication
(tokens, sessions), its read rule, its throttles and its filters (each table's FilterSet, a bad
value a 400 naming the parameter) apply to them as to every other endpoint.

The files themselves are built by `commitments.exports`; the admin's export action and the
management commands build the same files from the same functions."""

import json

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import exports

BOM_VALUES = {"": False, "0": False, "false": False, "1": True, "true": True}
BOM = OpenApiParameter(
    "bom",
    {"type": "string", "enum": sorted(BOM_VALUES)},
    description="1 or true: start the CSV with a UTF-8 byte-order mark, which Excel needs to read UTF-8 by "
    "double-click. Empty: not given (no mark).",
)


def wants_bom(request) -> bool:
    """`?bom=`, read as strictly as the filters: a value it cannot understand is a 400, not a guess."""
    raw = request.query_params.get("bom", "")
    if raw not in BOM_VALUES:
        raise ValidationError({"bom": ["Use 1 or true for a byte-order mark, 0 or false for none."]})
    return BOM_VALUES[raw]


def pledge_csv_response(request, queryset):
    """The pledge CSV of an already filtered queryset; the pledge list's `?format=csv` answers with it too."""
    return exports.csv_response(
        exports.pledge_csv_chunks(queryset, bom=wants_bom(request)), exports.filename("pledges", "csv")
    )


class CSVRenderer:
    """Lets the pledge list accept `?format=csv` (content negotiation would otherwise answer 404)
    and hand the request to `pledge_csv_response`; it never renders data itself: only errors (400,
    401, 429…) reach it, and they go out as the JSON they are."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class FirstRenderer(BaseContentNegotiation):
    """A file endpoint answers with its file whatever the Accept header says; its errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FileSchema(AutoSchema):
    """A file answers with every row its filters select: document those filters, as for a list
    (drf-spectacular documents filters on list views only)."""

    def get_filter_backends(self):
        return getattr(self.view, "filter_backends", [])


class ExportView(GenericAPIView):
    """Base of the export and report views: one table, filtered by its FilterSet."""

    table = ""
    schema = FileSchema()
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer

    def get_queryset(self):
        return exports.TABLES[self.table].model.objects.all()

    @property
    def filterset_class(self):
        return exports.TABLES[self.table].filterset

    def selected(self):
        """The rows the request's filters select (a bad filter raises: 400 with its messages)."""
        return self.filter_queryset(self.get_queryset())


def file_schema(media_type: str, description: str, *, bom: bool = False):
    return extend_schema(
        parameters=[BOM] if bom else [],
        responses={(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)},
    )


class TableCSVView(ExportView):
    """One table as CSV, every row the filters select, streamed; the columns are documented in
    docs/exports.md."""

    @file_schema("text/csv", "The CSV file (RFC 4180, UTF-8).", bom=True)
    def get(self, request):
        queryset = self.selected()
        if self.table == "pledges":
            return pledge_csv_response(request, queryset)
        chunks = exports.table_csv_chunks(self.table, queryset, bom=wants_bom(request))
        return exports.csv_response(chunks, exports.filename(self.table, "csv"))


class TableXLSXView(ExportView):
    """One table as an Excel workbook, with a second sheet documenting the columns."""

    @file_schema(exports.XLSX_TYPE, "The workbook: sheet 1 the rows, sheet 2 the columns.")
    def get(self, request):
        queryset = self.selected()
        return exports.xlsx_response(
            lambda fileobj: exports.write_xlsx(self.table, queryset, fileobj), exports.filename(self.table, "xlsx")
        )


class SummaryCSVView(ExportView):
    """The summary report of the selected pledges as one CSV table (docs/exports.md, 'Summary report')."""

    table = "pledges"

    @file_schema("text/csv", "The summary as one CSV table.", bom=True)
    def get(self, request):
        report = exports.summary(self.selected())
        chunks = exports.csv_chunks(exports.SUMMARY_COLUMNS, exports.summary_rows(report), bom=wants_bom(request))
        return exports.csv_response(chunks, exports.filename("summary", "csv"))


class SummaryXLSXView(ExportView):
    """The summary report of the selected pledges as an Excel workbook (the CSV's table and columns)."""

    table = "pledges"

    @file_schema(exports.XLSX_TYPE, "The summary as a workbook: sheet 1 the table, sheet 2 the columns.")
    def get(self, request):
        rows = exports.summary_rows(exports.summary(self.selected()))
        return exports.xlsx_response(
            lambda fileobj: exports.write_workbook("summary", exports.SUMMARY_COLUMNS, rows, fileobj),
            exports.filename("summary", "xlsx"),
        )


class SummaryJSONView(ExportView):
    """The summary report as JSON: totals by state, category, status, summit, and force gaps."""

    table = "pledges"

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(exports.summary_json(exports.summary(self.selected())))
