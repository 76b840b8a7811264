"""Making a release: one consistent read of the live register into a snapshot, the data package
built from that snapshot, both frozen in a new `Release` with the next number.

Concurrency: the whole is one transaction on the live database which first takes a lock on the
release table that only another release maker waits for (SHARE ROW EXCLUSIVE on PostgreSQL; SQLite
writes one at a time anyway), then reads the register at one moment (REPEATABLE READ), so two
editors making a release at once get numbers in the order of the data they froze, never the
same number (the number is also unique in the database)."""

import io
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exports.package import write_package
from ..exports.package_tables import PACKAGE_TABLES
from ..models import Release
from . import routing
from .snapshot import consistent_read, gzip_file, sha256, write_snapshot

TITLE_MAX = Release._meta.get_field("title").max_length


def clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("A release needs a title ('Q1 2026').")]})
    if len(title) > TITLE_MAX:
        message = _("A title has at most %(limit)d characters (this one has %(length)d).")
        raise ValidationError({"title": [message % {"limit": TITLE_MAX, "length": len(title)}]})
    return title


def _lock_releases(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Conflicts with itself (and with writes), not with readers: release makers queue here.
            # Taken before any query, so the transaction's snapshot is read after the lock.
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(Release._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE"
            )


def make_release(title: str, notes: str = "", user=None, *, using: str = "default") -> Release:
    """Freeze the register as it stands into release number max + 1; returns it (without
    reloading its blobs)."""
    title = clean_title(title)
    notes = (notes or "").strip()
    with tempfile.TemporaryDirectory(prefix="release-") as folder:
        path = Path(folder) / "snapshot.sqlite3"
        with consistent_read(using):
            _lock_releases(using)
            number = (Release.objects.using(using).aggregate(last=Max("number"))["last"] or 0) + 1
            created_at = timezone.now()
            write_snapshot(path, using)
            package, counts = package_of(path, created_at)
            snapshot = gzip_file(path)
            return Release.objects.using(using).create(
                number=number,
                title=title,
                notes=notes,
                created_at=created_at,
                created_by=user if user is not None and user.is_authenticated else None,
                package=package,
                package_sha256=sha256(package),
                package_bytes=len(package),
                snapshot=snapshot,
                snapshot_sha256=sha256(snapshot),
                snapshot_bytes=len(snapshot),
                counts=counts,
            )


def package_of(path: Path, created_at) -> tuple[bytes, dict[str, int]]:
    """The data package of the snapshot at `path`, dated `created_at`, and its rows per table:
    the package's own writer, reading the snapshot through the release router."""
    alias = routing.register_sqlite(f"{routing.ALIAS_PREFIX}making-{path.parent.name}", path, readonly=True)
    try:
        with routing.reading(alias):
            buffer = io.BytesIO()
            write_package(buffer, created=created_at)
            counts = {name: table.model._base_manager.count() for name, table in PACKAGE_TABLES.items()}
    finally:
        routing.forget(alias)
    return buffer.getvalue(), counts
