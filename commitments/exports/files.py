"""The files: the rows of each table, the streaming CSV writer and the XLSX workbook."""

import csv
import datetime
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch
from django.utils.translation import gettext

from .. import filtersets, models
from ..choices import InstrumentRole
from . import pg_copy
from .columns import (
    DECLARATION_COLUMNS,
    FIRST_SOURCE_CELLS,
    INSTRUMENT_COLUMNS,
    PERSON_COLUMNS,
    PLEDGE_COLUMNS,
    PLEDGE_OWN_LOOKUPS,
    PLEDGER_CELLS,
    POST_COLUMNS,
    STATE_COLUMNS,
    STATEMENT_COLUMNS,
    SUMMIT_COLUMNS,
    TEXT_TYPES,
    Column,
)

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
# Rows


def _sorted_codes(states) -> list:
    return sorted(states, key=lambda s: s.code)


# An `export_rows(PLEDGE_OWN_LOOKUPS)` tuple is the id and the own cells in file order: those
# before the pledgers' two cells, those between them and the first source's, those after it.
_NAMES = [c.name for c in PLEDGE_COLUMNS]
_PLEDGERS_AT, _SOURCE_AT = _NAMES.index(PLEDGER_CELLS[0]), _NAMES.index(FIRST_SOURCE_CELLS[0])
assert _NAMES[_PLEDGERS_AT : _PLEDGERS_AT + len(PLEDGER_CELLS)] == list(PLEDGER_CELLS)
assert _NAMES[_SOURCE_AT : _SOURCE_AT + len(FIRST_SOURCE_CELLS)] == list(FIRST_SOURCE_CELLS)
_HEAD = _PLEDGERS_AT + 1  # with the id
_MIDDLE = _HEAD + _SOURCE_AT - _PLEDGERS_AT - len(PLEDGER_CELLS)
_NO_SOURCE = ("", "", "", "", None, "")


def _pledge_chunk(chunk: list[tuple]) -> list[list]:
    """Rows in PLEDGE_COLUMNS order for a chunk of `PledgeQuerySet.export_rows()` tuples: the
    pledgers (sorted by code) and the first citation (by id, with its source) of the whole chunk
    in one query each, read as tuples."""
    ids = [row[0] for row in chunk]
    pledgers: dict[int, list[tuple[str, str]]] = {}
    through = models.Pledge.pledgers.through.objects.filter(pledge_id__in=ids)
    for pledge_id, code, name in through.order_by("state__code").values_list("pledge_id", "state__code", "state__name"):
        pledgers.setdefault(pledge_id, []).append((code, name))
    first_citation: dict[int, tuple] = {}
    citations = models.Citation.objects.filter(pledge_id__in=ids).order_by("-id")
    for pledge_id, *cells in citations.values_list(
        "pledge_id", "source__key", "source__title", "source__publisher", "source__url", "source__published_on", "quote"
    ):
        first_citation[pledge_id] = cells  # the lowest id is written last
    rows = []
    for row in chunk:
        pid = row[0]
        parties = pledgers.get(pid, ())
        rows.append(
            [
                *row[1:_HEAD],
                ";".join(code for code, _ in parties),
                "; ".join(name for _, name in parties),
                *row[_HEAD:_MIDDLE],
                *first_citation.get(pid, _NO_SOURCE),
                *row[_MIDDLE:],
            ]
        )
    return rows


def iter_pledges(queryset=None, chunk_size: int | None = None) -> Iterator[list]:
    """The pledges' rows in PLEDGE_COLUMNS order, read through a server-side cursor one chunk at a
    time with the chunk's pledgers and citations: memory stays flat whatever the row count, and
    the first rows are ready before the last are read. Plain tuples throughout (no model
    instance per row): a million-row export is bound by the CSV writing, not the ORM."""
    queryset = models.Pledge.objects.all() if queryset is None else queryset
    size = chunk_size or CHUNK_SIZE
    tuples = queryset.export_rows(PLEDGE_OWN_LOOKUPS.values()).iterator(chunk_size=size)
    while chunk := list(itertools.islice(tuples, size)):
        yield from _pledge_chunk(chunk)


def summit_rows(queryset) -> Iterator[list]:
    queryset = queryset.prefetch_related("hosts", "chairs", "organisers").annotate(
        n_pledges=Count("pledges", distinct=True)
    )
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
            ";".join(c.code for c in _sorted_codes(s.chairs.all())),
            ";".join(o.code for o in _sorted_codes(s.organisers.all())),
            s.title_uk,
            s.summary_uk,
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
            d.title_uk,
            d.summary_uk,
        ]


def state_rows(queryset) -> Iterator[list]:
    queryset = queryset.annotate(n_pledges=Count("pledges", distinct=True))
    for s in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [s.code, s.name, s.kind, s.n_pledges, s.notes, s.name_uk]


def _joined(values) -> str:
    return ";".join(sorted(values))


def instrument_rows(queryset) -> Iterator[list]:
    # The contribution figures of every selected instrument in one query (instruments are few).
    figures = models.Instrument.objects.filter(pk__in=queryset.values("pk")).contribution_figures()
    queryset = queryset.prefetch_related(
        Prefetch("parties", queryset=models.InstrumentParty.objects.select_related("state")),
        "declarations",
        "force_requirements",
    ).annotate(n_contributions=Count("contributions", distinct=True))
    for i in queryset.iterator(chunk_size=CHUNK_SIZE):
        parties = list(i.parties.all())
        by_role = {role: _joined(p.state.code for p in parties if p.role == role) for role in InstrumentRole.values}
        counted = figures.get(i.pk) or {}
        yield [
            i.slug,
            i.name,
            i.kind,
            i.status,
            i.status_changed_on,
            i.condition,
            i.condition_text,
            i.condition_state,
            by_role[InstrumentRole.LEAD],
            by_role[InstrumentRole.PARTICIPANT],
            by_role[InstrumentRole.CONTRIBUTOR],
            by_role[InstrumentRole.SUPPORTER],
            _joined(d.slug for d in i.declarations.all()),
            i.n_contributions,
            counted.get("troop_pledges", 0),
            counted.get("troops_low"),
            counted.get("troops_high"),
            counted.get("troop_pledges_unquantified", 0),
            _joined(r.slug for r in i.force_requirements.all()),
            i.mandate,
            i.summary,
            i.updated_at,
            i.name_uk,
            i.summary_uk,
        ]


def person_rows(queryset) -> Iterator[list]:
    queryset = queryset.prefetch_related(Prefetch("posts", queryset=models.Post.objects.select_related("state")))
    for p in queryset.iterator(chunk_size=CHUNK_SIZE):
        posts = list(p.posts.all())
        yield [
            p.slug,
            p.name,
            _joined(post.slug for post in posts),
            _joined({post.state.code for post in posts}),
            p.summary,
            p.updated_at,
        ]


def post_rows(queryset) -> Iterator[list]:
    for p in queryset.select_related("person", "state", "source").iterator(chunk_size=CHUNK_SIZE):
        yield [
            p.slug,
            p.title,
            p.role,
            p.state.code,
            p.person.slug if p.person_id else "",
            p.person.name if p.person_id else "",
            p.start_date,
            p.start_precision,
            p.end_date,
            p.source.key,
            p.quote,
            p.attribution,
            p.updated_at,
        ]


def statement_rows(queryset) -> Iterator[list]:
    # Oldest first, undated last, in every database (the model's order leaves NULLs to the database).
    queryset = queryset.with_related().order_by(F("made_on").asc(nulls_last=True), "slug")
    for s in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            s.slug,
            s.made_on,
            s.made_precision,
            s.speaker.slug if s.speaker_id else "",
            s.speaker.name if s.speaker_id else "",
            s.state.code if s.state_id else "",
            s.summit.slug if s.summit_id else "",
            s.stance,
            _joined(p.slug for p in s.pledges.all()),
            _joined(i.slug for i in s.instruments.all()),
            _joined(d.slug for d in s.declarations.all()),
            _joined(m.slug for m in s.summits.all()),
            s.quote,
            s.attribution,
            s.source.key,
            s.source.title,
            s.source.url,
            s.summary,
            s.updated_at,
        ]


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
        iter_pledges,
        models.Pledge,
        filtersets.PledgeFilterSet,
    ),
    "summits": Table("summits", SUMMIT_COLUMNS, summit_rows, models.Summit, filtersets.SummitFilterSet),
    "declarations": Table(
        "declarations", DECLARATION_COLUMNS, declaration_rows, models.Declaration, filtersets.DeclarationFilterSet
    ),
    "states": Table("states", STATE_COLUMNS, state_rows, models.State, filtersets.StateFilterSet),
    "instruments": Table(
        "instruments", INSTRUMENT_COLUMNS, instrument_rows, models.Instrument, filtersets.InstrumentFilterSet
    ),
    "people": Table("people", PERSON_COLUMNS, person_rows, models.Person, filtersets.PersonFilterSet),
    "posts": Table("posts", POST_COLUMNS, post_rows, models.Post, filtersets.PostFilterSet),
    "statements": Table(
        "statements", STATEMENT_COLUMNS, statement_rows, models.Statement, filtersets.StatementFilterSet
    ),
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
        # One fixed form for every row: a time saved with microseconds and one without them read
        # alike, so pandas parses the whole column (it infers one format from the first row).
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
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
    # The first chunk is the header with the first row: the query has run by then, so a response
    # that primes it (`http.csv_response`) fails with an error status, never a 200 cut short.
    buffer: list[str] = [("\ufeff" + header) if bom else header]
    size = 0
    rows = iter(rows)
    first = next(rows, None)
    if first is not None:
        buffer.append(writer.writerow([cell(v) for v in first]))
    yield "".join(buffer)
    buffer = []
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


def pledge_csv_chunks(queryset=None, *, bom: bool = False, copy: bool | None = None) -> Iterator[str]:
    """The pledge export, the same whether the API, the admin or the command asks for it. On
    PostgreSQL the database writes the rows (`pg_copy`: the same bytes, at COPY's speed);
    `copy=False` takes the Python writer there too (the tests compare the two)."""
    queryset = models.Pledge.objects.all() if queryset is None else queryset
    if copy is None:
        copy = pg_copy.usable(queryset)
    if not copy:
        return csv_chunks(PLEDGE_COLUMNS, iter_pledges(queryset), bom=bom)
    return _copied_chunks(queryset, bom)


def _copied_chunks(queryset, bom: bool) -> Iterator[str]:
    """The header alone, then the rows as COPY writes them. COPY holds the connection until its
    last row, so it starts only when the server reads past the header, after the view and the
    middleware are done with the database; a COPY that fails then cuts the chunked body, which
    the client sees (the counted response's count query has already run on the same filters)."""
    header = csv.writer(_Line(), lineterminator="\r\n").writerow([c.name for c in PLEDGE_COLUMNS])
    yield "\ufeff" + header if bom else header
    # Text, as every other writer's chunks (the commands write text); a chunk ends with a row,
    # so no character is split.
    for chunk in pg_copy.pledge_rows_csv(queryset):
        yield chunk.decode()


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
    """One table as an Excel workbook (see `write_workbook`)."""
    spec = TABLES[table]
    write_workbook(spec.name, spec.columns, spec.rows(queryset), fileobj)


# How wide each type of column opens in Excel (characters), and how its numbers and dates show.
# A column is at least as wide as its header; long text is cut at the width, as in any sheet.
XLSX_WIDTHS = {"text": 40, "code": 16, "codes": 18, "integer": 11, "decimal": 14, "date": 12, "datetime": 20}
XLSX_FORMATS = {
    "integer": "#,##0",
    "decimal": "#,##0.00##",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}


def write_workbook(name: str, columns: tuple[Column, ...], rows: Iterable[list], fileobj) -> None:
    """An Excel workbook: sheet 1 the rows (typed cells, text neutralised as in the CSV, an unknown
    value an empty cell), sheet 2 'columns' documenting each column. Sheet 1 opens as people read
    it: column widths by type, the header bold and frozen, an autofilter over the rows, numbers with
    thousands separators and dates as dates (XLSX_WIDTHS, XLSX_FORMATS). openpyxl's write-only
    mode streams the rows to a temporary file, so memory stays flat as for the CSV."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(name)
    # Widths and the frozen header go before the rows, the autofilter after them (write-only mode).
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            XLSX_WIDTHS.get(column.type, 14), len(column.name) + 3
        )
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        heading = WriteOnlyCell(sheet, value=column.name)
        heading.font = bold
        header.append(heading)
    sheet.append(header)
    kinds = [c.type for c in columns]
    formats = [XLSX_FORMATS.get(kind) for kind in kinds]
    count = 0
    for row in rows:
        values = []
        for kind, number_format, value in zip(kinds, formats, row, strict=True):
            if isinstance(value, str):
                value = _XML_ILLEGAL.sub("\ufffd", formula_safe(value))
                if kind in TEXT_TYPES:
                    # A string starting with '=' would otherwise be stored as a formula.
                    text = WriteOnlyCell(sheet, value=value)
                    text.data_type = "s"
                    value = text
            elif value is not None and number_format is not None:
                if isinstance(value, datetime.datetime):
                    # Excel has no time zones: write UTC, as the column documentation says.
                    value = value.astimezone(datetime.UTC).replace(tzinfo=None)
                typed = WriteOnlyCell(sheet, value=value)
                typed.number_format = number_format
                value = typed
            elif isinstance(value, datetime.datetime):
                value = value.astimezone(datetime.UTC).replace(tzinfo=None)
            values.append(value)
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    # The sheet that documents the columns reads in the request's language (its name and the
    # names, types and values it lists are machine names, as in the header row).
    doc = workbook.create_sheet("columns")
    doc.append([gettext("column"), gettext("type"), gettext("meaning"), gettext("allowed values")])
    for c in columns:
        doc.append([c.name, c.type, gettext(c.description), ", ".join(c.choices)])
    workbook.save(fileobj)
