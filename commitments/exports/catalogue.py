"""The downloads the Data page lists: every table's CSV and XLSX and the summary reports, each
with the size of the file its address serves now (the unfiltered file), and the time of the
register's last change.

A size is measured, never estimated: the file is built by the same functions as the export
views, and the sizes are cached under the register's last change, so they are built again only
once the data has changed."""

import io
import itertools
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.db.models import IntegerField, Max, Value
from rest_framework.renderers import JSONRenderer

from .files import TABLES, csv_chunks, filtered_queryset, table_csv_chunks, write_workbook, write_xlsx
from .reports import SUMMARY_COLUMNS, summary, summary_json, summary_rows

CACHE_PREFIX = "downloads"
CACHE_SECONDS = 7 * 24 * 3600  # the key changes with the data; this only bounds a stale entry's life


@dataclass(frozen=True)
class Download:
    url_name: str  # under the API's namespace, e.g. "api:export-pledges-csv"
    format: str  # CSV, XLSX, JSON


def table_downloads() -> dict[str, tuple[Download, Download]]:
    """Each table's CSV and XLSX, by table name (the order of `TABLES`)."""
    return {
        table: (Download(f"api:export-{table}-csv", "CSV"), Download(f"api:export-{table}-xlsx", "XLSX"))
        for table in TABLES
    }


REPORTS = (
    Download("api:report-summary-csv", "CSV"),
    Download("api:report-summary-xlsx", "XLSX"),
    Download("api:report-summary-json", "JSON"),
)


def last_change():
    """When the register last changed: the newest audit entry (creations, edits and deletions of
    every audited record) or the newest `updated_at` (records loaded from fixtures keep the times
    they carry and leave no audit entry), in one query. None for an empty register."""
    parts = []
    for model in apps.get_app_config("commitments").get_models():
        fields = {field.name for field in model._meta.concrete_fields}
        if "history_id" in fields:
            column = "history_date"
        elif "updated_at" in fields:
            column = "updated_at"
        else:
            continue
        # Grouped by a constant: one row, the table's newest time (NULL when it is empty).
        grouped = model._default_manager.order_by().annotate(one=Value(1, output_field=IntegerField())).values("one")
        parts.append(grouped.annotate(at=Max(column)).values("at"))
    times = [row["at"] for row in parts[0].union(*parts[1:], all=True) if row["at"] is not None]
    return max(times, default=None)


def _size_of_chunks(chunks) -> int:
    return sum(len(chunk.encode("utf-8")) for chunk in chunks)


def _size_of_workbook(write) -> int:
    buffer = io.BytesIO()
    write(buffer)
    return buffer.getbuffer().nbytes


def _measure() -> dict[str, dict]:
    """{url name: {"bytes": size, "rows": rows}} of every download, built now."""
    measured = {}
    for table, (csv_file, xlsx_file) in table_downloads().items():
        queryset, _ = filtered_queryset(table, {})
        rows = queryset.count()
        measured[csv_file.url_name] = {"bytes": _size_of_chunks(table_csv_chunks(table, queryset)), "rows": rows}
        measured[xlsx_file.url_name] = {
            "bytes": _size_of_workbook(lambda fileobj, t=table, q=queryset: write_xlsx(t, q, fileobj)),
            "rows": rows,
        }
    pledges, _ = filtered_queryset("pledges", {})
    report = summary(pledges)
    rows = list(summary_rows(report))
    csv_report, xlsx_report, json_report = REPORTS
    measured[csv_report.url_name] = {"bytes": _size_of_chunks(csv_chunks(SUMMARY_COLUMNS, rows)), "rows": len(rows)}
    measured[xlsx_report.url_name] = {
        "bytes": _size_of_workbook(
            lambda fileobj: write_workbook("summary", SUMMARY_COLUMNS, itertools.chain(rows), fileobj)
        ),
        "rows": len(rows),
    }
    measured[json_report.url_name] = {"bytes": len(JSONRenderer().render(summary_json(report))), "rows": None}
    return measured


def sizes(changed) -> dict[str, dict]:
    """The measured size (and rows) of every download, cached under the register's last change
    `changed` (`last_change()`), so the files are built once per change of the data."""
    key = f"{CACHE_PREFIX}:{changed.isoformat() if changed else 'empty'}"
    measured = cache.get(key)
    if measured is None:
        measured = _measure()
        cache.set(key, measured, CACHE_SECONDS)
    return measured
