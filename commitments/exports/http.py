"""The files as HTTP responses: a streamed CSV, a workbook sent from a temporary file. The API's
export views and the admin's export action both answer with these."""

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(table: str, extension: str) -> str:
    """'pledges-2026-01-06.csv': the table and the day it was exported."""
    return f"{table}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(chunks, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_response(write, name: str) -> FileResponse:
    """`write(fileobj)` builds the workbook in a temporary file (openpyxl needs to seek), which the
    response then sends and closes."""
    spool = tempfile.TemporaryFile()
    write(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)
