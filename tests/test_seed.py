"""Seeding never overwrites an analyst: `seed` adds what is missing, reports what differs, and the
start commands (`make run`, the container's) keep every edit; the reset is explicit and refuses in
production."""

import datetime
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from commitments import integrity, seeding, services
from commitments.choices import Status
from commitments.models import Citation, Pledge, Source, StatusChange, Summit

from .conftest import PROJECT_DIR, seed_dir

BULK = "fr-gb-bulk-of-multinational-force-troops-2026"
AID = "fr-aid-2-billion-euros-2025"
D = datetime.date


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def state_of(slug: str) -> tuple:
    """What an analyst would check after a restart: the fields, status, history, citations, version."""
    pledge = Pledge.objects.get(slug=slug)
    return (
        pledge.title,
        pledge.description,
        pledge.status,
        pledge.status_changed_on,
        pledge.version,
        list(pledge.status_changes.values_list("sequence", "to_status", "effective_date")),
        sorted(pledge.citations.values_list("quote", flat=True)),
        pledge.history.count(),
    )


def analyst_edits(analyst=None) -> None:
    """A field edit, a status change and an added citation to seeded records, through the write path."""
    aid = Pledge.objects.get(slug=AID)
    aid.title = "France: €2 bn (analyst's wording)"
    services.save_pledge(aid, user=analyst, reason="edited in the admin")
    source = Source.objects.get(key="seed-001-cow-meets-in-paris-march-2025")
    bulk = Pledge.objects.get(slug=BULK)
    next_status = Status.STALLED if bulk.status != Status.STALLED else Status.ANNOUNCED
    bulk.change_status(next_status, effective_date=D(2026, 2, 1), source=source, note="Analyst's reading", user=analyst)
    Citation.objects.create(pledge=bulk, source=source, quote="Britain and France re-emerged")


@pytest.mark.django_db
def test_seed_on_an_empty_database_passes_every_integrity_check():
    output = seed()
    assert "added 5 sources" in output and "32 pledges" in output
    assert integrity.run() == {name: [] for name in integrity.CHECKS}
    # Each pledge: one audit record for its creation, one per status change replayed through change_status.
    for pledge in Pledge.objects.all():
        changes = pledge.status_changes.count()
        assert pledge.version == 1 + changes
        assert [r.history_type for r in pledge.history.order_by("history_id")] == ["+"] + ["~"] * changes


@pytest.mark.django_db
def test_seed_loads_every_fixture_record_once(seeded):
    in_fixtures = {}
    for record in seeding.load_records():
        in_fixtures[record.model] = in_fixtures.get(record.model, 0) + 1
    assert {m: m.objects.count() for m in seeding.ORDER} == in_fixtures
    assert set(in_fixtures) == set(seeding.ORDER)  # every model of the register is among them


@pytest.mark.django_db
def test_seed_twice_changes_nothing(seeded):
    before = {p.slug: state_of(p.slug) for p in Pledge.objects.all()}
    counts = {m.__name__: m.objects.count() for m in seeding.ORDER}
    assert "added nothing" in seed()
    assert {p.slug: state_of(p.slug) for p in Pledge.objects.all()} == before
    assert {m.__name__: m.objects.count() for m in seeding.ORDER} == counts


@pytest.mark.django_db
def test_an_analysts_edit_status_change_and_citation_survive_seed(seeded, django_user_model):
    analyst_edits(django_user_model.objects.create_user("ana"))
    edited = {slug: state_of(slug) for slug in (AID, BULK)}
    output = seed()
    assert "added nothing" in output and "seed --diff" in output
    assert {slug: state_of(slug) for slug in (AID, BULK)} == edited
    assert integrity.run() == {name: [] for name in integrity.CHECKS}


@pytest.mark.django_db
def test_seed_diff_lists_the_differences_both_ways_and_changes_nothing(seeded):
    analyst_edits()
    Summit.objects.filter(slug="london-summit-2025-03").update(city="Londres")
    before = state_of(BULK), state_of(AID)
    with pytest.raises(CommandError, match="differences between the fixtures and the database"):
        seed("--diff")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("seed", "--diff", stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        f'pledge {AID}: title: database "France: €2 bn (analyst\'s wording)", '
        "fixtures 'French aid announcement of 2 billion euros'"
    ) in lines
    assert any(line.startswith(f"pledge {BULK}: status: database stalled, fixtures ") for line in lines)
    assert any(
        line.startswith("status change ") and "in the database, not in the fixtures" in line for line in lines
    ), lines
    assert any(line.startswith("citation ") and f"(on pledge {BULK})" in line for line in lines), lines
    assert "summit london-summit-2025-03: city: database 'Londres', fixtures 'London'" in lines
    assert (state_of(BULK), state_of(AID)) == before


@pytest.mark.django_db
def test_seed_diff_on_a_freshly_seeded_database_finds_nothing(seeded):
    assert seed("--diff").strip() == "The database holds the fixtures as they are."


@pytest.mark.django_db
def test_a_record_an_analyst_deleted_is_not_added_again(seeded, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", None)
    aid = Pledge.objects.get(slug=AID)
    services.delete_pledge(aid, user=root)
    output = seed()
    assert f"not added again (deleted by an analyst): pledge {AID}" in output
    assert not Pledge.objects.filter(slug=AID).exists()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("seed", "--diff", stdout=out)
    assert (
        f"pledge {AID}: deleted on " in out.getvalue() and "by root; the seed does not add it again" in out.getvalue()
    )


@pytest.mark.django_db
def test_a_missing_record_is_added_with_what_belongs_to_it_and_nothing_is_added_to_an_existing_one(seeded):
    bulk = Pledge.objects.get(slug=BULK)
    bulk_citations = bulk.citations.count()
    bulk.citations.first().delete()  # the analysts removed a citation of an existing pledge
    # A fixture record the database never had (as when a new fixture is added after the first seed).
    aid = Pledge.objects.get(slug=AID)
    expected = (aid.citations.count(), aid.status_changes.count())
    aid.delete()
    for model in (Pledge, StatusChange, Citation):
        model.history.filter(**({"slug": AID} if model is Pledge else {"pledge_id": aid.pk})).delete()
    assert seed().startswith(f"Seed: added 1 pledge, {expected[1]} status change")
    aid = Pledge.objects.get(slug=AID)
    assert (aid.citations.count(), aid.status_changes.count()) == expected
    assert bulk.citations.count() == bulk_citations - 1  # not put back


@pytest.mark.django_db
def test_a_fixture_the_models_refuse_stops_the_seed_with_nothing_written(tmp_path):
    for path in seeding.FIXTURES_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    records = yaml.safe_load((tmp_path / "pledges.yaml").read_text(encoding="utf-8"))
    last_pledge = max(i for i, r in enumerate(records) if r["model"] == "commitments.pledge")
    records[last_pledge]["fields"]["troops_min"] = 20000
    records[last_pledge]["fields"]["troops_max"] = 10000
    (tmp_path / "pledges.yaml").write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    with pytest.raises(seeding.FixtureError, match="The lower troop figure cannot exceed the upper one"):
        seeding.seed(tmp_path)
    assert Source.objects.count() == 0 and Pledge.objects.count() == 0


@pytest.mark.django_db
def test_a_fixture_may_not_set_what_the_database_derives(tmp_path):
    """A status in a pledge's fixture would never be loaded (the history decides it): refused, not ignored."""
    for path in seeding.FIXTURES_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    records = yaml.safe_load((tmp_path / "pledges.yaml").read_text(encoding="utf-8"))
    records[0]["fields"]["status"] = "committed"
    (tmp_path / "pledges.yaml").write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    with pytest.raises(seeding.FixtureError, match="status is the database's to set"):
        seeding.seed(tmp_path)
    assert Pledge.objects.count() == 0


@pytest.mark.django_db
def test_a_fixture_history_out_of_step_is_refused(tmp_path):
    for path in seeding.FIXTURES_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    records = yaml.safe_load((tmp_path / "pledges.yaml").read_text(encoding="utf-8"))
    change = next(r for r in records if r["model"] == "commitments.statuschange")
    change["fields"]["from_status"] = "agreed"
    (tmp_path / "pledges.yaml").write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    with pytest.raises(seeding.FixtureError, match="expected status change 1 from not_assessable"):
        seeding.seed(tmp_path)
    assert StatusChange.objects.count() == 0


@pytest.mark.django_db
def test_reset_refuses_with_debug_off(seeded, settings):
    settings.DEBUG = False
    analyst_edits()
    edited = state_of(AID)
    with pytest.raises(CommandError, match="Refused: DEBUG is off"):
        call_command("reset_to_fixtures", "--no-input")
    assert state_of(AID) == edited


@pytest.mark.django_db
def test_reset_with_debug_on_loads_the_fixtures_afresh(seeded, settings):
    settings.DEBUG = True
    analyst_edits()
    call_command("reset_to_fixtures", "--no-input", stdout=io.StringIO())
    aid = Pledge.objects.get(slug=AID)
    assert aid.title == "French aid announcement of 2 billion euros"
    assert aid.history.count() == 1 + aid.status_changes.count()
    assert integrity.run() == {name: [] for name in integrity.CHECKS}


# ---------------------------------------------------------------------------------------------
# The start commands, run for real against a database of their own


def run(command: list[str], env: dict, timeout=120) -> str:
    done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def inspect(env: dict) -> dict:
    """The pledges' titles, statuses, versions and citation counts, read by a separate process."""
    script = (
        "import json; from commitments.models import Pledge; "
        "print(json.dumps({p.slug: [p.title, p.status, p.version, p.citations.count()] "
        "for p in Pledge.objects.all()}))"
    )
    return json.loads(run([sys.executable, "manage.py", "shell", "-c", script], env).strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_database(tmp_path):
    """An environment for processes of their own: a SQLite file, production-like settings."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
        "PATH": f"{venv_bin}:{os.environ['PATH']}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'own.sqlite3'}",
        "SECRET_KEY": "test-only-not-a-secret-but-long-enough-for-the-production-check",
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SEED_DIR": str(seed_dir()),
    }


def edit_in_own_database(env: dict) -> None:
    script = "from tests.test_seed import analyst_edits; analyst_edits()"
    run([sys.executable, "manage.py", "shell", "-c", script], env)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_edits_survive_make_run_and_the_container_start(own_database):
    env = own_database
    run(["make", "prepare"], env)  # what `make run` does before it serves
    seeded = inspect(env)
    edit_in_own_database(env)
    edited = inspect(env)
    assert edited[AID] != seeded[AID] and edited[BULK] != seeded[BULK]

    run(["make", "prepare"], env)
    assert inspect(env) == edited

    # The container's command, with gunicorn serving for real until it answers.
    port = free_port()
    server = subprocess.Popen(
        ["sh", "bin/start-web"],
        cwd=PROJECT_DIR,
        env={**env, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?deep=1", timeout=2) as response:
                    health = json.load(response)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the container command did not start serving"
                time.sleep(0.3)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Seed: added nothing" in output, output
    assert health == {"status": "ok", "checks": {name: 0 for name in integrity.CHECKS}}
    assert inspect(env) == edited
