"""`manage.py check_data` and `/healthz?deep=1`: each integrity check passes on the seeded register
and reports a breach made on purpose (with the record named), and the command exits non-zero."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from commitments import integrity
from commitments.choices import Status
from commitments.models import Citation, Pledge, Source, StatusChange

from . import builders as make
from .conftest import needs_seeds

pytestmark = pytest.mark.django_db
BULK = "fr-gb-bulk-of-multinational-force-troops-2026"
AID = "fr-aid-2-billion-euros-2025"


def check(name: str) -> list[str]:
    return [f"{p.record}: {p.message}" for p in integrity.run([name])[name]]


@needs_seeds
def test_the_seeded_register_passes_every_check(seeded):
    out = io.StringIO()
    call_command("check_data", stdout=out)
    assert out.getvalue().count("✓") == len(integrity.CHECKS)
    assert "quotes checked against 5 of 5 sources" in out.getvalue()


def pledge_label(slug: str) -> str:
    return f"pledge {Pledge.objects.get(slug=slug).pk} ({slug})"


def test_status_other_than_the_latest_history_row(seeded):
    Pledge.objects.filter(slug=AID).update(status=Status.FULFILLED)  # behind change_status's back
    (problem,) = check("status")
    assert problem.startswith(pledge_label(AID) + ": status fulfilled on 2025-03-27, but its latest status change says")


def test_a_status_without_history(db):
    pledge = make.pledge()
    Pledge.objects.filter(pk=pledge.pk).update(status=Status.AGREED)
    assert check("status") == [
        f"pledge {pledge.pk} ({pledge.slug}): status agreed on None, but it has no status history."
    ]


def test_history_out_of_step(seeded):
    change = StatusChange.objects.filter(pledge__slug=AID).get(sequence=1)
    StatusChange.objects.filter(pk=change.pk).update(sequence=2, from_status=Status.PROPOSED)
    assert check("history") == [
        f"{pledge_label(AID)}: status change 2 should be 1.",
        f"{pledge_label(AID)}: status change 2 starts from proposed, but the status was not_assessable.",
    ]


def test_a_version_the_audit_trail_does_not_account_for(seeded):
    """The bug the seed had: an update written without raising the version (or the reverse)."""
    Pledge.objects.filter(slug=AID).update(version=F("version") + 1)
    (problem,) = check("versions")
    assert problem == f"{pledge_label(AID)}: version 3, but 2 audit records of its writes."


@needs_seeds
def test_a_quote_not_in_its_source(seeded, settings):
    citation = Citation.objects.filter(pledge__slug=AID).first()
    Citation.objects.filter(pk=citation.pk).update(quote="Macron pledged 90,000 troops")
    (problem,) = check("quotes")
    assert problem.startswith(f"citation {citation.pk}: quote not found in source ")
    # Without the seed reports there is nothing to check the seeded quotes against.
    settings.SEED_DIR = "/nonexistent"
    assert check("quotes") == []


def test_a_quote_checked_against_a_sources_stored_text(db):
    source = make.source(text="The leaders agreed to establish   “military hubs” across Ukraine.")
    good = Citation.objects.create(pledge=make.pledge(), source=source, quote='agreed to establish "military hubs"')
    bad = Citation.objects.create(pledge=good.pledge, source=source, quote="agreed to deploy troops")
    assert check("quotes") == [f"citation {bad.pk}: quote not found in source {source.key}: 'agreed to deploy troops'"]


def test_a_pledge_without_pledgers(db):
    pledge = make.pledge()
    Pledge.pledgers.through.objects.filter(pledge=pledge).delete()
    assert check("pledgers") == [f"pledge {pledge.pk} ({pledge.slug}): no pledger."]


def test_shares_in_a_circle_are_orphans(db):
    a, b, top, share = make.pledge(), make.pledge(), make.pledge(), make.pledge()
    Pledge.objects.filter(pk=share.pk).update(part_of=top)  # a share of a top-level pledge is fine
    Pledge.objects.filter(pk=a.pk).update(part_of=b)
    Pledge.objects.filter(pk=b.pk).update(part_of=a)
    problems = check("shares")
    assert problems == [
        f"pledge {a.pk} ({a.slug}): part of a circle of shares: {a.slug} → {b.slug} → …",
        f"pledge {b.pk} ({b.slug}): part of a circle of shares: {b.slug} → {a.slug} → …",
    ]


def test_the_command_lists_every_breach_and_exits_non_zero(seeded):
    Pledge.objects.filter(slug=AID).update(status=Status.FULFILLED, version=F("version") + 1)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 integrity breach"):
        call_command("check_data", stdout=out)
    assert "✗ status:" in out.getvalue() and "✗ versions:" in out.getvalue()
    assert f"    {pledge_label(AID)}: version" in out.getvalue()
    with pytest.raises(CommandError, match="No check named nonsense"):
        call_command("check_data", "nonsense")


def test_healthz_deep_reports_breaches_and_only_readers_see_them(seeded, client, settings):
    assert client.get("/healthz?deep=1").json() == {"status": "ok", "checks": dict.fromkeys(integrity.CHECKS, 0)}
    Pledge.objects.filter(slug=AID).update(status=Status.FULFILLED)
    settings.PUBLIC_READ = False
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {**dict.fromkeys(integrity.CHECKS, 0), "status": 1}}
    settings.PUBLIC_READ = True
    (problem,) = client.get("/healthz?deep=1").json()["problems"]
    assert problem["check"] == "status" and problem["record"] == pledge_label(AID)
    # The plain liveness check stays cheap and says nothing about the data.
    assert client.get("/healthz").json() == {"status": "ok"}


def test_an_edit_through_every_writer_keeps_the_register_consistent(seeded):
    pledge = Pledge.objects.get(slug=AID)
    pledge.title = "Edited"
    from commitments import services

    services.save_pledge(pledge)
    pledge.change_status(
        Status.STALLED, effective_date=datetime.date(2026, 2, 1), source=Source.objects.first(), note="No news"
    )
    services.mark_reviewed([pledge.pk])
    assert integrity.run() == {name: [] for name in integrity.CHECKS}


def test_citation_fields_are_fields_of_their_record(seeded):
    from commitments import integrity
    from commitments.models import Citation

    assert integrity.run(["citations"]) == {"citations": []}  # the seed names real fields
    citation = Citation.objects.filter(pledge__isnull=False).first()
    Citation.objects.filter(pk=citation.pk).update(field="amout")
    (problem,) = integrity.run(["citations"])["citations"]
    assert problem.record == f"citation {citation.pk} ({citation.key})"
    assert "a pledge has no field “amout”" in problem.message
