"""CSV import of pledges and status updates: every row validated first, then all written or none.

The file is the pledge export (docs/exports.md), edited: rows are matched by `slug`; a new slug
creates a pledge. Columns the import writes are those with import_role "write"; a different
`status` is applied through `Pledge.change_status`, with the `status_*` columns saying when, on
which source and why. Derived columns (pledger names, first source, updated_at) are ignored, so
an unchanged export imports as "no changes" and writes nothing, not even an audit row.

- reading: size, encoding, CSV syntax, header, cells by column type
- planning: every row validated and its change planned, nothing written
- writing: the plan written in one transaction
- report: row errors, row plans, the report shown to the analyst
"""

from .planning import plan_import
from .reading import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ROWS, check_header, parse_cell, read_rows
from .report import ImportReport, RowError, RowPlan
from .writing import apply_import

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportReport",
    "RowError",
    "RowPlan",
    "apply_import",
    "check_header",
    "import_pledges",
    "parse_cell",
    "plan_import",
    "read_rows",
]


def import_pledges(data: bytes, *, dry_run: bool = False, user=None, reason: str = "CSV import") -> ImportReport:
    """Validate `data` (the bytes of a CSV file) and, unless `dry_run` or any row fails, write it."""
    report = plan_import(data)
    if dry_run or not report.ok:
        return report
    return apply_import(report, user=user, reason=reason)
