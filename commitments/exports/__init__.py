"""Exports: one column spec per table, a streaming CSV writer, XLSX, and the summary reports.

The API views, the admin action and the management commands all call these functions, so the
three ways to a file give the same columns in the same order (docs/exports.md).

- columns: the column specs (names, types, meanings, import roles) and pandas dtypes
- files: the rows of each table, the streaming CSV writer, the XLSX workbook, the filters
- reports: the summary report
- http: the files as HTTP responses
- package_tables, package, workbook: the whole register as a Frictionless data package and as one workbook
"""

from .columns import (
    DECLARATION_COLUMNS,
    IMPORT_OPTIONAL,
    INSTRUMENT_COLUMNS,
    PERSON_COLUMNS,
    PLEDGE_COLUMNS,
    POST_COLUMNS,
    STATE_COLUMNS,
    STATEMENT_COLUMNS,
    STATUS_CHANGE_COLUMNS,
    SUMMIT_COLUMNS,
    TEXT_TYPES,
    TYPES,
    Column,
    pandas_read_csv_kwargs,
)
from .files import (
    CHUNK_SIZE,
    ESCAPE,
    FLUSH_BYTES,
    FORMULA_TRIGGERS,
    TABLES,
    XLSX_FORMATS,
    XLSX_WIDTHS,
    Table,
    cell,
    csv_chunks,
    filter_params,
    filtered_queryset,
    formula_safe,
    iter_pledges,
    pledge_csv_chunks,
    table_csv_chunks,
    unescape,
    write_workbook,
    write_xlsx,
)
from .http import (
    ROW_COUNT_HEADER,
    XLSX_TYPE,
    counted_csv_response,
    csv_response,
    file_response,
    filename,
    xlsx_response,
)
from .reports import FIGURES, SUMMARY_COLUMNS, summary, summary_json, summary_rows

__all__ = [
    "CHUNK_SIZE",
    "DECLARATION_COLUMNS",
    "ESCAPE",
    "FIGURES",
    "FLUSH_BYTES",
    "FORMULA_TRIGGERS",
    "IMPORT_OPTIONAL",
    "INSTRUMENT_COLUMNS",
    "PERSON_COLUMNS",
    "PLEDGE_COLUMNS",
    "POST_COLUMNS",
    "ROW_COUNT_HEADER",
    "STATEMENT_COLUMNS",
    "STATE_COLUMNS",
    "STATUS_CHANGE_COLUMNS",
    "SUMMARY_COLUMNS",
    "SUMMIT_COLUMNS",
    "TABLES",
    "TEXT_TYPES",
    "TYPES",
    "XLSX_FORMATS",
    "XLSX_TYPE",
    "XLSX_WIDTHS",
    "Column",
    "Table",
    "cell",
    "counted_csv_response",
    "csv_chunks",
    "csv_response",
    "file_response",
    "filename",
    "filter_params",
    "filtered_queryset",
    "formula_safe",
    "iter_pledges",
    "pandas_read_csv_kwargs",
    "pledge_csv_chunks",
    "summary",
    "summary_json",
    "summary_rows",
    "table_csv_chunks",
    "unescape",
    "write_workbook",
    "write_xlsx",
    "xlsx_response",
]
