"""Reading a release: its snapshot as a read-only SQLite database alias, and a database router
that sends the reads of the register's models there while a request (or a block) asks for it.

A request with `?release=N` sets `CURRENT` (a context variable) to the alias of release N's
snapshot; every queryset of a register model then reads from it, through the same views,
serializers, FilterSets and export writers as the live register: one code path for both. A
streamed answer is read after the view has returned, so its iterator is wrapped (`bound`) to read
with the alias set too. Writes are never routed: a write with `?release=` is refused before it
starts (commitments/api/releases.py).

The snapshot (a gzip'd SQLite file stored in the release row) is checked against its SHA-256 and
unpacked once into `RELEASE_CACHE_DIR`, then opened as `file:…?mode=ro&immutable=1`: SQLite
reads it without locking and nothing can write to it."""

import contextlib
import contextvars
import gzip
import hashlib
import io
import os
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.utils.connection import ConnectionDoesNotExist

# The alias of the snapshot the current request reads, or None for the live register.
CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("release_alias", default=None)
ALIAS_PREFIX = "release-"
_lock = threading.Lock()


class SnapshotDamaged(Exception):
    """A release's stored snapshot does not match its hash."""


def snapshot_models() -> frozenset:
    """The models a snapshot holds: exactly the data package's tables (many-to-many links
    included); no users, tokens, audit trail or derived summary."""
    from ..exports.package_tables import PACKAGE_TABLES

    return frozenset(table.model for table in PACKAGE_TABLES.values())


class ReleaseRouter:
    """Reads of the register's models go to the snapshot of `CURRENT` while it is set; everything
    else (users, tokens, sessions, the audit trail, releases themselves, and every write) to the
    live database as usual. No migration ever runs on a snapshot alias."""

    _models = None

    def db_for_read(self, model, **hints):
        alias = CURRENT.get()
        if alias is None:
            return None
        if ReleaseRouter._models is None:
            ReleaseRouter._models = snapshot_models()
        return alias if model in ReleaseRouter._models else None

    def allow_migrate(self, db, app_label, **hints):
        return False if db.startswith(ALIAS_PREFIX) else None


def register_sqlite(alias: str, path: Path, *, readonly: bool) -> str:
    """Make `alias` a database connection of this thread to the SQLite file at `path`.

    The connection is this thread's own (Django's connections are per thread) and is not in
    `settings.DATABASES`: a snapshot is a file beside the register, not one of its databases, so
    nothing that walks the configured databases (migrate, flush, the test runner's isolation
    checks) touches it. It stays open for the thread's next request that reads the release."""
    try:
        connections[alias]
    except ConnectionDoesNotExist:
        name = f"file:{path}?mode=ro&immutable=1" if readonly else str(path)
        configured = connections.configure_settings(
            {"default": {}, alias: {"ENGINE": "django.db.backends.sqlite3", "NAME": name}}
        )[alias]
        connections[alias] = DatabaseWrapper(configured, alias)
    return alias


def forget(alias: str) -> None:
    """Close this thread's connection to `alias` and drop it (a temporary database)."""
    try:
        connection = connections[alias]
    except ConnectionDoesNotExist:
        return
    connection.close()
    del connections[alias]


@contextlib.contextmanager
def reading(alias: str | None):
    """Reads of the register's models go to `alias` inside the block (None: the live register)."""
    token = CURRENT.set(alias)
    try:
        yield alias
    finally:
        CURRENT.reset(token)


def bound(alias: str, iterable):
    """`iterable`, each item produced with the reads going to `alias`: for a streamed answer,
    which Django iterates after the view has returned."""
    iterator = iter(iterable)
    while True:
        token = CURRENT.set(alias)
        try:
            item = next(iterator)
        except StopIteration:
            return
        finally:
            CURRENT.reset(token)
        yield item


def cache_dir() -> Path:
    path = Path(settings.RELEASE_CACHE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def alias_of(release) -> str:
    return f"{ALIAS_PREFIX}{release.number}-{release.snapshot_sha256[:16]}"


def snapshot_path(release) -> Path:
    """Where `release`'s snapshot is unpacked (`open_release` puts it there)."""
    return cache_dir() / f"{alias_of(release)}.sqlite3"


def open_release(release) -> str:
    """The database alias of `release`'s snapshot, unpacked into the cache (and checked against
    its hash) on first use. `release` may come without its blobs (`Release.objects.metadata()`):
    the snapshot is read from the database only when the cache lacks it, or holds a copy unpacked
    before the models gained a column (checked once per process)."""
    alias = alias_of(release)
    path = snapshot_path(release)
    with _lock:
        if not path.exists() or (path not in _checked and missing_columns(path)):
            from ..models import Release

            blob = bytes(Release.objects.filter(pk=release.pk).values_list("snapshot", flat=True).get())
            unpack(blob, release.snapshot_sha256, path)
        _checked.add(path)
    return register_sqlite(alias, path, readonly=True)


# The unpacked snapshots this process has found to have every column of the models.
_checked: set[Path] = set()


def missing_columns(path: Path) -> list[tuple]:
    """(model, field) of the models' columns the snapshot at `path` lacks: columns added to the
    register after the release was made (e.g. the Ukrainian versions, issue 16)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        missing = []
        for model in sorted(snapshot_models(), key=lambda m: m._meta.db_table):
            table = model._meta.db_table
            have = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
            missing += [(model, f) for f in model._meta.local_concrete_fields if have and f.column not in have]
        return missing


def add_missing_columns(path: Path) -> None:
    """Give the snapshot at `path` the columns the models gained since it was made, each with its
    default for every row: a release made before the Ukrainian versions existed has none (empty),
    which is what its register held. Django's schema editor adds them as a migration would."""
    missing = missing_columns(path)
    if not missing:
        return
    alias = register_sqlite(f"{ALIAS_PREFIX}upgrade-{path.name}", path, readonly=False)
    try:
        with connections[alias].schema_editor() as editor:
            for model, field in missing:
                editor.add_field(model, field)
    finally:
        forget(alias)


def unpack(blob: bytes, sha256: str, path: Path) -> None:
    """Check `blob` against `sha256`, then gunzip it to `path` (atomically: a reader never finds
    a half-written file)."""
    if hashlib.sha256(blob).hexdigest() != sha256:
        raise SnapshotDamaged(f"The stored snapshot does not match its SHA-256 ({sha256}): not served.")
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as out, gzip.GzipFile(fileobj=io.BytesIO(blob), mode="rb") as source:
            shutil.copyfileobj(source, out, 1024 * 1024)
        add_missing_columns(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
