"""The downloads the Data page lists: the data package and its workbook, every table's CSV and
XLSX and the summary reports, each
with the size of the file its address serves now (the unfiltered file), and the time of the
register's last change.

A size is measured, never estimated: the file is built by the same functions as the export
views, and the sizes are cached under the register's last change, so they are built again only
once the data has changed."""

import datetime
import io
import itertools
from dataclasses import dataclass
from typing import NamedTuple

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, DateTimeField, IntegerField, Max, Value
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from .files import TABLES, csv_chunks, filtered_queryset, table_csv_chunks, write_workbook, write_xlsx
from .package import write_package
from .reports import SUMMARY_COLUMNS, summary, summary_json, summary_rows
from .workbook import write_package_workbook

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


PACKAGE = (
    Download("api:data-package-zip", "ZIP"),
    Download("api:data-package-xlsx", "XLSX"),
)


class Change(NamedTuple):
    """The register's state as the cache keys it: when it last changed, and how many rows its
    tables and their audit trails hold (which moves even when records arrive without an audit
    entry or a newer time, as a raw fixture load does)."""

    at: datetime.datetime | None
    rows: int

    def key(self) -> str:
        return f"{CACHE_PREFIX}:{self.at.isoformat() if self.at else 'empty'}:{self.rows}"


def last_change() -> Change:
    """When the register last changed: the newest audit entry (creations, edits and deletions of
    every audited record) or the newest `updated_at` (records loaded from fixtures keep the times
    they carry and leave no audit entry), with the number of rows of the register's tables (its
    audited models) and their audit trails, in one query. `at` is None for an empty register."""
    parts = []
    for model in apps.get_app_config("commitments").get_models():
        fields = {field.name for field in model._meta.concrete_fields}
        if "history_id" in fields:  # an audit trail
            at = Max("history_date")
        elif hasattr(model, "history"):  # a table of the register
            at = Max("updated_at") if "updated_at" in fields else Value(None, output_field=DateTimeField())
        else:  # not the register's data (API tokens)
            continue
        # Grouped by a constant: one row, the table's newest time (NULL if none) and its size.
        grouped = model._default_manager.order_by().annotate(one=Value(1, output_field=IntegerField())).values("one")
        parts.append(grouped.annotate(at=at, rows=Count("pk")).values("at", "rows"))
    tables = list(parts[0].union(*parts[1:], all=True))
    return Change(
        max((row["at"] for row in tables if row["at"] is not None), default=None), sum(row["rows"] for row in tables)
    )


def _size_of_chunks(chunks) -> int:
    return sum(len(chunk.encode("utf-8")) for chunk in chunks)


def _size_of_workbook(write) -> int:
    buffer = io.BytesIO()
    write(buffer)
    return buffer.getbuffer().nbytes


def _measure() -> dict[str, dict]:
    """{url name: {"bytes": size, "rows": rows}} of every download, built now."""
    package_zip, package_xlsx = PACKAGE
    measured = {
        package_zip.url_name: {"bytes": _size_of_workbook(write_package), "rows": None},
        package_xlsx.url_name: {"bytes": _size_of_workbook(write_package_workbook), "rows": None},
    }
    for table, (csv_file, xlsx_file) in table_downloads().items():
        queryset, _ = filtered_queryset(table, {})
        rows = queryset.count()
        # As served: with the byte-order mark every CSV route starts with.
        measured[csv_file.url_name] = {
            "bytes": _size_of_chunks(table_csv_chunks(table, queryset, bom=True)),
            "rows": rows,
        }
        measured[xlsx_file.url_name] = {
            "bytes": _size_of_workbook(lambda fileobj, t=table, q=queryset: write_xlsx(t, q, fileobj)),
            "rows": rows,
        }
    pledges, _ = filtered_queryset("pledges", {})
    report = summary(pledges)
    rows = list(summary_rows(report))
    csv_report, xlsx_report, json_report = REPORTS
    measured[csv_report.url_name] = {
        "bytes": _size_of_chunks(csv_chunks(SUMMARY_COLUMNS, rows, bom=True)),
        "rows": len(rows),
    }
    measured[xlsx_report.url_name] = {
        "bytes": _size_of_workbook(
            lambda fileobj: write_workbook("summary", SUMMARY_COLUMNS, itertools.chain(rows), fileobj)
        ),
        "rows": len(rows),
    }
    measured[json_report.url_name] = {"bytes": len(JSONRenderer().render(summary_json(report))), "rows": None}
    return measured


def sizes(changed: Change) -> dict[str, dict]:
    """The measured size (and rows) of every download, cached under the register's last change
    (`last_change()`), so the files are built once per change of the data, and per language (a
    workbook's column descriptions are in the reader's language, docs/i18n.md)."""
    key = f"{changed.key()}:{translation.get_language()}"
    measured = cache.get(key)
    if measured is None:
        measured = _measure()
        cache.set(key, measured, CACHE_SECONDS)
    return measured
