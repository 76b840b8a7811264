"""Backup and restore (docs/operations.md): after a round trip through the documented commands the API
and the change feed answer exactly as before — every record, every ETag, every time to the
microsecond (dumpdata/loaddata would cut times to milliseconds and shift `updated_since` and the
feed's cursors, which is why the procedure does not use them)."""

import datetime
import shutil
import sqlite3
import subprocess
import uuid

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from rest_framework.test import APIClient

from commitments import services
from commitments.choices import Status
from commitments.models import Pledge, Source

from . import builders as make

pytestmark = pytest.mark.django_db(transaction=True)
ENDPOINTS = ("pledges", "instruments", "summits", "declarations", "states", "sources", "people", "statements")


def everything(settings) -> dict:
    """Every list of the API followed to its last page, each pledge's ETag, and the whole change feed."""
    settings.PUBLIC_READ = True
    settings.API_CHANGES_SETTLE_SECONDS = 0
    # Some 130 reads per call, twice per test: past the anonymous throttle (120/min), which is not
    # what this test is about.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "token": None}}
    client = APIClient()
    out = {}
    for name in (*ENDPOINTS, "changes"):
        rows, url = [], f"/api/{name}/?page_size=500" if name != "changes" else "/api/changes/?page_size=1000"
        while url:
            body = client.get(url).json()
            rows += body["results"]
            url = body["next"] if body.get("has_more", name != "changes") else None
        out[name] = rows
    out["etags"] = {row["id"]: client.get(row["url"])["ETag"] for row in out["pledges"]}
    return out


def edited_register(seeded) -> None:
    """The seeded register plus an analyst's work: times with microseconds, a status move, a deletion."""
    pledge = Pledge.objects.get(slug="fr-aid-2-billion-euros-2025")
    pledge.last_reviewed_at = datetime.datetime(2026, 1, 7, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    services.save_pledge(pledge)
    pledge.change_status(
        Status.STALLED, effective_date=datetime.date(2026, 2, 1), source=Source.objects.first(), note="No news"
    )
    services.delete_pledge(make.pledge("short-lived"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL procedure needs PostgreSQL")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_pg_dump_and_pg_restore_give_back_the_same_api(seeded, settings, tmp_path):
    edited_register(seeded)
    before = everything(settings)
    assert any(".123456" in (row["last_reviewed_at"] or "") for row in before["pledges"])

    params = connection.settings_dict
    original = params["NAME"]
    restored = f"restore_{uuid.uuid4().hex[:12]}"
    dump = tmp_path / "tracker.dump"
    where = ["-h", params["HOST"] or "127.0.0.1", "-p", str(params["PORT"] or 5432), "-U", params["USER"]]
    # The documented commands (docs/operations.md).
    subprocess.run(["pg_dump", *where, "--format=custom", "--file", str(dump), original], check=True)
    subprocess.run(["createdb", *where, restored], check=True)
    try:
        subprocess.run(["pg_restore", *where, "--no-owner", "--dbname", restored, str(dump)], check=True)
        connection.close()
        params["NAME"] = restored
        after = everything(settings)
    finally:
        connection.close()
        params["NAME"] = original
        subprocess.run(["dropdb", *where, "--force", restored], check=True)
    assert after == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite procedure is for the embedded database")
def test_the_sqlite_backup_gives_back_the_same_api(seeded, settings, tmp_path):
    """For the embedded database: SQLite's own online backup (`sqlite3 db.sqlite3 ".backup FILE"`)."""
    edited_register(seeded)
    before = everything(settings)
    copy = tmp_path / "backup.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    # The restored file is served through a connection of its own, put in place of the default one
    # for the requests below. (Renaming the test connection instead would read the in-memory test
    # database still open under it, and closing it afterwards would destroy that database.)
    original = connections[DEFAULT_DB_ALIAS]
    restored = type(original)({**original.settings_dict, "NAME": str(copy)}, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = restored
    try:
        assert connection.settings_dict["NAME"] == str(copy)
        after = everything(settings)
    finally:
        restored.close()
        connections[DEFAULT_DB_ALIAS] = original
    assert after == before
