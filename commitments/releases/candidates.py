# ruff: noqa: S608 — the SQL here names the models' own tables and columns and temporary tables named here, never input.
"""Which rows of two snapshots may differ, found by SQLite itself: the diff then reads only those
through the ORM, so comparing two releases of a large register costs a few SQL passes, not a
Python comparison of every row (docs/releases.md, "The diff")."""

import contextlib
import sqlite3
from pathlib import Path

from ..exports.package_tables import PACKAGE_TABLES


@contextlib.contextmanager
def candidates(old: Path, new: Path):
    """`ids(model)`: the ids of the rows of `model` that may differ between the two snapshots, the
    rest being equal in the package's terms. A row may differ if its own columns differ (SQLite's
    joined by id, any column different, or on one side only: ids are kept from the live register, so a record has the
    same id in every release), or if a record it refers to may differ (its natural key, which the
    package writes for the reference, may have changed). The tables come referenced first, so one
    pass over them in the package's order carries a change to every row that shows it. Both
    snapshots are attached to one SQLite connection: the comparison runs in SQLite (joined by primary key, column
    by column, NULL-safe), not row by row in Python, and only the rows it finds are read through the ORM."""
    db = sqlite3.connect("file::memory:", uri=True)
    try:
        db.execute("ATTACH DATABASE ? AS old", (f"file:{old}?mode=ro&immutable=1",))
        db.execute("ATTACH DATABASE ? AS new", (f"file:{new}?mode=ro&immutable=1",))
        found: dict = {}
        for number, table in enumerate(PACKAGE_TABLES.values()):
            found[table.model] = _candidates_of(db, table.model, f"c{number}", found)
        yield lambda model: found[model][1]
    finally:
        db.close()


def _candidates_of(db, model, name: str, found: dict) -> tuple[str, list[int]]:
    """Fill the temporary table `name` with the ids of `model`'s rows that may differ; return its
    name and the ids. Names below are the models' own tables and columns and temporary tables
    named here, never input."""
    table = f'"{model._meta.db_table}"'
    pk = f'"{model._meta.pk.column}"'
    # Joined by primary key (an index lookup per row, no sort): new or changed rows, then removed ones.
    differs = " OR ".join(f'n."{f.column}" IS NOT o."{f.column}"' for f in model._meta.concrete_fields)
    parts = [
        f"SELECT n.{pk} FROM new.{table} AS n LEFT JOIN old.{table} AS o ON o.{pk} = n.{pk} "
        f"WHERE o.{pk} IS NULL OR {differs}",
        f"SELECT o.{pk} FROM old.{table} AS o WHERE NOT EXISTS (SELECT 1 FROM new.{table} AS n WHERE n.{pk} = o.{pk})",
    ]
    for model_field in model._meta.concrete_fields:
        target = found.get(model_field.related_model) if model_field.is_relation else None
        if target and target[1]:
            for side in ("old", "new"):
                parts.append(
                    f'SELECT {pk} FROM {side}.{table} WHERE "{model_field.column}" IN (SELECT id FROM temp.{target[0]})'
                )
    db.execute(f"CREATE TEMP TABLE {name} (id INTEGER PRIMARY KEY)")
    db.execute(f"INSERT OR IGNORE INTO temp.{name} {' UNION '.join(parts)}")
    return name, [row[0] for row in db.execute(f"SELECT id FROM temp.{name} ORDER BY id")]
