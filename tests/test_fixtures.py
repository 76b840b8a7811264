"""The seed fixtures: every fact cited and its quote found in its seed report; seeding is idempotent;
pledge status and history agree."""

import copy
import io
import itertools

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from commitments.choices import Status
from commitments.models import Citation, Pledge, StatusChange

from .conftest import seed_dir
from .fixture_walk import load_records, walk

SEEDS = seed_dir()
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"seed reports not found at {SEEDS} (set SEED_DIR); quotes cannot be checked against them",
)


@needs_seeds
def test_every_fixture_fact_is_cited_with_a_quote_found_in_its_seed_report():
    problems = walk(load_records(), SEEDS)
    assert problems == []


@needs_seeds
def test_all_five_seed_reports_are_sources():
    files = {r["fields"]["seed_file"] for r in load_records() if r["model"] == "commitments.source"}
    assert files == {path.name for path in SEEDS.glob("*.txt")}


@needs_seeds
@pytest.mark.parametrize(
    "mutate, expected",
    [
        (
            lambda rs: [r for r in rs if not (r["model"] == "commitments.citation" and r["fields"].get("pledge"))],
            "has no citation",
        ),
        (lambda rs: _set(rs, "commitments.citation", "quote", "Macron pledged 90,000 troops"), "quote not found"),
        (lambda rs: _set(rs, "commitments.source", "seed_file", "999_missing.txt"), "does not exist"),
        (lambda rs: _set(rs, "commitments.statuschange", "quote", ""), "no quoted phrase"),
        (lambda rs: _set(rs, "commitments.attendance", "quote", " ".join(["word"] * 26)), "26 words"),
    ],
)
def test_the_walk_reports_each_kind_of_problem(mutate, expected):
    problems = walk(mutate(copy.deepcopy(load_records())), SEEDS)
    assert any(expected in problem for problem in problems), problems


def _set(records, model, field, value):
    for record in records:
        if record["model"] == model:
            record["fields"][field] = value
            break
    return records


def test_the_walk_normalises_typographic_quotes_and_whitespace(tmp_path):
    (tmp_path / "a.txt").write_text("He said “it will be\n  for good”, and left.", encoding="utf-8")
    records = [
        {"model": "commitments.source", "_file": "x", "fields": {"key": "a", "seed_file": "a.txt"}},
        {
            "model": "commitments.attendance",
            "_file": "x",
            "fields": {"source": ["a"], "quote": 'said "it will be for good"'},
        },
        {"model": "commitments.attendance", "_file": "x", "fields": {"source": ["a"], "quote": "it will be for ever"}},
    ]
    assert [p for p in walk(records, tmp_path)] == [
        "x: commitments.attendance {'source': ['a'], 'quote': 'it will be for ever'}: quote not found in a.txt: "
        "'it will be for ever'"
    ]


def domain_models():
    # API tokens are credentials, not facts the seed loads.
    return [
        m
        for m in apps.get_app_config("commitments").get_models()
        if not m.__name__.startswith("Historical") and m.__name__ != "ApiToken"
    ]


def snapshot():
    out = {}
    for model in domain_models():
        rows = model._default_manager.order_by("pk")
        out[model.__name__] = serializers.serialize(
            "json", rows, use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
    return out


@pytest.mark.django_db
def test_seed_twice_gives_identical_row_counts_and_contents():
    call_command("seed", stdout=io.StringIO())
    first = snapshot()
    call_command("seed", stdout=io.StringIO())
    assert snapshot() == first
    assert {name: len(rows) > 2 for name, rows in first.items()} == {name: True for name in first}


@pytest.mark.django_db
def test_seed_records_one_audit_entry_per_record_once(seeded):
    pledge = Pledge.objects.get(slug="fr-gb-bulk-of-multinational-force-troops-2026")
    assert pledge.history.count() == 1
    first = pledge.history.get()
    assert first.history_type == "+" and first.history_change_reason == "Loaded from the seed fixtures"
    assert sorted(first.pledgers.values_list("state__code", flat=True)) == ["FR", "GB"]
    call_command("seed", stdout=io.StringIO())
    assert pledge.history.count() == 1


@pytest.mark.django_db
def test_seed_audits_a_record_a_changed_fixture_updates(seeded):
    pledge = Pledge.objects.get(slug="fr-aid-2-billion-euros-2025")
    # As if the database and its audit trail held an older version of the fixture.
    Pledge.objects.filter(pk=pledge.pk).update(title="Older title")
    pledge.history.update(title="Older title")
    call_command("seed", stdout=io.StringIO())
    latest, first = pledge.history.order_by("-history_id")[:2]
    assert (latest.history_type, latest.title, latest.history_change_reason) == (
        "~",
        "French aid announcement of 2 billion euros",
        "Updated from the seed fixtures",
    )
    assert first.title == "Older title"
    assert pledge.history.count() == 2


@pytest.mark.django_db
def test_seeded_status_matches_the_last_history_row(seeded):
    for pledge in Pledge.objects.prefetch_related("status_changes"):
        changes = list(pledge.status_changes.all())
        assert changes, f"{pledge.slug} has no status history"
        assert [c.sequence for c in changes] == list(range(1, len(changes) + 1))
        assert changes[0].from_status == Status.NOT_ASSESSABLE
        for before, after in itertools.pairwise(changes):
            assert after.from_status == before.to_status
            assert after.effective_date >= before.effective_date
        assert pledge.status == changes[-1].to_status, pledge.slug
        assert pledge.status_changed_on == changes[-1].effective_date, pledge.slug


@pytest.mark.django_db
def test_seeded_facts_that_must_stay_as_the_reports_give_them(seeded):
    france = Pledge.objects.get(slug="fr-aid-2-billion-euros-2025")
    assert (france.amount, france.currency, france.amount_eur) == (2_000_000_000, "EUR", 2_000_000_000)
    # "thousands of troops" stays words: no pledge invents a troop number.
    assert not Pledge.objects.filter(troops_min__isnull=False).exists()
    assert Pledge.objects.get(slug="fr-thousands-of-troops-2026").quantity_text == "thousands of French troops"
    # A joint pledge is one row with two pledgers.
    bulk = Pledge.objects.get(slug="fr-gb-bulk-of-multinational-force-troops-2026")
    assert sorted(bulk.pledgers.values_list("code", flat=True)) == ["FR", "GB"]
    # Conflicting attendance counts are all kept, each with its own source.
    from commitments.models import AttendanceReport, ForceRequirement

    reports = AttendanceReport.objects.filter(summit__slug="paris-summit-2026-01-06")
    assert sorted((r.value, r.qualifier) for r in reports) == [(27, "exact"), (30, "more_than"), (35, "exact")]
    assert len({r.source_id for r in reports}) == 3
    requirement = ForceRequirement.objects.get()
    assert (requirement.troops_min, requirement.troops_max) == (15000, 30000)
    # Drafts are told apart from adopted texts; the draft lists five components.
    from commitments.models import Declaration

    draft = Declaration.objects.get(slug="draft-declaration-2026-01")
    assert draft.status == "draft" and draft.components.count() == 5
    assert Declaration.objects.get(slug="three-principles-2025-03-27").components.count() == 3
    doi = Declaration.objects.get(slug="declaration-of-intent-multinational-force-2026")
    assert sorted(doi.parties.filter(role="signatory").values_list("state__code", flat=True)) == ["FR", "GB", "UA"]
    assert not doi.parties.filter(role="endorser").exists()


@pytest.mark.django_db
def test_every_seeded_record_is_cited(seeded):
    from commitments.models import Declaration, ForceRequirement, Summit

    for model, field in [
        (Summit, "summit"),
        (Declaration, "declaration"),
        (Pledge, "pledge"),
        (ForceRequirement, "force_requirement"),
    ]:
        uncited = model.objects.exclude(pk__in=Citation.objects.values(f"{field}_id").exclude(**{f"{field}": None}))
        assert list(uncited) == []
    assert not StatusChange.objects.filter(quote="").exists()
