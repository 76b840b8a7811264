"""Writing a snapshot: every table of the data package copied, rows and database ids as they are,
into a fresh SQLite file with the project's own schema (the models' tables, constraints and
indexes, made by Django's schema editor from the models), so that the API, the exports and the
package read it exactly as they read the live register.

The rows are read in one consistent snapshot of the live database: the caller's transaction,
REPEATABLE READ on PostgreSQL (`consistent_read`). A reference to something outside the register
(`recorded_by`: the staff account that typed a status change in, which the package leaves out
too) is written empty: a release publishes the register, not the tracker's accounts."""

import contextlib
import gzip
import hashlib
import io
import shutil
from pathlib import Path

from django.db import connections, transaction

from .routing import ALIAS_PREFIX, forget, register_sqlite, snapshot_models

BATCH = 2000


@contextlib.contextmanager
def consistent_read(using: str = "default"):
    """A transaction whose reads all see one moment of the database: REPEATABLE READ on
    PostgreSQL (set as its first statement), SQLite's read transaction elsewhere. Inside a
    transaction the caller holds already (a test's), that transaction's view is used."""
    connection = connections[using]
    fresh = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def ordered_models() -> list:
    """The snapshot's models, those with their own table first (their many-to-many link tables
    come with them), in the data package's order."""
    return sorted(snapshot_models(), key=lambda model: (model._meta.auto_created is not False, model._meta.db_table))


def write_snapshot(path: Path, using: str = "default") -> None:
    """Create the SQLite database at `path` and copy the register into it from `using`, which the
    caller reads inside `consistent_read`."""
    alias = register_sqlite(f"{ALIAS_PREFIX}writing-{path.parent.name}", path, readonly=False)
    target = connections[alias]
    models = ordered_models()
    inside = set(models)
    try:
        with target.schema_editor() as editor:
            for model in models:
                if not model._meta.auto_created:
                    editor.create_model(model)  # with its many-to-many link tables
        with target.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")  # checked below, once every table is in
            cursor.execute("BEGIN")
            for model in models:
                copy_table(model, inside, using, target, cursor)
            cursor.execute("COMMIT")
            cursor.execute("PRAGMA foreign_key_check")
            broken = cursor.fetchall()
            if broken:
                raise RuntimeError(f"The snapshot's references do not hold: {broken[:5]}")
    finally:
        forget(alias)


def copy_table(model, inside: set, using: str, target, cursor) -> None:
    fields = list(model._meta.concrete_fields)
    # A reference to a record outside the register (a staff account) is not published.
    outside = [field.is_relation and field.related_model not in inside for field in fields]
    quote = target.ops.quote_name
    # Names from the models, quoted; values as parameters.
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join("%s" for _ in fields)
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    rows = model._base_manager.using(using).order_by("pk").values_list(*(field.attname for field in fields))
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(
            [
                None if skip else field.get_db_prep_save(value, target)
                for field, value, skip in zip(fields, row, outside, strict=True)
            ]
        )
        if len(batch) >= BATCH:
            cursor.executemany(statement, batch)
            batch.clear()
    if batch:
        cursor.executemany(statement, batch)


def gzip_file(path: Path) -> bytes:
    """The file gzip'd, with no name and no time in the header: the same file, the same bytes."""
    buffer = io.BytesIO()
    with path.open("rb") as source, gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
