"""CSV import of pledges and status updates: every row validated first, then all written or none.

The file is the pledge export (docs/exports.md), edited: rows are matched by `slug`; a new slug
creates a pledge. Columns the import writes are those with import_role "write"; a different
`status` is applied through `Pledge.change_status`, with the `status_*` columns saying when, on
which source and why. Derived columns (pledger names, first source, updated_at) are ignored, so
an unchanged export imports as "no changes" and writes nothing, not even an audit row.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models as db_models
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import models
from .choices import DatePrecision, Status
from .exports import PLEDGE_COLUMNS, STATUS_CHANGE_COLUMNS, Column, unescape

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_CELL_CHARS = 10_000
MAX_ROWS = 20_000
# Spreadsheet rows: the header is row 1, so the first pledge is row 2.
HEADER_ROW = 1

COLUMNS: dict[str, Column] = {c.name: c for c in (*PLEDGE_COLUMNS, *STATUS_CHANGE_COLUMNS)}
REQUIRED = tuple(c.name for c in PLEDGE_COLUMNS if c.import_role != "read")
WRITABLE = tuple(c.name for c in PLEDGE_COLUMNS if c.import_role == "write" and c.name != "pledger_codes")
STATUS_DETAILS = tuple(c.name for c in STATUS_CHANGE_COLUMNS)
# Model fields the import compares and writes (foreign keys by their id).
FK_COLUMNS = {"part_of": "part_of_id", "summit": "summit_id", "declaration": "declaration_id"}
INTEGER = re.compile(r"^[0-9]+$")
# StatusChange field -> the import column that gives it.
STATUS_CHANGE_FIELDS = {
    "effective_date": "status_effective_date",
    "effective_precision": "status_date_precision",
    "note": "status_note",
    "quote": "status_quote",
    "source": "status_source",
    "to_status": "status",
    "from_status": "status",
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class RowPlan:
    """What one row will do: create, update or nothing; the fields it changes (old, new); the
    status change it asks for."""

    row: int
    slug: str
    action: str  # "create", "update" or "unchanged"
    changes: dict = field(default_factory=dict)
    instance: models.Pledge | None = None
    pledgers: list | None = None
    part_of_slug: str = ""
    status_change: dict | None = None
    expected_version: int | None = None


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    plans: list[RowPlan] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)

    @property
    def status_changes(self) -> int:
        return sum(1 for p in self.plans if p.status_change)

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} error(s); nothing was written."
        verb = "Imported" if self.applied else "Would import"
        return (
            f"{verb} {len(self.plans)} row(s): {self.count('create')} new, {self.count('update')} changed, "
            f"{self.count('unchanged')} unchanged; {self.status_changes} status change(s)."
        )

    def lines(self) -> list[str]:
        """The report as text: errors, or one line per new or changed pledge."""
        if self.errors:
            return [str(e) for e in self.errors]
        out = []
        for plan in self.plans:
            if plan.action == "unchanged":
                continue
            parts = [f"{name}: {_show(old)} → {_show(new)}" for name, (old, new) in plan.changes.items()]
            out.append(f"row {plan.row} {plan.action} {plan.slug}" + (f" ({'; '.join(parts)})" if parts else ""))
        return out


def _show(value) -> str:
    if value is None or value == "":
        return "(blank)"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


class _Abort(Exception):
    """Raised inside the write transaction to roll it back with row errors."""

    def __init__(self, errors):
        self.errors = errors


# --------------------------------------------------------------------------------------------
# Reading the file


def read_rows(data: bytes, report: ImportReport) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, cells) of the file; errors go to the report."""
    if len(data) > MAX_FILE_BYTES:
        report.errors.append(
            RowError(0, "", f"The file is {len(data):,} bytes; the import takes at most {MAX_FILE_BYTES:,} bytes.")
        )
        return [], []
    try:
        text = data.decode("utf-8-sig")  # a BOM (Excel's "CSV UTF-8") is welcome, not required
    except UnicodeDecodeError as exc:
        report.errors.append(
            RowError(
                0, "", f"The file is not UTF-8 text (byte {exc.start:,}). Save it as 'CSV UTF-8 (comma delimited)'."
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
                report.errors.append(RowError(number, "", f"The import takes at most {MAX_ROWS:,} rows per file."))
                return header, []
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a cell is longer than {MAX_CELL_CHARS:,} characters"
        report.errors.append(RowError(number + 1, "", f"The CSV cannot be read here: {reason}."))
        return header, []
    if not header:
        report.errors.append(RowError(HEADER_ROW, "", "The file is empty: it needs a header row."))
    return header, rows


def check_header(header: list[str]) -> str:
    """'' when the header is usable; else one message naming missing, unknown and repeated columns."""
    problems = []
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s): " + ", ".join(repr(n) for n in unknown))
    if repeated:
        problems.append("repeated column(s): " + ", ".join(repeated))
    if not problems:
        return ""
    return (
        "The header does not match the pledge export: "
        + "; ".join(problems)
        + ". Start from a file exported by the tracker (docs/exports.md lists the columns)."
    )


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
            raise CellError(f"'{value}' is not one of: {', '.join(column.choices)}.")
        return value
    if value == "":
        return None
    if column.type == "integer":
        if not INTEGER.match(value):
            raise CellError(f"'{value}' is not a whole number (write digits only, e.g. 15000).")
        return int(value)
    if column.type == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CellError(f"'{value}' is not a number (use '.' for decimals and no thousands separator).") from None
        if not number.is_finite():
            raise CellError(f"'{value}' is not a number.")
        return number
    if column.type == "date":
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CellError(f"'{value}' is not a date written YYYY-MM-DD.") from None
    if column.type == "datetime":
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise CellError(f"'{value}' is not a date and time written YYYY-MM-DDTHH:MM:SS+00:00.") from None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
    raise CellError(f"Column type {column.type} cannot be imported.")


def _constraint_columns(model=models.Pledge, rename=None) -> dict[str, str]:
    """Constraint message -> the columns it involves, so a broken rule is reported on its columns."""
    rename = rename or {}

    def names(node) -> set[str]:
        found = set()
        for child in getattr(node, "children", []):
            if isinstance(child, tuple):
                found.add(child[0].split("__")[0])
                if isinstance(child[1], db_models.F):
                    found.add(child[1].name)
            else:
                found |= names(child)
        return found

    out = {}
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if condition is not None:
            columns = sorted({rename.get(n, n) for n in names(condition)} & set(COLUMNS))
            out[str(constraint.violation_error_message)] = ", ".join(columns)
    return out


# --------------------------------------------------------------------------------------------
# Validation


class _Lookups:
    """Everything the rows refer to, loaded once, not once per row."""

    def __init__(self, slugs: list[str], part_of_slugs: list[str]):
        self.states = {s.code: s for s in models.State.objects.all()}
        self.summits = dict(models.Summit.objects.values_list("slug", "id"))
        self.declarations = dict(models.Declaration.objects.values_list("slug", "id"))
        self.sources = {s.key: s for s in models.Source.objects.all()}
        self.pledges: dict[str, models.Pledge] = {}
        for start in range(0, len(slugs), 500):
            batch = models.Pledge.objects.with_related().filter(slug__in=slugs[start : start + 500])
            self.pledges.update({p.slug: p for p in batch})
        self.pledge_ids = dict(models.Pledge.objects.filter(slug__in=part_of_slugs).values_list("slug", "id"))
        self.last_change = dict(
            models.StatusChange.objects.filter(pledge__in=[p.pk for p in self.pledges.values()])
            .values("pledge_id")
            .annotate(last=db_models.Max("effective_date"))
            .values_list("pledge_id", "last")
        )


def plan_import(data: bytes) -> ImportReport:
    """Validate the whole file and plan every change; writes nothing."""
    report = ImportReport()
    header, rows = read_rows(data, report)
    if report.errors:
        return report
    message = check_header(header)
    if message:
        report.errors.append(RowError(HEADER_ROW, "", message))
        return report

    index = {name: i for i, name in enumerate(header)}
    complete = [cells for _, cells in rows if len(cells) == len(header)]
    lookups = _Lookups(
        [unescape(cells[index["slug"]].strip()) for cells in complete],
        [unescape(cells[index["part_of"]].strip()) for cells in complete],
    )
    constraint_columns = _constraint_columns()
    seen: dict[str, int] = {}
    for number, cells in rows:
        errors: list[RowError] = []
        plan = _plan_row(number, cells, header, index, lookups, seen, constraint_columns, errors)
        report.errors.extend(errors)
        if plan is not None and not errors:
            report.plans.append(plan)
    return report


def _plan_row(number, cells, header, index, lookups, seen, constraint_columns, errors) -> RowPlan | None:
    def error(column: str, message: str):
        errors.append(RowError(number, column, message))

    if len(cells) != len(header):
        error("", f"The row has {len(cells)} cells; the header has {len(header)}.")
        return None
    values = {}
    for name, position in index.items():
        raw = cells[position]
        if len(raw) > MAX_CELL_CHARS:
            error(name, f"The cell has {len(raw):,} characters; at most {MAX_CELL_CHARS:,} are taken.")
            continue
        column = COLUMNS[name]
        if column.import_role == "read" and name != "version":
            continue
        try:
            values[name] = parse_cell(column, raw)
        except CellError as exc:
            error(name, str(exc))

    slug = values.get("slug") or ""
    if not slug:
        error("slug", "Every row needs a slug (the pledge's identifier).")
        return None
    if slug in seen:
        error("slug", f"'{slug}' is already on row {seen[slug]}; a pledge appears once per file.")
        return None
    seen[slug] = number

    current = lookups.pledges.get(slug)
    if current is None:
        pledge = models.Pledge(slug=slug)
        current_status = Status.NOT_ASSESSABLE
    else:
        # A copy to validate and, later, save; `current` stays as loaded, to compare against.
        pledge = models.Pledge(**{f.attname: getattr(current, f.attname) for f in models.Pledge._meta.concrete_fields})
        pledge._state.adding = False
        pledge._loaded_status = current.status
        current_status = current.status

    # References by natural key.
    pledgers = None
    if "pledger_codes" in values:
        codes = [c.strip() for c in (values["pledger_codes"] or "").split(";") if c.strip()]
        unknown = [c for c in codes if c not in lookups.states]
        if not codes:
            error("pledger_codes", "Give at least one pledger code, e.g. FR (several: FR;GB).")
        elif unknown:
            error("pledger_codes", f"Unknown state code(s): {', '.join(unknown)}.")
        elif len(set(codes)) != len(codes):
            error("pledger_codes", "A pledger is listed twice.")
        else:
            pledgers = sorted(codes)
    part_of_slug = values.get("part_of") or ""
    pending_part_of = ""
    if part_of_slug == slug:
        error("part_of", "A pledge cannot be a share of itself.")
    elif part_of_slug and part_of_slug in lookups.pledge_ids:
        pledge.part_of_id = lookups.pledge_ids[part_of_slug]
    elif part_of_slug and part_of_slug in seen:
        pledge.part_of_id = None  # created by an earlier row; linked when written
        pending_part_of = part_of_slug
    elif part_of_slug:
        error("part_of", f"No pledge with slug '{part_of_slug}' (in the tracker or on an earlier row).")
    else:
        pledge.part_of_id = None
    for name, lookup in (("summit", lookups.summits), ("declaration", lookups.declarations)):
        ref = values.get(name) or ""
        if ref and ref not in lookup:
            error(name, f"No {name} with slug '{ref}'.")
        else:
            setattr(pledge, FK_COLUMNS[name], lookup.get(ref) if ref else None)

    for name in WRITABLE:
        if name in FK_COLUMNS or name not in values:
            continue
        value = values[name]
        field_ = models.Pledge._meta.get_field(name)
        if value is None and not field_.null:
            value = ""
        setattr(pledge, name, value)

    def diff() -> dict:
        if current is None:
            return {"part_of": (None, pending_part_of)} if pending_part_of else {}
        found = {}
        for name in WRITABLE:
            attname = FK_COLUMNS.get(name, name)
            old, new = getattr(current, attname), getattr(pledge, attname)
            if old != new:
                found[name] = (_natural(current, name), _natural_new(name, values, new))
        old_codes = sorted(s.code for s in current.pledgers.all())
        if pledgers is not None and pledgers != old_codes:
            found["pledger_codes"] = (";".join(old_codes), ";".join(pledgers))
        return found

    changes = diff()
    # A row equal to its pledge is valid as the pledge is: the model's checks (a dozen queries a
    # row) run only on new and changed rows, which keeps an unchanged export quick to import.
    if current is None or changes:
        try:
            pledge.full_clean(exclude=["part_of"] if pending_part_of else None)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    error(constraint_columns.get(message, "") if name == NON_FIELD_ERRORS else name, message)
        changes = diff()  # clean() may complete values (a EUR amount's rate of 1)

    status_change = _plan_status(values, current, current_status, lookups, error)
    if status_change:
        changes["status"] = (current_status, status_change["status"])

    expected_version = None
    if current is not None:
        version = values.get("version")
        if version is not None and version != current.version and changes:
            error(
                "version",
                f"The pledge changed in the tracker since this file was exported (version {version}, now "
                f"{current.version}). Export again and redo this row's edits.",
            )
        expected_version = current.version

    if current is None:
        action = "create"
    else:
        action = "update" if changes else "unchanged"
    return RowPlan(
        row=number,
        slug=slug,
        action=action,
        changes=changes,
        instance=pledge,
        pledgers=pledgers,
        part_of_slug=pending_part_of,
        status_change=status_change,
        expected_version=expected_version,
    )


def _natural(pledge: models.Pledge, name: str):
    if name in FK_COLUMNS:
        related = getattr(pledge, name)
        return related.slug if related else None
    return getattr(pledge, name)


def _natural_new(name: str, values: dict, new):
    return values.get(name) if name in FK_COLUMNS else new


def _plan_status(values, current, current_status, lookups, error) -> dict | None:
    """The status change a row asks for, validated as `change_status` will check it; None if none."""
    wanted = values.get("status") or ""
    if not wanted or wanted == current_status:
        return None  # status_* cells are ignored then, so importing a file twice changes nothing twice
    if "status_effective_date" not in values and "status_note" not in values:
        error(
            "status",
            f"The status differs from the tracker's ({current_status} → {wanted}). To change it, add the columns "
            "status_effective_date, status_source and status_note and fill them for this row.",
        )
        return None
    date = values.get("status_effective_date")
    source_key = (values.get("status_source") or "").strip()
    note = (values.get("status_note") or "").strip()
    missing = False
    if date is None:
        error("status_effective_date", "Give the date the new status took effect (YYYY-MM-DD).")
        missing = True
    if not source_key:
        error("status_source", "Give the key of the source that reports the status change.")
        missing = True
    elif source_key not in lookups.sources:
        error("status_source", f"No source with key '{source_key}'.")
        missing = True
    if not note:
        error("status_note", "Say why the status changed.")
        missing = True
    if missing:
        return None
    if date > timezone.localdate():
        error("status_effective_date", "A status change cannot take effect in the future.")
    last = lookups.last_change.get(current.pk) if current is not None else None
    if last and date < last:
        error(
            "status_effective_date",
            f"The previous change took effect on {last:%d %B %Y}; a later change cannot take effect before it.",
        )
    change = models.StatusChange(
        sequence=1,
        from_status=current_status,
        to_status=wanted,
        effective_date=date,
        effective_precision=values.get("status_date_precision") or DatePrecision.DAY,
        note=note,
        source=lookups.sources[source_key],
        quote=values.get("status_quote") or "",
    )
    try:
        change.full_clean(exclude=["pledge", "sequence"])
    except ValidationError as exc:
        by_constraint = _constraint_columns(models.StatusChange, STATUS_CHANGE_FIELDS)
        for name, messages in exc.message_dict.items():
            for message in messages:
                if name == NON_FIELD_ERRORS:
                    error(by_constraint.get(message) or "status", message)
                else:
                    error(STATUS_CHANGE_FIELDS.get(name, "status"), message)
    return {
        "status": wanted,
        "effective_date": date,
        "precision": change.effective_precision,
        "source": change.source,
        "note": note,
        "quote": change.quote,
    }


# --------------------------------------------------------------------------------------------
# Writing


def apply_import(report: ImportReport, *, user=None, reason: str = "CSV import") -> ImportReport:
    """Write a valid plan in one transaction, every change audited. If anything fails (a pledge
    changed since validation, a status change refused), nothing is written and the report says why."""
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            _write(report.plans, user, reason)
    except _Abort as abort:
        report.errors.extend(abort.errors)
        return report
    report.applied = True
    return report


def _write(plans: list[RowPlan], user, reason: str) -> None:
    to_write = [p for p in plans if p.action != "unchanged"]
    # Lock the rows to update and check no one changed them since they were validated.
    updated = {p.slug: p for p in to_write if p.action == "update"}
    locked = dict(
        models.Pledge.objects.select_for_update().filter(slug__in=list(updated)).values_list("slug", "version")
    )
    conflicts = [
        RowError(p.row, "version", "The pledge changed while the file was being imported; import it again.")
        for slug, p in updated.items()
        if locked.get(slug) != p.expected_version
    ]
    if conflicts:
        raise _Abort(conflicts)
    created: dict[str, models.Pledge] = {}
    states = {s.code: s for s in models.State.objects.all()}
    for plan in to_write:
        pledge = plan.instance
        if plan.part_of_slug:
            pledge.part_of = created[plan.part_of_slug]
        if pledge._state.adding or set(plan.changes) - {"status"}:
            pledge._history_user = user
            pledge._change_reason = reason
            pledge.save()
        if plan.pledgers is not None and (plan.action == "create" or "pledger_codes" in plan.changes):
            pledge._history_user = user
            pledge._change_reason = reason
            pledge.pledgers.set([states[code] for code in plan.pledgers])
        if plan.action == "create":
            created[plan.slug] = pledge
        change = plan.status_change
        if change:
            try:
                pledge.change_status(
                    change["status"],
                    effective_date=change["effective_date"],
                    precision=change["precision"],
                    source=change["source"],
                    note=change["note"],
                    quote=change["quote"],
                    user=user,
                )
            except ValidationError as exc:
                raise _Abort([RowError(plan.row, "status", m) for m in exc.messages]) from None


def import_pledges(data: bytes, *, dry_run: bool = False, user=None, reason: str = "CSV import") -> ImportReport:
    """Validate `data` (the bytes of a CSV file) and, unless `dry_run` or any row fails, write it."""
    report = plan_import(data)
    if dry_run or not report.ok:
        return report
    return apply_import(report, user=user, reason=reason)
