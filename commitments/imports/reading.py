"""Reading the file: size, encoding, CSV syntax, the header, and each cell by its column's type."""

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .. import bounds
from ..exports import IMPORT_OPTIONAL, PLEDGE_COLUMNS, STATUS_CHANGE_COLUMNS, Column, unescape
from .report import ImportReport, RowError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_CELL_CHARS = 10_000
MAX_ROWS = 20_000
# Spreadsheet rows: the header is row 1, so the first pledge is row 2.
HEADER_ROW = 1

COLUMNS: dict[str, Column] = {c.name: c for c in (*PLEDGE_COLUMNS, *STATUS_CHANGE_COLUMNS)}
REQUIRED = tuple(c.name for c in PLEDGE_COLUMNS if c.import_role != "read" and c.name not in IMPORT_OPTIONAL)
STATUS_DETAILS = tuple(c.name for c in STATUS_CHANGE_COLUMNS)
INTEGER = re.compile(r"^[0-9]+$")


# --------------------------------------------------------------------------------------------
# Reading the file


def read_rows(data: bytes, report: ImportReport) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, cells) of the file; errors go to the report."""
    if len(data) > MAX_FILE_BYTES:
        report.errors.append(
            RowError(
                0,
                "",
                _("The file is %(size)s bytes; the import takes at most %(limit)s bytes.")
                % {
                    "size": number_format(len(data), force_grouping=True),
                    "limit": number_format(MAX_FILE_BYTES, force_grouping=True),
                },
            )
        )
        return [], []
    try:
        text = data.decode("utf-8-sig")  # a BOM (Excel's "CSV UTF-8") is welcome, not required
    except UnicodeDecodeError as exc:
        report.errors.append(
            RowError(
                0,
                "",
                _("The file is not UTF-8 text (byte %(byte)s). Save it as 'CSV UTF-8 (comma delimited)'.")
                % {"byte": number_format(exc.start, force_grouping=True)},
            )
        )
        return [], []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    header: list[str] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=HEADER_ROW):
            if number == HEADER_ROW:
                header = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue  # spreadsheets leave blank lines at the end
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                report.errors.append(
                    RowError(
                        number,
                        "",
                        _("The import takes at most %(rows)s rows per file.")
                        % {"rows": number_format(MAX_ROWS, force_grouping=True)},
                    )
                )
                return header, []
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = _("a cell is longer than %(limit)s characters") % {
                "limit": number_format(MAX_CELL_CHARS, force_grouping=True)
            }
        report.errors.append(
            RowError(number + 1, "", _("The CSV cannot be read here: %(reason)s.") % {"reason": reason})
        )
        return header, []
    if not header:
        report.errors.append(RowError(HEADER_ROW, "", _("The file is empty: it needs a header row.")))
    return header, rows


def check_header(header: list[str]) -> str:
    """'' when the header is usable; else one message naming missing, unknown and repeated columns."""
    problems = []
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if missing:
        problems.append(_("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown column(s): %(columns)s") % {"columns": ", ".join(repr(n) for n in unknown)})
    if repeated:
        problems.append(_("repeated column(s): %(columns)s") % {"columns": ", ".join(repeated)})
    if not problems:
        return ""
    return _(
        "The header does not match the pledge export: %(problems)s. Start from a file exported by the tracker "
        "(docs/exports.md lists the columns)."
    ) % {"problems": "; ".join(problems)}


# --------------------------------------------------------------------------------------------
# Cells


class CellError(ValueError):
    pass


def parse_cell(column: Column, raw: str):
    """The value of one cell by its column type; CellError says what is wrong in the analyst's terms."""
    if column.type in ("text",):
        return unescape(raw)
    value = raw.strip()
    if column.type in ("code", "codes"):
        value = unescape(value)
        if value and column.choices and value not in column.choices:
            raise CellError(
                _("'%(value)s' is not one of: %(choices)s.") % {"value": value, "choices": ", ".join(column.choices)}
            )
        return value
    if value == "":
        return None
    if column.type == "integer":
        if not INTEGER.match(value):
            raise CellError(_("'%(value)s' is not a whole number (write digits only, e.g. 15000).") % {"value": value})
        return int(value)
    if column.type == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CellError(
                _("'%(value)s' is not a number (use '.' for decimals and no thousands separator).") % {"value": value}
            ) from None
        if not number.is_finite():
            raise CellError(_("'%(value)s' is not a number.") % {"value": value})
        return number
    if column.type == "date":
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CellError(_("'%(value)s' is not a date written YYYY-MM-DD.") % {"value": value}) from None
    if column.type == "datetime":
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise CellError(
                _("'%(value)s' is not a date and time written YYYY-MM-DDTHH:MM:SS+00:00.") % {"value": value}
            ) from None
        try:
            bounds.check_time(moment)
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
    raise CellError(_("Column type %(type)s cannot be imported.") % {"type": column.type})
