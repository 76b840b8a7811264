"""Releases (issue 14): made from the register as it stands, numbered in order, immutable (in
Python and, on PostgreSQL, in the database), a package that is the register's own package, and
who may make one (the Reviewer role) in the admin and with `manage.py release`."""

import csv
import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commitments import models
from commitments.choices import Status
from commitments.exports.package import write_package
from commitments.releases import make_release, routing

from . import builders as make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle_left_over():
    """The throttles count in the cache: each test starts with none of another's requests."""
    cache.clear()


def package_tables(data: bytes) -> dict[str, list]:
    """{file: its CSV rows (header first, then the rows sorted)}: the package's content whatever
    the order the database gave the rows in (PostgreSQL's collation orders slugs its own way)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tables = {}
        for name in archive.namelist():
            if name.endswith(".csv"):
                header, *rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
                tables[name] = [header, *sorted(rows)]
        return tables


def test_a_release_holds_the_register_as_its_data_package_says(seeded):
    release = make_release("Q1 2026", "First release.")
    assert (release.number, release.title, release.notes) == (1, "Q1 2026", "First release.")
    package = bytes(release.package)
    assert hashlib.sha256(package).hexdigest() == release.package_sha256
    assert len(package) == release.package_bytes
    assert hashlib.sha256(bytes(release.snapshot)).hexdigest() == release.snapshot_sha256
    # The frozen package has exactly what the live register's package has (read from the snapshot).
    live = io.BytesIO()
    write_package(live, created=release.created_at)
    assert package_tables(package) == package_tables(live.getvalue())
    assert release.counts["pledges"] == models.Pledge.objects.count() == 32
    assert release.counts["citations"] == models.Citation.objects.count()
    assert release.counts["status_changes"] == models.StatusChange.objects.count()


def test_releases_are_numbered_in_order(db):
    make.pledge("one")
    assert [make_release(f"R{n}").number for n in range(3)] == [1, 2, 3]


def test_a_release_is_byte_stable_after_later_edits(seeded, client, public):
    release = make_release("Before")
    package = client.get("/api/releases/1/package.zip").getvalue()
    metadata = client.get("/api/releases/1/").json()
    pledge = models.Pledge.objects.get(slug="fr-aid-2-billion-euros-2025")
    pledge.title = "Edited after the release"
    pledge.save()
    make.move(pledge, Status.AGREED, datetime.date(2026, 2, 1))
    models.Citation.objects.filter(pledge=pledge).delete()
    make_release("After")
    assert client.get("/api/releases/1/package.zip").getvalue() == package
    assert client.get("/api/releases/1/").json() == metadata
    assert hashlib.sha256(package).hexdigest() == release.package_sha256 == metadata["package_sha256"]
    # …and the later release differs where the register did.
    assert client.get("/api/releases/2/").json()["package_sha256"] != release.package_sha256


def test_a_release_cannot_be_changed_or_deleted(db):
    release = make_release("Fixed")
    release.title = "Rewritten"
    with pytest.raises(models.ReleaseIsImmutable):
        release.save()
    with pytest.raises(models.ReleaseIsImmutable):
        release.delete()
    with pytest.raises(models.ReleaseIsImmutable):
        models.Release.objects.filter(pk=release.pk).update(title="Rewritten")
    with pytest.raises(models.ReleaseIsImmutable):
        models.Release.objects.all().delete()
    assert models.Release.objects.get().title == "Fixed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_a_raw_update_or_delete_of_a_release(db):
    release = make_release("Fixed")
    for statement in (
        "UPDATE commitments_release SET title = 'Rewritten' WHERE id = %s",
        "DELETE FROM commitments_release WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [release.pk])
    assert models.Release.objects.get().title == "Fixed"


def test_the_database_refuses_a_release_numbered_0_or_twice(db):
    from django.db import IntegrityError

    release = make_release("One")
    values = {f.name: getattr(release, f.name) for f in models.Release._meta.concrete_fields if f.name != "id"}
    for number in (0, 1):
        with pytest.raises(IntegrityError), transaction.atomic():
            models.Release.objects.create(**{**values, "number": number})
    assert models.Release.objects.count() == 1


def test_a_release_needs_a_title(db):
    for title in ("", "   ", "x" * 201):
        with pytest.raises(ValidationError) as caught:
            make_release(title)
        assert "title" in caught.value.message_dict
    assert not models.Release.objects.exists()


def test_the_snapshot_leaves_out_the_staff(db):
    """Who typed a status change in is about the tracker's staff: not in a release."""
    pledge = make.pledge("p")
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 1), user=make.user("ana", "Analyst"))
    release = make_release("R")
    with routing.reading(routing.open_release(release)):
        assert list(models.StatusChange.objects.values_list("recorded_by_id", flat=True)) == [None]
        assert models.StatusChange.objects.get().pledge.slug == "p"


def test_a_damaged_snapshot_is_refused(db, tmp_path):
    with pytest.raises(routing.SnapshotDamaged):
        routing.unpack(b"not the snapshot", "0" * 64, tmp_path / "x.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_manage_py_release(db, capsys, tmp_path):
    make.pledge("p")
    call_command("release", title="From the command", notes="Notes.", output=str(tmp_path / "package.zip"))
    release = models.Release.objects.get()
    assert (release.number, release.title, release.notes, release.created_by) == (1, "From the command", "Notes.", None)
    assert "Release 1 made" in capsys.readouterr().out
    assert (tmp_path / "package.zip").read_bytes() == bytes(release.package)
    with pytest.raises(CommandError, match="needs a title"):
        call_command("release", title=" ")


# ---------------------------------------------------------------------------------------------
# Who may make one


def test_the_migration_grants_the_release_rights(db):
    from django.contrib.auth.models import Group

    def codenames(name):
        return set(
            Group.objects.get(name=name)
            .permissions.filter(codename__endswith="_release")
            .values_list("codename", flat=True)
        )

    assert codenames("Reviewer") == {"add_release", "view_release"}
    assert codenames("Analyst") == codenames("Viewer") == {"view_release"}


@pytest.mark.parametrize(("role", "may_make"), [("Viewer", False), ("Analyst", False), ("Reviewer", True)])
def test_who_may_make_a_release_in_the_admin(db, role, may_make):
    make.pledge("p")
    account = make.user(f"someone-{role.lower()}", role)
    client = Client()
    client.force_login(account)
    add = "/admin/commitments/release/add/"
    assert client.get(add).status_code == (200 if may_make else 403)
    response = client.post(add, {"title": "Q1 2026", "notes": "Made in the admin."})
    if may_make:
        assert response.status_code == 302
        release = models.Release.objects.get()
        assert (release.number, release.title, release.created_by) == (1, "Q1 2026", account)
    else:
        assert response.status_code == 403
        assert not models.Release.objects.exists()


def test_the_admin_shows_releases_read_only(db):
    make.pledge("p")
    release = make_release("Q1 2026")
    for role in ("Viewer", "Analyst", "Reviewer"):
        client = Client()
        client.force_login(make.user(f"reader-{role.lower()}", role))
        listing = client.get("/admin/commitments/release/")
        assert listing.status_code == 200 and "Q1 2026" in listing.content.decode()
        page = client.get(f"/admin/commitments/release/{release.pk}/change/")
        assert page.status_code == 200
        body = page.content.decode()
        assert release.package_sha256 in body and 'name="title"' not in body  # read-only
        assert client.post(f"/admin/commitments/release/{release.pk}/change/", {"title": "x"}).status_code == 403
        assert client.post(f"/admin/commitments/release/{release.pk}/delete/", {"post": "yes"}).status_code == 403
    assert models.Release.objects.get().title == "Q1 2026"


def test_the_admin_list_does_not_load_the_blobs(db):
    make.pledge("p")
    make_release("One")
    client = Client()
    client.force_login(make.user("rev", "Reviewer"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/commitments/release/").status_code == 200
    selects = [q["sql"] for q in queries.captured_queries if "commitments_release" in q["sql"]]
    assert selects and not any('"package"' in sql or '"snapshot"' in sql for sql in selects)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_releases_made_at_once_get_two_numbers():
    import threading

    from django.db import connections

    make.pledge("p")
    barrier = threading.Barrier(2)
    made, errors = [], []

    def run(title):
        try:
            barrier.wait()
            made.append(make_release(title).number)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"R{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(made) == [1, 2]
    first, second = models.Release.objects.order_by("number")
    assert first.created_at <= second.created_at
