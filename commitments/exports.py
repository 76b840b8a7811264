"""Exports: one column spec per table, a streaming CSV writer, XLSX, and the summary reports.

The API views, the admin action and the management commands all call the functions here, so the
three ways to a file give the same columns in the same order. The pledge columns are documented in
docs/exports.md (a test keeps the two in step); changing a name or the order breaks report
writers' spreadsheets and pandas scripts, so add columns at the end and never rename one.
"""

import csv
import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import filtersets, models
from .choices import Category, Condition, ConditionState, Currency, DatePrecision, MonitoringRole, Status

# Rows fetched (and prefetched) per round trip: big enough to keep the query count low, small
# enough that one chunk of model instances stays a few megabytes.
CHUNK_SIZE = 1000
# Bytes gathered before a chunk goes to the client: one write per row would make a million
# socket writes, one write for everything would hold the file in memory.
FLUSH_BYTES = 64 * 1024

# Spreadsheets run a cell beginning with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


# --------------------------------------------------------------------------------------------
# Column specs


@dataclass(frozen=True)
class Column:
    """One column of an export: its name (the CSV header), type, meaning, and how the import treats it.

    `type` is one of TYPES; `import_role` is "key" (matches rows), "write" (the import sets it),
    "status" (changed through Pledge.change_status) or "read" (derived; the import ignores it)."""

    name: str
    type: str
    description: str
    import_role: str = "read"
    choices: tuple[str, ...] = ()


# Export type -> (what a cell holds, the pandas dtype to read it with).
TYPES = {
    "text": ("UTF-8 text; may span lines", "string"),
    "code": ("one code from a fixed list", "string"),
    "codes": ("codes separated by ';'", "string"),
    "integer": ("whole number, blank when unknown", "Int64"),
    "decimal": ("decimal number with '.' as separator, no thousands separator; blank when unknown", "float64"),
    "date": ("ISO 8601 date YYYY-MM-DD; blank when unknown", "datetime64 (parse_dates)"),
    "datetime": ("ISO 8601 date and time with UTC offset; blank when unknown", "datetime64 (parse_dates)"),
}
TEXT_TYPES = frozenset({"text", "code", "codes"})


def _codes(choices) -> tuple[str, ...]:
    return tuple(choices.values)


PLEDGE_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", "Stable identifier of the pledge; the import matches rows by it.", "key"),
    Column("title", "text", "What is promised, in one line.", "write"),
    Column("category", "code", "What kind of help is promised.", "write", _codes(Category)),
    Column(
        "pledger_codes",
        "codes",
        "Codes of the parties that made the pledge, sorted; several for a joint pledge (one row, counted once).",
        "write",
    ),
    Column("pledger_names", "text", "Names of the pledgers, '; '-separated, in the order of pledger_codes."),
    Column("part_of", "code", "Slug of the larger pledge this one is a share of; blank if top-level.", "write"),
    Column("summit", "code", "Slug of the meeting at which the pledge was made; blank if none.", "write"),
    Column("declaration", "code", "Slug of the text in which the pledge was made; blank if none.", "write"),
    Column("troops_min", "integer", "Troops: lower end of the range.", "write"),
    Column("troops_max", "integer", "Troops: upper end of the range.", "write"),
    Column("amount", "decimal", "Money: amount in the pledged currency.", "write"),
    Column("currency", "code", "Money: ISO 4217 currency of the amount.", "write", _codes(Currency)),
    Column("value_date", "date", "Money: the date whose exchange rate converts the amount to euros.", "write"),
    Column("fx_rate", "decimal", "Money: euros per unit of the currency on the value date (1 for EUR).", "write"),
    Column("amount_eur", "decimal", "Money: amount × fx_rate, in euros.", "write"),
    Column("monitoring_role", "code", "Monitoring: role in a monitoring mechanism.", "write", _codes(MonitoringRole)),
    Column("monitoring_means", "text", "Monitoring: the means, comma-separated.", "write"),
    Column("quantity_text", "text", "A quantity the source gives only in words; never a number.", "write"),
    Column("condition", "code", "What the pledge depends on.", "write", _codes(Condition)),
    Column("condition_text", "text", "The condition in the source's words.", "write"),
    Column("condition_state", "code", "Whether the condition has been met.", "write", _codes(ConditionState)),
    Column(
        "status",
        "code",
        "Where the pledge stands now. The import changes it only with the status_* columns filled.",
        "status",
        _codes(Status),
    ),
    Column("status_changed_on", "date", "When the current status took effect."),
    Column("first_source_key", "code", "Key of the first source cited for the pledge."),
    Column("first_source_title", "text", "Title of that source."),
    Column("first_source_publisher", "text", "Publisher of that source."),
    Column("first_source_url", "text", "Public address of that source; blank when it has none."),
    Column("first_source_published_on", "date", "Publication date of that source."),
    Column("first_source_quote", "text", "The phrase of that source supporting the pledge (at most 25 words)."),
    Column("description", "text", "Details, in the analyst's words.", "write"),
    Column("last_reviewed_at", "datetime", "When an analyst last confirmed the record against its sources.", "write"),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
    Column(
        "version",
        "integer",
        "Raised by every change; the import refuses a row whose pledge changed since this file was exported.",
    ),
)

# Accepted by the import (not exported): the details of a status change asked for in the status column.
STATUS_CHANGE_COLUMNS: tuple[Column, ...] = (
    Column("status_effective_date", "date", "When the new status took effect in the world.", "status"),
    Column(
        "status_date_precision",
        "code",
        "How much of status_effective_date is known; blank means day.",
        "status",
        _codes(DatePrecision),
    ),
    Column("status_source", "code", "Key of the source that reports the status change.", "status"),
    Column("status_note", "text", "Why the status changed (required for a change).", "status"),
    Column("status_quote", "text", "The source's phrase stating the change (optional, at most 25 words).", "status"),
)

SUMMIT_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", "Stable identifier of the meeting."),
    Column("title", "text", "Descriptive name."),
    Column("kind", "code", "What sort of meeting."),
    Column("status", "code", "Planned, held or cancelled."),
    Column("date", "date", "First day, or the first day of the period it is known to."),
    Column("date_precision", "code", "How much of the date is known (day, week, month, year)."),
    Column("end_date", "date", "Last day, for meetings over several days."),
    Column("city", "text", "Where it met."),
    Column("host_codes", "codes", "Codes of the host parties, sorted."),
    Column("sequence_number", "integer", "Number in the coalition's series of meetings."),
    Column("pledges", "integer", "Pledges made at the meeting (shares included)."),
    Column("summary", "text", "What was discussed."),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
)

DECLARATION_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", "Stable identifier of the text."),
    Column("title", "text", "Title as reported."),
    Column("kind", "code", "What sort of text."),
    Column("status", "code", "Draft, adopted, signed, in force, superseded or abandoned."),
    Column("date", "date", "Date of adoption, signature or of the reported draft."),
    Column("date_precision", "code", "How much of the date is known."),
    Column("summit", "code", "Slug of the meeting that produced the text."),
    Column("supersedes", "code", "Slug of the earlier text this one replaces."),
    Column("signatory_codes", "codes", "Codes of the signatories, sorted."),
    Column("endorser_codes", "codes", "Codes of the endorsers, sorted."),
    Column("pledges", "integer", "Pledges made in the text (shares included)."),
    Column("summary", "text", "What the text says."),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
)

STATE_COLUMNS: tuple[Column, ...] = (
    Column("code", "code", "ISO 3166-1 alpha-2 code, or a short code for an organisation or grouping."),
    Column("name", "text", "Common English name."),
    Column("kind", "code", "Sovereign state, international organisation or informal grouping."),
    Column("pledges", "integer", "Pledges the party made, alone or jointly (shares included)."),
    Column("notes", "text", "Notes."),
)


# --------------------------------------------------------------------------------------------
# Rows


def _sorted_codes(states) -> list:
    return sorted(states, key=lambda s: s.code)


def pledge_row(pledge: models.Pledge) -> list:
    """The values of one pledge in PLEDGE_COLUMNS order. Expects a pledge loaded by
    `Pledge.objects.with_related_lists()`: it reads only prefetched relations."""
    pledgers = pledge.pledger_list
    first = pledge.citation_list[0] if pledge.citation_list else None
    source = first.source if first else None
    return [
        pledge.slug,
        pledge.title,
        pledge.category,
        ";".join(s.code for s in pledgers),
        "; ".join(s.name for s in pledgers),
        pledge.part_of.slug if pledge.part_of_id else "",
        pledge.summit.slug if pledge.summit_id else "",
        pledge.declaration.slug if pledge.declaration_id else "",
        pledge.troops_min,
        pledge.troops_max,
        pledge.amount,
        pledge.currency,
        pledge.value_date,
        pledge.fx_rate,
        pledge.amount_eur,
        pledge.monitoring_role,
        pledge.monitoring_means,
        pledge.quantity_text,
        pledge.condition,
        pledge.condition_text,
        pledge.condition_state,
        pledge.status,
        pledge.status_changed_on,
        source.key if source else "",
        source.title if source else "",
        source.publisher if source else "",
        source.url if source else "",
        source.published_on if source else None,
        first.quote if first else "",
        pledge.description,
        pledge.last_reviewed_at,
        pledge.updated_at,
        pledge.version,
    ]


def iter_pledges(queryset=None, chunk_size: int | None = None) -> Iterator[models.Pledge]:
    """Pledges one chunk at a time, each chunk with its relations prefetched: memory stays flat
    whatever the row count, and the first rows are ready before the last are read."""
    queryset = models.Pledge.objects.all() if queryset is None else queryset
    return queryset.with_related_lists().iterator(chunk_size=chunk_size or CHUNK_SIZE)


def summit_rows(queryset) -> Iterator[list]:
    queryset = queryset.prefetch_related("hosts").annotate(n_pledges=Count("pledges", distinct=True))
    for s in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            s.slug,
            s.title,
            s.kind,
            s.status,
            s.date,
            s.date_precision,
            s.end_date,
            s.city,
            ";".join(h.code for h in _sorted_codes(s.hosts.all())),
            s.sequence_number,
            s.n_pledges,
            s.summary,
            s.updated_at,
        ]


def declaration_rows(queryset) -> Iterator[list]:
    queryset = (
        queryset.select_related("summit", "supersedes")
        .prefetch_related("parties__state")
        .annotate(n_pledges=Count("pledges", distinct=True))
    )
    for d in queryset.iterator(chunk_size=CHUNK_SIZE):
        parties = list(d.parties.all())
        by_role = {
            role: ";".join(sorted(p.state.code for p in parties if p.role == role))
            for role in ("signatory", "endorser")
        }
        yield [
            d.slug,
            d.title,
            d.kind,
            d.status,
            d.date,
            d.date_precision,
            d.summit.slug if d.summit_id else "",
            d.supersedes.slug if d.supersedes_id else "",
            by_role["signatory"],
            by_role["endorser"],
            d.n_pledges,
            d.summary,
            d.updated_at,
        ]


def state_rows(queryset) -> Iterator[list]:
    queryset = queryset.annotate(n_pledges=Count("pledges", distinct=True))
    for s in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [s.code, s.name, s.kind, s.n_pledges, s.notes]


@dataclass(frozen=True)
class Table:
    """What an export of one model needs: its columns, its rows, its file name."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[Any], Iterable[list]]
    model: type
    filterset: type


TABLES = {
    "pledges": Table(
        "pledges",
        PLEDGE_COLUMNS,
        lambda qs: map(pledge_row, iter_pledges(qs)),
        models.Pledge,
        filtersets.PledgeFilterSet,
    ),
    "summits": Table("summits", SUMMIT_COLUMNS, summit_rows, models.Summit, filtersets.SummitFilterSet),
    "declarations": Table(
        "declarations", DECLARATION_COLUMNS, declaration_rows, models.Declaration, filtersets.DeclarationFilterSet
    ),
    "states": Table("states", STATE_COLUMNS, state_rows, models.State, filtersets.StateFilterSet),
}


def pandas_read_csv_kwargs(columns: Iterable[Column] = PLEDGE_COLUMNS) -> dict:
    """Keyword arguments for `pandas.read_csv` that read an export with its documented dtypes.

    keep_default_na=False keeps text as text (the state code 'NA' is Namibia, not a missing
    value); only blank cells of number and date columns are missing values."""
    columns = list(columns)
    return {
        "dtype": {
            c.name: TYPES[c.type][1] for c in columns if c.type in ("text", "code", "codes", "integer", "decimal")
        },
        "parse_dates": [c.name for c in columns if c.type in ("date", "datetime")],
        "keep_default_na": False,
        "na_values": {c.name: [""] for c in columns if c.type not in TEXT_TYPES},
    }


def filter_params(filterset_class) -> list[tuple[str, str]]:
    """(query parameter, help) for every filter of a FilterSet, range filters as their two halves,
    so the management commands accept exactly the API's filters."""
    from django_filters import filters as f

    params = []
    for name, filter_ in filterset_class.base_filters.items():
        label = str(filter_.label or name)
        if isinstance(filter_, (f.DateFromToRangeFilter, f.DateTimeFromToRangeFilter)):
            params += [(f"{name}_after", f"{label}: from (YYYY-MM-DD)"), (f"{name}_before", f"{label}: to")]
        else:
            params.append((name, label))
    return params


def filtered_queryset(table: str, data, request=None):
    """(queryset, None) for valid filters; (None, errors as {field: [message, ...]}) otherwise."""
    spec = TABLES[table]
    filterset = spec.filterset(data, queryset=spec.model.objects.all(), request=request)
    if not filterset.is_valid():
        return None, {name: [e["message"] for e in errors] for name, errors in filterset.errors.get_json_data().items()}
    return filterset.qs, None


# --------------------------------------------------------------------------------------------
# CSV


def formula_safe(text: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula by putting a `'` before it.

    A cell that already begins with `'` gets one more, so the import can always strip exactly
    one leading `'` and get the stored text back."""
    if text and (text.startswith(FORMULA_TRIGGERS) or text.startswith(ESCAPE)):
        return ESCAPE + text
    return text


def unescape(text: str) -> str:
    """The inverse of `formula_safe`, used by the import."""
    return text[1:] if text.startswith(ESCAPE) else text


def cell(value) -> str:
    """The CSV text of one value: numbers and dates as plain ISO text, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return formula_safe(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, Decimal)):
        return str(value)
    raise TypeError(f"No CSV form for {type(value).__name__}")


class _Line:
    """A file-like object that hands back what csv.writer writes, so each row can be yielded."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(columns: Iterable[Column], rows: Iterable[list], *, bom: bool = False) -> Iterator[str]:
    """The CSV file as text chunks: the header at once, then rows gathered into ~64 KB chunks.

    RFC 4180: comma-separated, fields with a comma, quote or line break quoted, quotes doubled,
    CRLF line ends."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    header = writer.writerow([c.name for c in columns])
    # The header goes out before the query runs, so a client sees the response start at once.
    yield ("\ufeff" + header) if bom else header
    buffer: list[str] = []
    size = 0
    flush_at = FLUSH_BYTES
    for row in rows:
        line = writer.writerow([cell(v) for v in row])
        buffer.append(line)
        size += len(line)
        if size >= flush_at:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def pledge_csv_chunks(queryset=None, *, bom: bool = False) -> Iterator[str]:
    """The pledge export, the same whether the API, the admin or the command asks for it."""
    return csv_chunks(PLEDGE_COLUMNS, map(pledge_row, iter_pledges(queryset)), bom=bom)


def table_csv_chunks(table: str, queryset, *, bom: bool = False) -> Iterator[str]:
    if table == "pledges":
        return pledge_csv_chunks(queryset, bom=bom)
    spec = TABLES[table]
    return csv_chunks(spec.columns, spec.rows(queryset), bom=bom)


# --------------------------------------------------------------------------------------------
# XLSX

# openpyxl refuses control characters that XML 1.0 cannot carry; tab, LF and CR are allowed.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(table: str, queryset, fileobj) -> None:
    """An Excel workbook: sheet 1 the rows (typed cells, text neutralised as in the CSV),
    sheet 2 'columns' documenting each column. openpyxl's write-only mode streams the rows to
    a temporary file, so memory stays flat as for the CSV."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    spec = TABLES[table]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.name)
    sheet.freeze_panes = "A2"
    sheet.append([c.name for c in spec.columns])
    kinds = [c.type for c in spec.columns]
    for row in spec.rows(queryset):
        values = []
        for kind, value in zip(kinds, row, strict=True):
            if isinstance(value, str):
                value = _XML_ILLEGAL.sub("\ufffd", formula_safe(value))
                if kind in TEXT_TYPES:
                    # A string starting with '=' would otherwise be stored as a formula.
                    text = WriteOnlyCell(sheet, value=value)
                    text.data_type = "s"
                    value = text
            elif isinstance(value, datetime.datetime):
                # Excel has no time zones: write UTC, as the column documentation says.
                value = value.astimezone(datetime.UTC).replace(tzinfo=None)
            values.append(value)
        sheet.append(values)
    doc = workbook.create_sheet("columns")
    doc.append(["column", "type", "meaning", "allowed values"])
    for c in spec.columns:
        doc.append([c.name, c.type, c.description, ", ".join(c.choices)])
    workbook.save(fileobj)


# --------------------------------------------------------------------------------------------
# Summary reports

# A pledge counts as a troop pledge when it is in the troops category or gives a troop figure;
# as a money pledge when it is in the funding category or gives an amount.
_TROOPS = Q(category=Category.TROOPS) | Q(troops_min__isnull=False) | Q(troops_max__isnull=False)
_UNQUANTIFIED = Q(category=Category.TROOPS, troops_min__isnull=True, troops_max__isnull=True)
_MONEY = Q(category=Category.FUNDING) | Q(amount__isnull=False)
CENT = Decimal("0.01")
_ZERO_INT = Value(0, output_field=IntegerField())
_ZERO_EUR = Value(Decimal("0.00"), output_field=DecimalField(max_digits=20, decimal_places=2))


def _aggregates() -> dict:
    """The summary figures as aggregate expressions over pledges. Grouped by pledger, each
    (pledge, pledger) pair is one row, so a joint pledge counts once in each pledger's group."""
    # Prefixed, since an annotation may not share a field's name (troops_min).
    figures = {
        "pledges": Count("id"),
        "troop_pledges": Count("id", filter=_TROOPS),
        # A pledge giving only one end of the range counts that figure at both ends.
        "troops_min": Coalesce(Sum(Coalesce("troops_min", "troops_max")), _ZERO_INT),
        "troops_max": Coalesce(Sum(Coalesce("troops_max", "troops_min")), _ZERO_INT),
        "troop_pledges_unquantified": Count("id", filter=_UNQUANTIFIED),
        "money_pledges": Count("id", filter=_MONEY),
        "amount_eur": Coalesce(Sum("amount_eur"), _ZERO_EUR),
        "money_pledges_without_eur": Count("id", filter=_MONEY & Q(amount_eur__isnull=True)),
    }
    return {f"fig_{name}": expression for name, expression in figures.items()}


FIGURES = (
    ("pledges", "integer", "Top-level pledges in the group (shares of a larger pledge are left out)."),
    ("troop_pledges", "integer", "Of those, pledges of troops (troops category, or giving a troop figure)."),
    (
        "troops_min",
        "integer",
        "Sum of the lower troop figures (a pledge giving only an upper figure counts it here too).",
    ),
    (
        "troops_max",
        "integer",
        "Sum of the upper troop figures (a pledge giving only a lower figure counts it here too).",
    ),
    ("troop_pledges_unquantified", "integer", "Troop pledges giving no figure at all (not in the sums)."),
    ("money_pledges", "integer", "Pledges of money (funding category, or giving an amount)."),
    ("amount_eur", "decimal", "Sum of the euro amounts."),
    ("money_pledges_without_eur", "integer", "Money pledges with no euro amount (not in the sum)."),
)
FIGURE_NAMES = tuple(name for name, _, _ in FIGURES)


def _figures(values: dict) -> dict:
    figures = {name: values[f"fig_{name}"] for name in FIGURE_NAMES}
    # SQLite sums decimals as floats and drops the scale; always give cents.
    figures["amount_eur"] = Decimal(str(figures["amount_eur"])).quantize(CENT)
    return figures


def summary(queryset=None) -> dict:
    """Totals by state, category, status and summit, the grand total, and each force
    requirement against the troops pledged.

    `queryset` is the pledges the caller selected (e.g. filtered by PledgeFilterSet); shares are
    always left out, since the pledge they are part of already counts them. A joint pledge
    counts in the row of each of its pledgers, and once in every other row and in the total."""
    selected = models.Pledge.objects.all() if queryset is None else queryset
    pledges = models.Pledge.objects.filter(pk__in=selected.values("pk")).top_level().order_by()

    total = _figures(pledges.aggregate(**_aggregates()))

    by_state = [
        {"key": row["pledgers__code"], "label": row["pledgers__name"], **_figures(row)}
        for row in pledges.values("pledgers__code", "pledgers__name")
        .annotate(**_aggregates())
        .order_by("pledgers__code")
    ]

    def grouped(field: str, choices) -> list[dict]:
        found = {row[field]: row for row in pledges.values(field).annotate(**_aggregates()).order_by(field)}
        empty = {f"fig_{name}": 0 for name in FIGURE_NAMES} | {"fig_amount_eur": Decimal("0.00")}
        return [{"key": code, "label": label, **_figures(found.get(code, empty))} for code, label in choices]

    by_summit = []
    titles = dict(models.Summit.objects.values_list("slug", "title"))
    for row in (
        pledges.values("summit__slug", "summit__date")
        .annotate(**_aggregates())
        .order_by("summit__date", "summit__slug")
    ):
        slug = row["summit__slug"]
        by_summit.append(
            {"key": slug or "", "label": titles[slug] if slug else "(no summit)", **_figures(row)},
        )

    requirements = []
    for req in models.ForceRequirement.objects.select_related("summit").order_by("slug"):
        requirements.append(
            {
                "key": req.slug,
                "label": req.title,
                "requirement_min": req.troops_min,
                "requirement_max": req.troops_max,
                "troops_min": total["troops_min"],
                "troops_max": total["troops_max"],
                "troop_pledges_unquantified": total["troop_pledges_unquantified"],
                # Positive: troops still missing; negative: more pledged than required.
                "gap_min": None if req.troops_min is None else req.troops_min - total["troops_min"],
                "gap_max": None if req.troops_max is None else req.troops_max - total["troops_max"],
            }
        )

    return {
        "generated_at": timezone.now(),
        "currency": "EUR",
        "total": total,
        "by_state": by_state,
        "by_category": grouped("category", Category.choices),
        "by_status": grouped("status", Status.choices),
        "by_summit": by_summit,
        "force_requirements": requirements,
    }


SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("section", "code", "total, by_state, by_category, by_status, by_summit or force_requirement."),
    Column("key", "code", "State code, category, status, summit slug or requirement slug; blank for the total."),
    Column("label", "text", "Its name."),
    *(Column(name, kind, description) for name, kind, description in FIGURES),
    Column("requirement_min", "integer", "Force requirement rows: lower end of the troops required."),
    Column("requirement_max", "integer", "Force requirement rows: upper end of the troops required."),
    Column("gap_min", "integer", "requirement_min − troops_min: troops missing at the low end (negative: surplus)."),
    Column("gap_max", "integer", "requirement_max − troops_max: troops missing at the high end (negative: surplus)."),
)


def summary_rows(report: dict) -> Iterator[list]:
    """The summary as one table (SUMMARY_COLUMNS), section by section."""
    names = [c.name for c in SUMMARY_COLUMNS]

    def row(section: str, values: dict) -> list:
        return [section if n == "section" else values.get(n) for n in names]

    yield row("total", {"key": "", "label": "All pledges (each counted once)", **report["total"]})
    for section in ("by_state", "by_category", "by_status", "by_summit"):
        for values in report[section]:
            yield row(section, values)
    for values in report["force_requirements"]:
        yield row("force_requirement", values)


def summary_json(report: dict) -> dict:
    """The summary with decimals as strings (exact) and the time in ISO 8601."""

    def plain(value):
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC).isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(report)
