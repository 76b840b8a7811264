"""What changed between two releases, or between a release and the live register ("now"): the
records added, removed and changed field by field, and the status moves (a pledge or an
instrument moved from one status to another: its new status-history rows) listed first.

Computed from the two snapshots, table by table of the data package, with the package's own
columns: records are matched by their natural key (a pledge by its slug, a status change by its
pledge and sequence, a link row by the keys of the two records it links), never by database id,
and values are compared as the package writes them. SQLite first finds the rows that may differ
(`candidates`); only those are read through the ORM from both sides. A table with many of them is
read whole from both snapshots in primary-key order and merged, so memory holds one row of each
side at a time (SQLite orders text by its UTF-8 bytes, which is Python's order of strings). The
live side is first frozen into a snapshot, in one consistent read, so it is compared the same way."""

import datetime
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import models
from ..exports.catalogue import last_change
from ..exports.columns import Column
from ..exports.package_tables import PACKAGE_TABLES, PackageTable, package_value
from . import routing
from .candidates import candidates
from .snapshot import consistent_read, write_snapshot

# The status histories: an added row is a status move of the record it belongs to.
STATUS_TABLES = {
    "status_changes": ("pledges", models.Pledge, "pledge", "title"),
    "instrument_status_changes": ("instruments", models.Instrument, "instrument", "name"),
}
# The column naming a row for a reader, where the table has one.
LABEL_COLUMNS = ("title", "name")

ADDED, REMOVED, CHANGED, STATUS_MOVE = "added", "removed", "changed", "status_move"


def jsonable(value):
    """A value as JSON carries it: text, numbers (decimals as text, as the API writes them), true/false."""
    value = package_value(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass
class Side:
    """One side of a comparison: a release, or the live register (`release` None)."""

    alias: str
    path: Path
    release: models.Release | None = None
    at: datetime.datetime | None = None

    def describe(self) -> dict:
        if self.release is None:
            return {"release": None, "title": "The live register", "created_at": self.at}
        return {"release": self.release.number, "title": self.release.title, "created_at": self.release.created_at}

    @property
    def label(self) -> str:
        return "now" if self.release is None else f"release {self.release.number}"


@dataclass
class RecordChange:
    change: str  # added, removed, changed
    table: str
    key: dict
    label: str
    fields: list[dict] = field(default_factory=list)  # changed: [{"field", "from", "to"}]
    values: dict = field(default_factory=dict)  # added / removed: the row

    def as_dict(self) -> dict:
        data = {"change": self.change, "table": self.table, "key": self.key, "record": record_name(self.key)}
        data["label"] = self.label
        if self.change == CHANGED:
            data["fields"] = self.fields
        else:
            data["values"] = self.values
        return data


@dataclass
class StatusMove:
    table: str  # pledges or instruments
    record: str  # its slug
    label: str  # its title or name
    sequence: int
    from_status: str
    to_status: str
    effective_date: str | None
    quote: str
    source: str
    note: str
    source_title: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Diff:
    old: Side
    new: Side
    status_moves: list[StatusMove]
    changes: list[RecordChange]

    def counts(self) -> dict:
        counted = {ADDED: 0, REMOVED: 0, CHANGED: 0}
        for change in self.changes:
            counted[change.change] += 1
        return {"status_moves": len(self.status_moves), **counted}

    def as_dict(self) -> dict:
        return {
            "from": self.old.describe(),
            "to": self.new.describe(),
            "counts": self.counts(),
            "status_moves": [move.as_dict() for move in self.status_moves],
            "changes": [change.as_dict() for change in self.changes],
        }


def record_name(key: dict) -> str:
    return " / ".join(str(value) for value in key.values())


def _rows(table: PackageTable, alias: str) -> Iterator[dict]:
    names = [column.name for column in table.columns]
    for row in routing.bound(alias, table.rows()):
        yield dict(zip(names, (jsonable(value) for value in row), strict=True))


def _key(table: PackageTable, row: dict) -> tuple:
    return tuple(row[name] for name in table.primary_key)


def _pair(table: PackageTable, a: dict | None, b: dict | None) -> RecordChange | None:
    """The change from row `a` to row `b` of the same key (None: absent on that side), or None."""
    label_name = next((name for name in LABEL_COLUMNS if any(c.name == name for c in table.columns)), None)
    row = b if b is not None else a
    key = {name: row[name] for name in table.primary_key}
    label = str(row.get(label_name) or "") if label_name else ""
    if a is None:
        return RecordChange(ADDED, table.name, key, label, [], b)
    if b is None:
        return RecordChange(REMOVED, table.name, key, label, [], a)
    fields = [
        {"field": name, "from": a[name], "to": b[name]}
        for name in a
        if name not in table.primary_key and a[name] != b[name]
    ]
    return RecordChange(CHANGED, table.name, key, label, fields, {}) if fields else None


def compare_table(table: PackageTable, old: str, new: str) -> Iterator[RecordChange]:
    """The table's records added, removed and changed from `old` to `new` (snapshot aliases),
    in primary-key order: both read whole, in that order, and merged."""
    before, after = _rows(table, old), _rows(table, new)
    a, b = next(before, None), next(after, None)
    while a is not None or b is not None:
        if b is None or (a is not None and _key(table, a) < _key(table, b)):
            change, a = _pair(table, a, None), next(before, None)
        elif a is None or _key(table, b) < _key(table, a):
            change, b = _pair(table, None, b), next(after, None)
        else:
            change = _pair(table, a, b)
            a, b = next(before, None), next(after, None)
        if change is not None:
            yield change


def status_moves(changes: list[RecordChange], new: str) -> list[StatusMove]:
    """The status-history rows added: each a move of its record, with the record's title."""
    moves = []
    for change in changes:
        if change.change != ADDED or change.table not in STATUS_TABLES:
            continue
        table, model, subject, label = STATUS_TABLES[change.table]
        row = change.values
        moves.append(
            StatusMove(
                table=table,
                record=row[subject],
                label="",
                sequence=row["sequence"],
                from_status=row.get("from_status") or "",
                to_status=row["to_status"],
                effective_date=row.get("effective_date"),
                quote=row.get("quote") or "",
                source=row.get("source") or "",
                note=row.get("note") or "",
            )
        )
    # The records' titles, one query per kind of record.
    for table, model, _, label in STATUS_TABLES.values():
        slugs = {move.record for move in moves if move.table == table}
        if slugs:
            with routing.reading(new):
                titles = dict(model._base_manager.filter(slug__in=slugs).values_list("slug", label))
            for move in moves:
                if move.table == table:
                    move.label = titles.get(move.record, "")
    keys = {move.source for move in moves if move.source}
    if keys:
        with routing.reading(new):
            sources = dict(models.Source._base_manager.filter(key__in=keys).values_list("key", "title"))
        for move in moves:
            move.source_title = sources.get(move.source, "")
    moves.sort(key=lambda move: (move.table != "pledges", move.effective_date or "", move.record, move.sequence))
    return moves


def compare(old: Side, new: Side) -> Diff:
    changes = []
    with candidates(old.path, new.path) as rows_that_may_differ:
        for table in PACKAGE_TABLES.values():
            ids = rows_that_may_differ(table.model)
            if not ids:
                continue
            if len(ids) > FULL_COMPARE_ABOVE:
                changes += compare_table(table, old.alias, new.alias)
            else:
                changes += compare_rows(table, ids, old.alias, new.alias)
    return Diff(old, new, status_moves(changes, new.alias), changes)


# Above this many rows that may differ, a table is compared whole, in one ordered pass.
FULL_COMPARE_ABOVE = 20_000
ID_BATCH = 500


def compare_rows(table: PackageTable, ids: list[int], old: str, new: str) -> list[RecordChange]:
    """As `compare_table`, for the rows of these ids only (read by id from each snapshot)."""
    names = [column.name for column in table.columns]
    lookups = [column.lookup for column in table.columns]

    def read(alias) -> dict:
        rows = {}
        with routing.reading(alias):
            for start in range(0, len(ids), ID_BATCH):
                batch = ids[start : start + ID_BATCH]
                for values in table.model._base_manager.filter(pk__in=batch).values_list(*lookups):
                    row = dict(zip(names, (jsonable(value) for value in values), strict=True))
                    rows[tuple(row[name] for name in table.primary_key)] = row
        return rows

    before, after = read(old), read(new)
    paired = (_pair(table, before.get(key), after.get(key)) for key in sorted(before.keys() | after.keys()))
    return [change for change in paired if change is not None]


def release_side(release: models.Release) -> Side:
    return Side(routing.open_release(release), routing.snapshot_path(release), release)


class live_side:
    """The live register frozen into a snapshot for the comparison, kept in the release cache
    under the register's last change (`exports.catalogue.last_change`: the newest audit entry and
    the row count, what the data page's sizes are cached under): while the register does not
    change, a diff to "now" reuses it instead of reading the whole register again. Making one
    replaces the previous one."""

    def __enter__(self) -> Side:
        with consistent_read():
            # The register's last change, not the time of reading: the same register, the same answer.
            change = last_change()
            key = hashlib.sha256(change.key().encode()).hexdigest()[:16]
            path = routing.cache_dir() / f"now-{key}.sqlite3"
            if not path.exists():
                with tempfile.TemporaryDirectory(prefix="release-now-", dir=path.parent) as folder:
                    written = Path(folder) / "snapshot.sqlite3"
                    write_snapshot(written)
                    os.replace(written, path)
                for older in path.parent.glob("now-*.sqlite3"):
                    if older != path:
                        older.unlink(missing_ok=True)  # a reader that has it open keeps reading it
        self.alias = routing.register_sqlite(f"{routing.ALIAS_PREFIX}now-{key}", path, readonly=True)
        return Side(self.alias, path, None, change.at)

    def __exit__(self, *exc):
        # Not kept open: the file is replaced when the register changes, and an open connection
        # would keep the replaced file's space.
        routing.forget(self.alias)


# The CSV of a diff: one row per status move, then per record added or removed, then per field changed.
CSV_COLUMNS = (
    Column("change", "code", "status_move, added, removed or changed.", choices=(STATUS_MOVE, ADDED, REMOVED, CHANGED)),
    Column("table", "code", "The data package's table of the record (pledges, status_changes, citations…)."),
    Column("record", "text", "The record's natural key (a slug; several parts joined by ' / ')."),
    Column("label", "text", "The record's title or name, where it has one."),
    Column("field", "text", "The field that changed (changed rows; 'status' for a status move); blank otherwise."),
    Column("old", "text", "The field's value before (blank when unknown or for an added record)."),
    Column("new", "text", "The field's value after (blank when unknown or for a removed record)."),
    Column("effective_date", "date", "Status moves: the date the new status took effect."),
    Column("quote", "text", "Status moves: the phrase of the source that supports the move."),
    Column("source", "code", "Status moves: the key of that source."),
)


def csv_rows(diff: Diff) -> Iterator[list]:
    for move in diff.status_moves:
        yield [
            STATUS_MOVE,
            move.table,
            move.record,
            move.label,
            "status",
            move.from_status,
            move.to_status,
            move.effective_date,
            move.quote,
            move.source,
        ]
    for change in diff.changes:
        record = record_name(change.key)
        if change.change == CHANGED:
            for item in change.fields:
                yield [
                    CHANGED,
                    change.table,
                    record,
                    change.label,
                    item["field"],
                    item["from"],
                    item["to"],
                    None,
                    "",
                    "",
                ]
        else:
            yield [change.change, change.table, record, change.label, "", "", "", None, "", ""]
