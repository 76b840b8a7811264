"""Plain Django views for the file exports and the summary report, under /api/.

They honour the same FilterSets as the API and the same read rule: anonymous visitors only while
PUBLIC_READ is on. They are not DRF views on purpose: a streamed CSV needs no serializer, and the
API's `?format=csv` calls `pledge_csv_response` below, so every route gives the same file."""

import tempfile

from django.conf import settings
from django.http import FileResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import exports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRUE = ("1", "true", "yes", "on")


def _api_authentication(request):
    """(user or None, error message or None, authenticators) from the API's authentication classes (REST_FRAMEWORK
    settings), so a script's API token works here as on the DRF endpoints."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    drf_request = Request(request, authenticators=authenticators)
    try:
        user = drf_request.user
    except APIException as exc:
        return None, str(exc.detail), authenticators
    return (user if user and user.is_authenticated else None), None, authenticators


def read_denied(request):
    """None when the request may read; else the 401 response that says why not. The API's rule:
    anyone while PUBLIC_READ is on, otherwise a signed-in user (session) or an API credential."""
    if settings.PUBLIC_READ or request.user.is_authenticated:
        return None
    user, failure, authenticators = _api_authentication(request)
    if user is not None:
        request.user = user
        return None
    detail = failure or "Authentication credentials were not provided. Log in or send an API token."
    response = JsonResponse({"detail": detail}, status=401)
    challenge = next((a.authenticate_header(request) for a in authenticators if a.authenticate_header(request)), None)
    response["WWW-Authenticate"] = challenge or 'Session realm="tracker"'
    return response


def filtered(request, table: str):
    """(queryset, None) for valid filters, or (None, a 400 response naming each bad field)."""
    queryset, errors = exports.filtered_queryset(table, request.GET, request)
    if errors:
        return None, JsonResponse({"errors": errors}, status=400)
    return queryset, None


def filename(table: str, extension: str) -> str:
    return f"{table}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(chunks, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def wants_bom(request) -> bool:
    return request.GET.get("bom", "").lower() in TRUE


def pledge_csv_response(request, queryset) -> StreamingHttpResponse:
    """The pledge CSV of an already filtered queryset; the API's `?format=csv` calls this too."""
    return csv_response(exports.pledge_csv_chunks(queryset, bom=wants_bom(request)), filename("pledges", "csv"))


class CSVRenderer:
    """Lets a DRF view accept `?format=csv` (content negotiation would otherwise answer 404) and
    hand the request to `pledge_csv_response`; it never renders data itself. Add it to the view's
    `renderer_classes` and, in `list`, when `request.accepted_renderer.format == "csv"`, return
    `pledge_csv_response(request, self.filter_queryset(self.get_queryset()))`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors (400, 401, ...) reach here, the CSV itself being a StreamingHttpResponse:
        # they go out as the JSON they are.
        import json

        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _guarded(view):
    """Read rule and filters for a view taking (request, table, queryset)."""

    def wrapper(request, table: str):
        denied = read_denied(request)
        if denied:
            return denied
        queryset, error = filtered(request, table)
        if error:
            return error
        return view(request, table, queryset)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return require_GET(wrapper)


@_guarded
def export_csv(request, table, queryset):
    """Stream one table as CSV: `?bom=1` for a UTF-8 BOM (Excel), any filter of its FilterSet."""
    if table == "pledges":
        return pledge_csv_response(request, queryset)
    return csv_response(exports.table_csv_chunks(table, queryset, bom=wants_bom(request)), filename(table, "csv"))


@_guarded
def export_xlsx(request, table, queryset):
    """One table as an Excel workbook, with a second sheet documenting the columns."""
    # The workbook is built in a temporary file (openpyxl needs to seek), then sent from it.
    spool = tempfile.TemporaryFile()  # FileResponse closes it
    exports.write_xlsx(table, queryset, spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename(table, "xlsx"), content_type=XLSX_TYPE)


@_guarded
def summary_csv(request, table, queryset):
    """The summary report as one CSV table (see docs/exports.md, 'Summary report')."""
    report = exports.summary(queryset)
    chunks = exports.csv_chunks(exports.SUMMARY_COLUMNS, exports.summary_rows(report), bom=wants_bom(request))
    return csv_response(chunks, filename("summary", "csv"))


@_guarded
def summary_json(request, table, queryset):
    """The summary report as JSON: totals by state, category, status, summit, and force gaps."""
    return JsonResponse(exports.summary_json(exports.summary(queryset)), json_dumps_params={"ensure_ascii": False})
