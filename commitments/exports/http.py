"""The files as HTTP responses: a streamed CSV, a workbook sent from a temporary file. The API's
export views and the admin's export action both answer with these."""

import itertools
import tempfile
from collections.abc import Callable, Iterator

from django.db import connections, transaction
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


# The header that tells a client how many data rows (lines after the header) a complete file has.
ROW_COUNT_HEADER = "X-Row-Count"


def counted_csv_response(queryset, chunks_of: Callable[[object], Iterator[str]], name: str) -> StreamingHttpResponse:
    """A streamed CSV of `queryset` whose `X-Row-Count` header gives the number of rows the file
    holds, counted in the same snapshot as the rows are read: the count and the stream run in one
    transaction, REPEATABLE READ on PostgreSQL (SQLite's read transaction is a snapshot too), so a
    pledge written meanwhile is in neither or both. A client that gets fewer rows than the header
    says got a cut file (a dead worker also ends the chunked body without its last chunk, which
    HTTP clients report as an error). `chunks_of(queryset)` makes the file's chunks."""
    snapshot = _Snapshot(queryset.db)
    try:
        count = queryset.count()
        chunks = iter(chunks_of(queryset))
        first = next(chunks, "")
    except BaseException:
        snapshot.close()
        raise
    response = StreamingHttpResponse(snapshot.stream(first, chunks), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response[ROW_COUNT_HEADER] = str(count)
    return response


class _Snapshot:
    """A read transaction held open while a response streams, ended when the stream ends or the
    response is closed (the WSGI server closes it, also when the client goes away). Inside a
    transaction the caller holds (a test's), the snapshot is that transaction's and nothing is
    opened here, so a response never read to its end cannot leave one behind."""

    def __init__(self, using: str):
        connection = connections[using]
        self.open = not connection.in_atomic_block
        if self.open:
            self.atomic = transaction.atomic(using=using)
            self.atomic.__enter__()
            if connection.vendor == "postgresql":
                # The transaction's first statement, as PostgreSQL requires.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    # JIT compiling the export's query took ~1.5 s of a 200k-row file's ~6 s and
                    # gains nothing on a query that per-row subqueries dominate.
                    cursor.execute("SET LOCAL jit = off")

    def close(self) -> None:
        if self.open:
            self.open = False
            self.atomic.__exit__(None, None, None)

    def stream(self, first: str, chunks: Iterator[str]) -> Iterator[str]:
        try:
            yield first
            yield from chunks
        finally:
            self.close()


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
