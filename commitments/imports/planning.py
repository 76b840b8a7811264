"""Validating every row and planning its change, without writing anything."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models as db_models
from django.utils import timezone

from .. import models
from ..choices import DatePrecision, Status
from ..exports import PLEDGE_COLUMNS, unescape
from . import reading
from .reading import COLUMNS, HEADER_ROW, CellError, check_header, parse_cell, read_rows
from .report import ImportReport, RowError, RowPlan

WRITABLE = tuple(c.name for c in PLEDGE_COLUMNS if c.import_role == "write" and c.name != "pledger_codes")
# Model fields the import compares and writes (foreign keys by their id).
FK_COLUMNS = {"part_of": "part_of_id", "summit": "summit_id", "declaration": "declaration_id"}
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
        if len(raw) > reading.MAX_CELL_CHARS:
            error(name, f"The cell has {len(raw):,} characters; at most {reading.MAX_CELL_CHARS:,} are taken.")
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
