"""The files as HTTP responses: a streamed CSV, a workbook sent from a temporary file. The API's
export views and the admin's export action both answer with these."""

import itertools
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(table: str, extension: str) -> str:
    """'pledges-2026-01-06.csv': the table and the day it was exported."""
    return f"{table}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(chunks, name: str) -> StreamingHttpResponse:
    """A streamed CSV whose first chunk (the header and the first row, see `files.csv_chunks`) is
    made before the response starts: a query that fails is an error status (a 503 while the
    database is down), not a 200 that a script would take for a short file."""
    chunks = iter(chunks)
    first = next(chunks, "")
    response = StreamingHttpResponse(itertools.chain([first], chunks), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_response(write, name: str) -> FileResponse:
    """`write(fileobj)` builds the workbook in a temporary file (openpyxl needs to seek), which the
    response then sends and closes."""
    return file_response(write, name, XLSX_TYPE)


def file_response(write, name: str, content_type: str) -> FileResponse:
    """`write(fileobj)` builds the file in a temporary file, which the response then sends and closes."""
    spool = tempfile.TemporaryFile()
    write(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=content_type)
