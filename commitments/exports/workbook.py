"""The data package as one Excel workbook: a README sheet (title, licence, generation time,
content hash, and every table's columns with their meaning), then a sheet per table with the same
rows as the package's CSV files.

Each sheet has its header frozen, an autofilter over its rows and column widths by type. Numbers
and dates are typed cells (times in UTC, without offset: Excel has no time zones); text is stored
as text, neutralised as in the CSV (a formula-like value gets a leading `'`), so a value that
begins with `=` stays text. openpyxl's write-only mode streams each sheet to a temporary file, so
memory stays flat whatever the row count."""

import datetime
import hashlib

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .files import _XML_ILLEGAL, csv_chunks, formula_safe
from .package import LICENSE_NOTE, LICENSES, TITLE
from .package_tables import PACKAGE_TABLES, PackageTable

README = "README"


def _text(sheet, value: str) -> WriteOnlyCell:
    text = WriteOnlyCell(sheet, value=_XML_ILLEGAL.sub("\ufffd", formula_safe(value)))
    text.data_type = "s"  # never a formula, whatever it begins with
    return text


def _value(sheet, value):
    if isinstance(value, str):
        # openpyxl would store a string starting with "=" as a formula; neutralised, none does, so
        # each is a text cell (cheaper than a WriteOnlyCell per value).
        return _XML_ILLEGAL.sub("\ufffd", formula_safe(value))
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def _bold(sheet, values) -> list:
    cells = []
    for value in values:
        header = WriteOnlyCell(sheet, value=value)
        header.font = Font(bold=True)
        cells.append(header)
    return cells


def content_hash() -> str:
    """The package's `hash`: sha256 over the CSV files' bytes, table by table (as `write_package`)."""
    digest = hashlib.sha256()
    for table in PACKAGE_TABLES.values():
        for chunk in csv_chunks(table.columns, table.csv_rows()):
            digest.update(chunk.encode("utf-8"))
    return f"sha256:{digest.hexdigest()}"


def _readme(workbook, created: datetime.datetime) -> None:
    sheet = workbook.create_sheet(README)
    for letter, width in zip("ABCD", (28, 30, 12, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    about = [
        ("title", TITLE),
        ("licence", f"{LICENSES[0]['name']} ({LICENSES[0]['path']})"),
        ("licence note", LICENSE_NOTE),
        ("generated", created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("content hash", content_hash() + " (the same data as the data package's CSV files)"),
        (
            "reading",
            "One sheet per table. A reference to another record is that record's natural key "
            "(a state's code, a slug, a source's key). Blank means unknown. Times are in UTC. "
            "Text beginning with =, +, -, @ or ' carries one more leading ' (remove it to get the stored value).",
        ),
    ]
    for name, value in about:
        sheet.append([_text(sheet, name), _text(sheet, value)])
    sheet.append([])
    sheet.append(_bold(sheet, ["table", "column", "type", "meaning"]))
    for table in PACKAGE_TABLES.values():
        key = ", ".join(table.primary_key)
        sheet.append([_text(sheet, table.name), None, None, _text(sheet, f"{table.description} Key: {key}.")])
        for column in table.columns:
            sheet.append(
                [
                    _text(sheet, table.name),
                    _text(sheet, column.name),
                    _text(sheet, column.type),
                    _text(sheet, column.description + (f" One of: {', '.join(column.enum)}." if column.enum else "")),
                ]
            )


def _table_sheet(workbook, table: PackageTable) -> None:
    sheet = workbook.create_sheet(table.name)
    # Widths and the frozen header are written before the rows; the autofilter after them.
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(column.width, len(column.name) + 2)
    sheet.freeze_panes = "A2"
    sheet.append(_bold(sheet, [c.name for c in table.columns]))
    count = 0
    for row in table.rows():
        sheet.append([_value(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{count + 1}"


def write_package_workbook(fileobj, *, created: datetime.datetime | None = None) -> None:
    """Write the workbook to `fileobj` (openpyxl needs it seekable)."""
    workbook = Workbook(write_only=True)
    _readme(workbook, created or timezone.now())
    for table in PACKAGE_TABLES.values():
        _table_sheet(workbook, table)
    workbook.save(fileobj)
