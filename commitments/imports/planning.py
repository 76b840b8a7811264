"""Validating every row and planning its change, without writing anything."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models as db_models
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .. import models, services
from ..choices import DatePrecision, Status
from ..exports import IMPORT_OPTIONAL, PLEDGE_COLUMNS, unescape
from ..models.pledges import SHARE_OF_ITSELF
from . import reading
from .reading import COLUMNS, HEADER_ROW, CellError, check_header, parse_cell, read_rows
from .report import ImportReport, RowError, RowPlan

WRITABLE = tuple(c.name for c in PLEDGE_COLUMNS if c.import_role == "write" and c.name != "pledger_codes")
# Model fields the import compares and writes (foreign keys by their id).
FK_COLUMNS = {
    "part_of": "part_of_id",
    "summit": "summit_id",
    "declaration": "declaration_id",
    "contributes_to": "contributes_to_id",
}
# A status change's request names (services.STATUS_CHANGE_NAMES) -> the import column that gives each.
STATUS_CHANGE_COLUMNS = {
    name: "status" if name == "status" else {"precision": "status_date_precision"}.get(name, f"status_{name}")
    for name in services.STATUS_CHANGE_NAMES.values()
    if name
}


def _constraint_columns(model=models.Pledge, rename=None) -> dict[str, str]:
    """Constraint message -> the columns it involves, so a broken rule is reported on its columns.
    `rename` maps model field names to column names (StatusChange's go through the request names)."""
    if model is models.StatusChange:
        request = services.STATUS_CHANGE_NAMES
        rename = {field: rename.get(name) for field, name in request.items() if name and name in (rename or {})}
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


# A reference by slug that names nothing (the message of each referring column).
NO_SUCH = {
    "summit": lambda: _("No summit with slug '%(slug)s'."),
    "declaration": lambda: _("No declaration with slug '%(slug)s'."),
    "contributes_to": lambda: _("No instrument with slug '%(slug)s'."),
}


# --------------------------------------------------------------------------------------------
# Validation


class _Lookups:
    """Everything the rows refer to, loaded once, not once per row."""

    def __init__(self, slugs: list[str], part_of_slugs: list[str]):
        self.states = {s.code: s for s in models.State.objects.all()}
        self.summits = dict(models.Summit.objects.values_list("slug", "id"))
        self.declarations = dict(models.Declaration.objects.values_list("slug", "id"))
        self.instruments = dict(models.Instrument.objects.values_list("slug", "id"))
        self.sources = {s.key: s for s in models.Source.objects.all()}
        self.pledges: dict[str, models.Pledge] = {}
        for start in range(0, len(slugs), 500):
            batch = models.Pledge.objects.with_related().filter(slug__in=slugs[start : start + 500])
            self.pledges.update({p.slug: p for p in batch})
        self.pledge_ids = dict(models.Pledge.objects.filter(slug__in=part_of_slugs).values_list("slug", "id"))
        # The latest status change of each pledge, which the next change must not predate.
        self.last_change: dict[int, models.StatusChange] = {}
        ids = [p.pk for p in self.pledges.values()]
        for start in range(0, len(ids), 500):
            for pledge_id, sequence, effective_date in (
                models.StatusChange.objects.filter(pledge__in=ids[start : start + 500])
                .order_by("pledge_id", "-sequence")
                .values_list("pledge_id", "sequence", "effective_date")
            ):
                if pledge_id not in self.last_change:
                    self.last_change[pledge_id] = models.StatusChange(sequence=sequence, effective_date=effective_date)


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
        error(
            "",
            _("The row has %(cells)d cells; the header has %(header)d.") % {"cells": len(cells), "header": len(header)},
        )
        return None
    values = {}
    for name, position in index.items():
        raw = cells[position]
        if len(raw) > reading.MAX_CELL_CHARS:
            error(
                name,
                _("The cell has %(length)s characters; at most %(limit)s are taken.")
                % {
                    "length": number_format(len(raw), force_grouping=True),
                    "limit": number_format(reading.MAX_CELL_CHARS, force_grouping=True),
                },
            )
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
        error("slug", _("Every row needs a slug (the pledge's identifier)."))
        return None
    if slug in seen:
        error(
            "slug",
            _("'%(slug)s' is already on row %(row)d; a pledge appears once per file.")
            % {"slug": slug, "row": seen[slug]},
        )
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
        if unknown:
            error("pledger_codes", _("Unknown state code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
        elif len(set(codes)) != len(codes):
            error("pledger_codes", _("A pledger is listed twice."))
        else:
            pledgers = sorted(codes)
    part_of_slug = values.get("part_of") or ""
    pending_part_of = ""
    if part_of_slug == slug:
        error("part_of", SHARE_OF_ITSELF)
    elif part_of_slug and part_of_slug in lookups.pledge_ids:
        pledge.part_of_id = lookups.pledge_ids[part_of_slug]
    elif part_of_slug and part_of_slug in seen:
        pledge.part_of_id = None  # created by an earlier row; linked when written
        pending_part_of = part_of_slug
    elif part_of_slug:
        error(
            "part_of",
            _("No pledge with slug '%(slug)s' (in the tracker or on an earlier row).") % {"slug": part_of_slug},
        )
    else:
        pledge.part_of_id = None
    for name, lookup in (
        ("summit", lookups.summits),
        ("declaration", lookups.declarations),
        ("contributes_to", lookups.instruments),
    ):
        if name in IMPORT_OPTIONAL and name not in values:
            continue  # a file exported before the column existed: the pledge keeps its value
        ref = values.get(name) or ""
        if ref and ref not in lookup:
            error(name, NO_SUCH[name]() % {"slug": ref})
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
            services.validate_pledge(pledge, pledgers, exclude=["part_of"] if pending_part_of else None)
        except ValidationError as exc:
            codes_reported = any(e.column == "pledger_codes" for e in errors)
            for name, messages in exc.message_dict.items():
                if name == "pledgers" and codes_reported:
                    continue  # the codes given are wrong; that they are missing would say it twice
                for message in messages:
                    if name == NON_FIELD_ERRORS:
                        error(constraint_columns.get(message, ""), message)
                    else:
                        error("pledger_codes" if name == "pledgers" else name, message)
        changes = diff()  # clean() may complete values (a EUR amount's rate of 1)

    status_change = _plan_status(values, current, pledge, lookups, error)
    if status_change:
        changes["status"] = (current_status, status_change["status"])

    expected_version = None
    if current is not None:
        version = values.get("version")
        if version is not None and version != current.version and changes:
            error(
                "version",
                _(
                    "The pledge changed in the tracker since this file was exported (version %(version)s, now "
                    "%(now)s). Export again and redo this row's edits."
                )
                % {"version": version, "now": current.version},
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


def _plan_status(values, current, pledge, lookups, error) -> dict | None:
    """The status change a row asks for, validated as `change_status` will check it; None if none.
    `current` is the pledge as it is in the tracker (None for a new one), `pledge` as the row makes it."""
    current_status = current.status if current is not None else Status.NOT_ASSESSABLE
    wanted = values.get("status") or ""
    if not wanted or wanted == current_status:
        return None  # status_* cells are ignored then, so importing a file twice changes nothing twice
    if "status_effective_date" not in values and "status_note" not in values:
        error(
            "status",
            _(
                "The status differs from the tracker's (%(current)s → %(wanted)s). To change it, add the columns "
                "status_effective_date, status_source and status_note and fill them for this row."
            )
            % {"current": current_status, "wanted": wanted},
        )
        return None
    date = values.get("status_effective_date")
    source_key = (values.get("status_source") or "").strip()
    note = (values.get("status_note") or "").strip()
    missing = False
    if date is None:
        error("status_effective_date", _("Give the date the new status took effect (YYYY-MM-DD)."))
        missing = True
    if not source_key:
        error("status_source", _("Give the key of the source that reports the status change."))
        missing = True
    elif source_key not in lookups.sources:
        error("status_source", _("No source with key '%(key)s'.") % {"key": source_key})
        missing = True
    if not note:
        error("status_note", _("Say why the status changed."))
        missing = True
    if missing:
        return None
    # The status rules themselves are the model's, checked as change_status will check them.
    subject = pledge if current is None else current
    last = lookups.last_change.get(current.pk) if current is not None else None
    change, problems = subject.planned_status_change(
        wanted,
        effective_date=date,
        precision=values.get("status_date_precision") or DatePrecision.DAY,
        note=note,
        source=lookups.sources[source_key],
        quote=values.get("status_quote") or "",
        last=last,
    )
    if problems:
        by_constraint = _constraint_columns(models.StatusChange, STATUS_CHANGE_COLUMNS)
        for name, messages in services.renamed(ValidationError(problems)).items():
            for message in messages:
                column = STATUS_CHANGE_COLUMNS.get(name) if name else by_constraint.get(message)
                error(column or "status", message)
    return {
        "status": wanted,
        "effective_date": date,
        "precision": change.effective_precision,
        "source": change.source,
        "note": note,
        "quote": change.quote,
    }
