"""The pledge CSV on PostgreSQL, written by the database: `COPY (SELECT …) TO STDOUT (FORMAT csv)`.

The same bytes as the Python writer (`files.csv_chunks` over `files.iter_pledges`, still the path
on SQLite and the reference the tests compare this one with), at the speed of COPY: no Python
object per cell. What makes the bytes the same:

- every cell is text made in SQL as `files.cell` makes it: text neutralised as `formula_safe`
  does (a `'` before a cell starting with = + - @ tab CR or '), dates `YYYY-MM-DD`, times in UTC
  with microseconds and `+00:00`; numbers as PostgreSQL writes them (plain decimals);
- an empty text is sent as NULL, which COPY writes unquoted as the csv module writes ''
  (COPY would quote an empty string); COPY quotes a field with a comma, a quote, CR or LF and
  doubles quotes, as the csv module does (QUOTE_MINIMAL);
- COPY ends rows with LF: each row comes as one message, whose LF is made CRLF here.

The rows are the pledge queryset's, filters and order included: the queryset builds the SELECT
(see `copy_statement` for how the pledgers and the first citation join it).

Measured at 200k pledges on a loaded 2-core machine (COPY to /dev/null by psql, JIT off as the
export's snapshot sets it, http.py): one correlated subquery per pledger/citation cell (eight a
row) 9.2 s; the two LATERAL joins ~3.8 s; the rest is the pledge's own cells (formatting ~2 s,
the bare table's COPY ~0.6 s). Pre-aggregated joins (pledgers GROUP BY pledge_id, citations
DISTINCT ON pledge_id, hashed or merged) were at most ~15 % faster for the full file, within the
machine's noise, and would need an outer ORDER BY to keep the queryset's order and a full scan of
both tables for a filtered export: not taken. A larger `work_mem` (in-memory sort of the parallel
plan instead of a ~100 MB spill) and no parallel workers made no difference beyond the noise:
not set."""

from collections.abc import Iterator

from django.db import connections
from django.db.models import CharField, F, Func

from .. import models
from .columns import PLEDGE_COLUMNS, PLEDGE_OWN_LOOKUPS

# Bytes gathered before a chunk goes to the client (as files.FLUSH_BYTES).
FLUSH_BYTES = 64 * 1024


# The first characters `formula_safe` escapes (files.FORMULA_TRIGGERS and files.ESCAPE), as code
# points: `ascii(x) IN (…)` compares integers, about a third of the cost of `left(x, 1) IN ('=', …)`
# (~60 ms less per text column over 200k rows; sixteen such columns). ascii('') is 0.
TRIGGER_CODES = (61, 43, 45, 64, 9, 13, 39)


def _escaped(sql: str) -> str:
    """A text cell as `files.cell` writes it: `formula_safe`, and '' as NULL (see above). `sql`
    is repeated: only a column, never a subquery (it would run three times)."""
    codes = ", ".join(map(str, TRIGGER_CODES))
    return f"NULLIF(CASE WHEN ascii({sql}) IN ({codes}) THEN chr(39) || {sql} ELSE {sql} END, '')"


class _Text(Func):
    template = _escaped("%(expressions)s")
    output_field = CharField()


_DATE = "to_char({}, 'YYYY-MM-DD')"


class _Date(Func):
    template = _DATE.format("%(expressions)s")
    output_field = CharField()


class _Time(Func):
    template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
    output_field = CharField()


# Every piece of SQL text below is a constant of this module; the request's values (filters)
# reach the statement only as the queryset's parameters, quoted by psycopg.

# The pledge's pledgers, codes and names sorted by code, aggregated once per pledge (one index
# scan of the link table by pledge_id per row). Each pledger's state is read by its primary key
# (the OFFSET 0 keeps that subquery from being flattened): joined plainly, the planner hashed
# all ~200 states again for every pledge (20 µs a row, a third of the export at a million).
_PLEDGERS = (
    "LEFT JOIN LATERAL (SELECT string_agg(s.code, ';' ORDER BY s.code) AS codes, "
    "string_agg(s.name, '; ' ORDER BY s.code) AS names "
    "FROM commitments_pledge_pledgers pp CROSS JOIN LATERAL "
    "(SELECT code, name FROM commitments_state WHERE id = pp.state_id OFFSET 0) s "
    "WHERE pp.pledge_id = selected.pledge_id) pledgers ON true"
)
# The pledge's first citation (lowest id; one index scan of the citations by pledge_id per row),
# then its source by primary key (OFFSET 0 as above: joined inside the first subquery, every
# source was hashed again for every pledge).
_FIRST_CITATION = (
    "LEFT JOIN LATERAL (SELECT c.source_id, c.quote FROM commitments_citation c "
    "WHERE c.pledge_id = selected.pledge_id ORDER BY c.id LIMIT 1) first_citation ON true "
    "LEFT JOIN LATERAL (SELECT src.key, src.title, src.publisher, src.url, src.published_on "
    "FROM commitments_source src WHERE src.id = first_citation.source_id OFFSET 0) cited ON true"
)
# The cells the joins above give, by their place in PLEDGE_COLUMNS.
_JOINED = {
    3: _escaped("pledgers.codes"),
    4: _escaped("pledgers.names"),
    23: _escaped("cited.key"),
    24: _escaped("cited.title"),
    25: _escaped("cited.publisher"),
    26: _escaped("cited.url"),
    27: _DATE.format("cited.published_on"),
    28: _escaped("first_citation.quote"),
}


def _own_cells() -> dict:
    """The cells the pledge's own row and its to-one joins give (PLEDGE_OWN_LOOKUPS), by their
    place in PLEDGE_COLUMNS, formatted as the Python writer formats their type."""

    def as_is(expression):
        return expression

    formats = {"date": _Date, "datetime": _Time, "integer": as_is, "decimal": as_is}  # the rest: text
    lookups = PLEDGE_OWN_LOOKUPS
    cells = [formats.get(c.type, _Text)(F(lookups[c.name])) if c.name in lookups else None for c in PLEDGE_COLUMNS]
    assert {i for i, cell in enumerate(cells) if cell is None} == set(_JOINED)
    return {f"cell_{i}": cell for i, cell in enumerate(cells) if cell is not None}


def copy_statement(queryset) -> str:
    """The COPY statement of the pledge export of `queryset` (its filters and order), its
    parameters merged in by psycopg (COPY takes no bound parameters).

    The queryset's SELECT (its filters, its order, the pledge's own cells) is the outer row
    source; each of its rows then joins its pledgers and its first citation LATERALly. The
    lateral subqueries aggregate or LIMIT, so PostgreSQL cannot flatten them: the plan is a
    nested loop over the selected rows in their order (a subquery scan keeps its rows' order,
    a nested loop its outer side's), each probing the link table's and the citations' pledge_id
    indexes once — two probes a row where one subquery per cell made eight. A filtered export
    stays bound by the queryset's own plan."""
    rows = queryset.prefetch_related(None).values(pledge_id=F("id"), **_own_cells())
    sql, params = rows.query.sql_with_params()
    cells = [_JOINED.get(i, f"selected.cell_{i}") for i in range(len(PLEDGE_COLUMNS))]
    # (SELECT DISTINCT … ORDER BY adds the ordering's columns to the inner SELECT: the outer
    # one names the cells only.)
    select = f"SELECT {', '.join(cells)} FROM ({sql}) AS selected {_PLEDGERS} {_FIRST_CITATION}"  # noqa: S608
    connection = connections[queryset.db]
    return connection.ops.compose_sql(f"COPY ({select}) TO STDOUT (FORMAT csv)", params)


def pledge_rows_csv(queryset) -> Iterator[bytes]:
    """The export's data rows as CSV bytes, CRLF-ended, in ~64 KB chunks, as COPY sends them."""
    statement = copy_statement(queryset)
    # Django's cursor, so that the statement is logged and counted like any other query.
    with connections[queryset.db].cursor() as cursor, cursor.copy(statement) as copy:
        buffer: list[bytes] = []
        size = 0
        for row in copy:
            line = bytes(row)
            buffer.append(line[:-1])
            size += len(line)
            if size >= FLUSH_BYTES:
                buffer.append(b"")
                yield b"\r\n".join(buffer)
                buffer, size = [], 0
        if buffer:
            buffer.append(b"")
            yield b"\r\n".join(buffer)


def usable(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql" and queryset.model is models.Pledge
