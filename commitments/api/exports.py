"""The file exports and the summary reports under /api/, as DRF views: the API's authentication
(tokens, sessions), its read rule, its throttles and its filters (each table's FilterSet, a bad
value a 400 naming the parameter) apply to them as to every other endpoint.

The files themselves are built by `commitments.exports`; the admin's export action and the
management commands build the same files from the same functions."""

import json

from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import exports
from .release_reads import ReleaseReadMixin

# Every CSV route starts with a UTF-8 byte-order mark unless asked not to: the files are opened by
# double-click in Excel, which reads UTF-8 without a mark as the local code page (the data hold
# curly quotes, dashes and Ukrainian names). Python's "utf-8-sig", pandas and most CSV readers
# skip it; `?bom=0` leaves it out for one that does not.
BOM_VALUES = {"": True, "0": False, "false": False, "1": True, "true": True}
BOM = OpenApiParameter(
    "bom",
    {"type": "string", "enum": sorted(BOM_VALUES)},
    description="The CSV starts with a UTF-8 byte-order mark, which Excel needs to read UTF-8 by double-click "
    "(Python's utf-8-sig, pandas and most readers skip it). 0 or false: no mark. Empty, 1 or true: the mark.",
)


def wants_bom(request) -> bool:
    """`?bom=` (the mark unless 0 or false), read as strictly as the filters: a value it cannot
    understand is a 400, not a guess."""
    raw = request.query_params.get("bom", "")
    if raw not in BOM_VALUES:
        raise ValidationError({"bom": [gettext("Use 1 or true for a byte-order mark, 0 or false for none.")]})
    return BOM_VALUES[raw]


def pledge_csv_response(request, queryset):
    """The pledge CSV of an already filtered queryset; the pledge list's `?format=csv` answers with it too."""
    bom = wants_bom(request)
    return exports.counted_csv_response(
        queryset, lambda qs: exports.pledge_csv_chunks(qs, bom=bom), exports.filename("pledges", "csv")
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


def columns_description(columns) -> str:
    """The columns of a file, for API users: name, what a cell holds, what it means."""
    lines = [f"- `{c.name}` ({exports.TYPES[c.type][0]}): {c.description}" for c in columns]
    return "Columns, in this order (new ones are only ever added at the end):\n\n" + "\n".join(lines)


CSV_FORMAT = (
    "RFC 4180 CSV in UTF-8 with a header row. Times are UTC with microseconds "
    "(`2025-03-01T12:00:00.000000+00:00`); a blank cell is unknown, never 0. A text cell starting with `=`, `+`, "
    "`-`, `@`, a tab, a carriage return or `'` has one `'` put before it, so that a spreadsheet shows it as text "
    "rather than run it as a formula: remove that one `'` to get the text back. The file starts with a UTF-8 "
    "byte-order mark, which Excel needs to read UTF-8 on double-click (`bom=0`: without it)."
)
XLSX_FORMAT = (
    "An Excel workbook: sheet 1 the rows (the CSV's columns; times in UTC, as Excel has no time zones), sheet 2 "
    "the columns and their meaning."
)


class FileSchema(AutoSchema):
    """A file answers with every row its filters select: document those filters, as for a list
    (drf-spectacular documents filters on list views only), its operation by table and format,
    and its response with the file's columns."""

    def get_filter_backends(self):
        return getattr(self.view, "filter_backends", [])

    def get_operation_id(self):
        return self.view.operation_id()

    def get_description(self):
        return self.view.describe()

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            for response in operation["responses"].values():
                if response.get("description") == FILE_PLACEHOLDER:
                    response["description"] = self.view.describe_file()
        return operation


FILE_PLACEHOLDER = "(the file)"


class ExportView(ReleaseReadMixin, GenericAPIView):
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

    extension = ""

    def operation_id(self) -> str:
        return f"{self.table}_export_{self.extension}"

    def columns(self):
        return exports.TABLES[self.table].columns

    def describe(self) -> str:
        return (
            f"Every record of `/api/{self.table}/` that the filters select (the list's filters), as one file: no pages."
        )

    def describe_file(self) -> str:
        fmt = CSV_FORMAT if self.extension == "csv" else XLSX_FORMAT
        return f"{fmt}\n\n{columns_description(self.columns())}"


# In OpenAPI 3.1 a text file is a string; a binary one is described by its media type alone.
TEXT_FILE = {"type": "string"}


def file_schema(media_type: str, *, bom: bool = False):
    schema = TEXT_FILE if media_type.startswith("text/") else {"contentMediaType": media_type}
    return extend_schema(
        parameters=[BOM] if bom else [],
        responses={(200, media_type): OpenApiResponse(schema, description=FILE_PLACEHOLDER)},
    )


class TableCSVView(ExportView):
    """One table as CSV, every row the filters select, streamed."""

    extension = "csv"

    @file_schema("text/csv", bom=True)
    def get(self, request):
        queryset = self.selected()
        if self.table == "pledges":
            return pledge_csv_response(request, queryset)
        bom = wants_bom(request)
        return exports.counted_csv_response(
            queryset, lambda qs: exports.table_csv_chunks(self.table, qs, bom=bom), exports.filename(self.table, "csv")
        )


class TableXLSXView(ExportView):
    """One table as an Excel workbook, with a second sheet documenting the columns."""

    extension = "xlsx"

    @file_schema(exports.XLSX_TYPE)
    def get(self, request):
        queryset = self.selected()
        return exports.xlsx_response(
            lambda fileobj: exports.write_xlsx(self.table, queryset, fileobj), exports.filename(self.table, "xlsx")
        )


class SummaryMixin:
    """The summary report of the pledges the filters select (the filters of `/api/pledges/`)."""

    table = "pledges"

    def operation_id(self) -> str:
        return f"reports_summary_{self.extension}"

    def columns(self):
        return exports.SUMMARY_COLUMNS

    def describe(self) -> str:
        return (
            "The summary report of the pledges the filters select (the filters of `/api/pledges/`): the total, "
            "totals by state, category, status and summit, and each force requirement against the troops "
            "pledged. A joint pledge counts in the row of each of its pledgers and once everywhere else; shares "
            "of a larger pledge are left out (the larger pledge counts them)."
        )


class SummaryCSVView(SummaryMixin, ExportView):
    """The summary report of the selected pledges as one CSV table, a row per group."""

    extension = "csv"

    @file_schema("text/csv", bom=True)
    def get(self, request):
        report = exports.summary(self.selected())
        chunks = exports.csv_chunks(exports.SUMMARY_COLUMNS, exports.summary_rows(report), bom=wants_bom(request))
        return exports.csv_response(chunks, exports.filename("summary", "csv"))


class SummaryXLSXView(SummaryMixin, ExportView):
    """The summary report of the selected pledges as an Excel workbook (the CSV's table and columns)."""

    extension = "xlsx"

    @file_schema(exports.XLSX_TYPE)
    def get(self, request):
        rows = exports.summary_rows(exports.summary(self.selected()))
        return exports.xlsx_response(
            lambda fileobj: exports.write_workbook("summary", exports.SUMMARY_COLUMNS, rows, fileobj),
            exports.filename("summary", "xlsx"),
        )


def summary_json_schema() -> dict:
    """The summary JSON's shape, from the same column specs as the CSV: numbers as JSON numbers,
    decimals as strings (exact), unknown sums null."""
    described = {c.name: c for c in exports.SUMMARY_COLUMNS}

    def figure(name: str) -> dict:
        column = described[name]
        nullable = exports.reports.NO_PLEDGES.get(name, 0) is None or name.startswith(("requirement_", "gap_"))
        kind = "string" if column.type == "decimal" else "integer"
        schema = {"type": [kind, "null"] if nullable else kind, "description": column.description}
        if column.type == "decimal":
            schema["format"] = "decimal"
        return schema

    figures = [*exports.reports.FIGURE_NAMES, "eur_pledges", "troop_pledges_open_ended"]
    group = {"key": {"type": "string", "description": described["key"].description}, "label": {"type": "string"}}
    row = {
        "type": "object",
        "required": [*group, *figures],
        "properties": {**group, **{name: figure(name) for name in figures}},
    }
    requirement_names = ["requirement_min", "requirement_max", "gap_min", "gap_max"]
    requirement = {
        "type": "object",
        "required": [*row["required"], "instrument", *requirement_names],
        "properties": {
            **row["properties"],
            "instrument": {"type": "string", "description": described["instrument"].description},
            **{name: figure(name) for name in requirement_names},
        },
    }
    total = {"type": "object", "required": figures, "properties": {name: figure(name) for name in figures}}
    return {
        "type": "object",
        "required": [
            "generated_at",
            "currency",
            "total",
            "by_state",
            "by_category",
            "by_status",
            "by_summit",
            "force_requirements",
        ],
        "properties": {
            "generated_at": {"type": "string", "format": "date-time", "description": "When the report was made."},
            "currency": {"type": "string", "enum": ["EUR"], "description": "The currency of every amount."},
            "total": {**total, "description": "All pledges selected, each counted once."},
            "by_state": {"type": "array", "items": row, "description": "A row per pledging state (key: its code)."},
            "by_category": {"type": "array", "items": row, "description": "A row per category, every one listed."},
            "by_status": {"type": "array", "items": row, "description": "A row per status, every one listed."},
            "by_summit": {
                "type": "array",
                "items": row,
                "description": "A row per summit with pledges (key: its slug), then one with key '' for pledges made "
                "at none.",
            },
            "force_requirements": {
                "type": "array",
                "items": requirement,
                "description": "Each force requirement (key: its slug) against the troops pledged.",
            },
        },
    }


class SummaryJSONView(SummaryMixin, ExportView):
    """The summary report as JSON: totals by state, category, status, summit, and force gaps."""

    extension = "json"

    @extend_schema(responses={200: OpenApiResponse(summary_json_schema(), description="The summary report.")})
    def get(self, request):
        return Response(exports.summary_json(exports.summary(self.selected())))
