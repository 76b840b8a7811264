"""The seed fixtures: every fact cited and its quote found in its seed report; pledge status and
history agree. (Seeding itself, insert-only: tests/test_seed.py; the seeded instruments, people and
statements: tests/test_seeded_architecture.py.)"""

import copy
import itertools
from collections import Counter

import pytest

from commitments import evidence
from commitments.choices import Status
from commitments.models import Citation, Pledge, StatusChange

from .conftest import needs_seeds, seed_dir
from .fixture_walk import load_records, natural_key, walk

SEEDS = seed_dir()


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
        # A status stronger than its quote: "committed" on "Turkey would be tasked with securing the Black Sea".
        (
            lambda rs: _set_on(rs, "commitments.statuschange", "tr-secure-black-sea-2026 #1", to_status="committed"),
            "tr-secure-black-sea-2026 #1: status committed: no wording the ladder accepts for committed",
        ),
        (
            lambda rs: _set_on(rs, "commitments.statuschange", "tr-secure-black-sea-2026 #1", to_status="committed"),
            '"would" supports at most agreed, not committed',
        ),
        # The Franco-British bulk back at committed, on the declaration of intent's "would commit troops".
        (
            lambda rs: _set_on(
                rs,
                "commitments.statuschange",
                "fr-gb-bulk-of-multinational-force-troops-2026 #1",
                to_status="committed",
            ),
            "fr-gb-bulk-of-multinational-force-troops-2026 #1: status committed: no wording",
        ),
        # The hubs back at committed on "agreed".
        (
            lambda rs: _set_on(rs, "commitments.statuschange", "fr-gb-military-hubs-2026 #1", to_status="committed"),
            "fr-gb-military-hubs-2026 #1: status committed: no wording the ladder accepts for committed",
        ),
        # "could involve" is not announced.
        (
            lambda rs: _set_on(rs, "commitments.statuschange", "fr-thousands-of-troops-2026 #1", to_status="announced"),
            '"could" supports at most proposed, not announced',
        ),
        # A draft's item cannot be agreed, even on a quote that says "agreed" (the draft's own words).
        (
            lambda rs: _set_on(
                rs, "commitments.statuschange", "cow-training-draft-2026 #1", to_status="agreed", quote="We have agreed"
            ),
            "recorded in the draft draft-declaration-2026-01, whose content is at most proposed",
        ),
        (
            lambda rs: _set_on(rs, "commitments.statuschange", "cow-training-draft-2026 #1", to_status="agreed"),
            '"draft" supports at most proposed, not agreed',
        ),
        # An agreed status without a quote.
        (
            lambda rs: _set_on(rs, "commitments.statuschange", "fr-gb-military-hubs-2026 #1", quote=""),
            "fr-gb-military-hubs-2026 #1: status agreed: no quote",
        ),
        # A summit role no citation backs.
        (
            lambda rs: _set_on(rs, "commitments.citation", "ukraine-defense-contact-group-2025-04-11--2", field=""),
            "ukraine-defense-contact-group-2025-04-11: chairs given without a citation",
        ),
        # An instrument without a citation.
        (
            lambda rs: [r for r in rs if not (r["model"] == "commitments.citation" and r["fields"].get("instrument"))],
            "commitments.instrument military-hubs-across-ukraine has no citation",
        ),
        # An instrument's mandate no citation backs.
        (
            lambda rs: _set_on(rs, "commitments.citation", "black-sea-security-task--2", field=""),
            "black-sea-security-task: mandate given without a citation for the field 'mandate'",
        ),
        # An instrument status stronger than its words: the hubs "agreed to establish" are not established.
        (
            lambda rs: _set_on(
                rs, "commitments.instrumentstatuschange", "military-hubs-across-ukraine #1", to_status="established"
            ),
            "military-hubs-across-ukraine #1: status established: no wording the ladder accepts for established",
        ),
        # "would be created" is a plan: at most agreed, never established, whatever else the phrase says.
        (
            lambda rs: _set_on(
                rs,
                "commitments.instrumentstatuschange",
                "special-commission-on-breaches #2",
                to_status="established",
                quote="a special commission would be created",
            ),
            '"would" supports at most agreed, not established',
        ),
        # The monitoring mechanism is "proposed" in the coalition's own statement: not agreed.
        (
            lambda rs: _set_on(
                rs,
                "commitments.instrumentstatuschange",
                "us-led-ceasefire-monitoring-mechanism #1",
                to_status="agreed",
                quote="a “proposed US-led ceasefire monitoring and verification mechanism”",
            ),
            '"proposed" supports at most proposed, not agreed',
        ),
        # An agreed instrument status without a quote.
        (
            lambda rs: _set_on(rs, "commitments.instrumentstatuschange", "military-hubs-across-ukraine #1", quote=""),
            "military-hubs-across-ukraine #1: status agreed: no quote",
        ),
        # An instrument party, a post and a statement are sourced facts like any other.
        (
            lambda rs: _set_on(
                rs,
                "commitments.instrumentparty",
                "us-led-ceasefire-monitoring-mechanism / US / lead",
                quote="The US will lead the monitoring mission",
            ),
            "us-led-ceasefire-monitoring-mechanism / US / lead: quote not found",
        ),
        (
            lambda rs: _set_on(rs, "commitments.post", "gb-defense-secretary", quote="the UK Defence Secretary"),
            "commitments.post gb-defense-secretary: quote not found",
        ),
        (
            lambda rs: _set_on(rs, "commitments.post", "gb-defense-secretary", source=None),
            "commitments.post gb-defense-secretary: cites unknown source None",
        ),
        (
            lambda rs: _set_on(rs, "commitments.statement", "witkoff-largely-finalised", quote=" ".join(["word"] * 26)),
            "witkoff-largely-finalised: quote has 26 words",
        ),
        (
            lambda rs: _set_on(rs, "commitments.statement", "witkoff-largely-finalised", quote=""),
            "witkoff-largely-finalised: no quoted phrase",
        ),
        # A stance its words do not carry: "largely finalised" rejects nothing.
        (
            lambda rs: _set_on(rs, "commitments.statement", "witkoff-largely-finalised", stance="rejects"),
            "witkoff-largely-finalised: no wording the ladder accepts for the stance rejects",
        ),
        (
            lambda rs: _set_on(
                rs,
                "commitments.statement",
                "zelensky-remained-to-be-determined-2026-01",
                pledges=[],
                instruments=[],
                declarations=[],
                summits=[],
            ),
            "zelensky-remained-to-be-determined-2026-01: is about nothing",
        ),
        (
            lambda rs: _set_on(rs, "commitments.statement", "russia-rejected-nato-members-troops", state=None),
            "russia-rejected-nato-members-troops: no speaker or party",
        ),
    ],
)
def test_the_walk_reports_each_kind_of_problem(mutate, expected):
    problems = walk(mutate(copy.deepcopy(load_records())), SEEDS)
    assert any(expected in problem for problem in problems), problems


@needs_seeds
def test_the_walk_finds_no_ladder_problem_in_the_fixtures_as_they_are():
    assert [p for p in walk(load_records(), SEEDS) if "status" in p or "given without" in p] == []


def _set(records, model, field, value):
    for record in records:
        if record["model"] == model:
            record["fields"][field] = value
            break
    return records


def _set_on(records, model, key, **fields):
    (record,) = [r for r in records if r["model"] == model and natural_key(r) == key]
    record["fields"].update(fields)
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


def _codes(related) -> list[str]:
    return sorted(related.values_list("code", flat=True))


@pytest.mark.django_db
def test_seeded_statuses_are_as_strong_as_their_wording_and_no_stronger(seeded):
    """The re-audit (docs/data.md): no seed report supports a commitment; each status rests on its words."""
    status = dict(Pledge.objects.values_list("slug", "status"))
    assert Status.COMMITTED not in status.values()
    # "Britain and France agreed to establish military hubs": agreed, in no text a report names.
    hubs = Pledge.objects.get(slug="fr-gb-military-hubs-2026")
    assert (hubs.status, hubs.declaration) == (Status.AGREED, None)
    # "would provide the bulk", in a declaration of intent: their declared intention, not a commitment.
    assert status["fr-gb-bulk-of-multinational-force-troops-2026"] == Status.ANNOUNCED
    # "could involve sending thousands of French troops": a possibility.
    assert status["fr-thousands-of-troops-2026"] == Status.PROPOSED
    # The special commission: the agreement's signatories, not the coalition; never agreed.
    commission = Pledge.objects.get(slug="special-commission-on-breaches-2026")
    assert _codes(commission.pledgers) == ["FR", "GB", "UA"]
    assert commission.status == Status.ANNOUNCED and commission.condition == "not_stated"
    assert commission.declaration.slug == "declaration-of-intent-multinational-force-2026"
    # "will also be established", naming no party and no text.
    assert status["cow-defence-industry-partnerships-2026"] == Status.ANNOUNCED
    # A draft's content is at most proposed.
    draft_items = Pledge.objects.filter(declaration__slug="draft-declaration-2026-01")
    assert set(draft_items.values_list("status", flat=True)) == {Status.PROPOSED}
    assert set(draft_items.values_list("status_changes__to_status", flat=True)) == {Status.PROPOSED}
    # Every status change's quote carries the ladder's wording for its status.
    for change in StatusChange.objects.select_related("pledge"):
        assert evidence.problems(change.quote, change.to_status) == [], (change.pledge.slug, change.sequence)
    counts = {s: n for s, n in Counter(status.values()).items()}
    assert counts == {Status.PROPOSED: 14, Status.ANNOUNCED: 10, Status.AGREED: 8}


@pytest.mark.django_db
def test_seeded_conditions_titles_dates_and_means_say_no_more_than_the_reports(seeded):
    from commitments.models import Attendance, Declaration

    # No source says any pledge is unconditional.
    assert not Pledge.objects.filter(condition="unconditional").exists()
    assert Pledge.objects.get(slug="cow-no-sanctions-lifted-2025").condition == "not_stated"
    # Conflicting triggers side by side, each cited.
    bulk = Pledge.objects.get(slug="fr-gb-bulk-of-multinational-force-troops-2026")
    assert bulk.condition == "other"
    assert "in the event of a ceasefire with Russia" in bulk.condition_text
    assert "after a peace agreement is achieved" in bulk.condition_text
    assert bulk.citations.filter(field="condition").count() == 2
    # "would likely involve" stays a hedge, attributed.
    monitoring = Pledge.objects.get(slug="us-lead-ceasefire-monitoring-2026")
    assert "would likely involve" in monitoring.monitoring_means and monitoring.status == Status.PROPOSED
    assert monitoring.citations.get(field="monitoring_means").attribution.startswith("Officials")
    # A report's date is not the draft's date.
    assert Declaration.objects.get(slug="draft-declaration-2026-01").date is None
    # Titles only as the report gives them.
    chiefs = Attendance.objects.filter(summit__slug="chiefs-of-defence-meeting-2026-01-06")
    assert dict(chiefs.values_list("state__code", "represented_by")) == {
        "FR": "General Fabien Mandon, Chief of the Defence Staff",
        "GB": "British counterpart of France's Chief of the Defence Staff (not named)",
        "UA": "Ukrainian counterpart of France's Chief of the Defence Staff (not named)",
        "US": "Commander of US forces in Europe",
    }


@pytest.mark.django_db
def test_seeded_hosts_chairs_and_organisers_are_kept_apart(seeded):
    from commitments.models import Summit

    roles = {
        s.slug: (_codes(s.hosts), _codes(s.chairs), _codes(s.organisers))
        for s in Summit.objects.prefetch_related("hosts", "chairs", "organisers")
    }
    assert roles == {
        # "Macron hastily organised European leaders": an organiser, no host.
        "european-leaders-meeting-2025-02": ([], [], ["FR"]),
        "london-summit-2025-03": (["GB"], [], []),
        # "Paris hosted a summit" "Organized by … Macron and … Starmer".
        "paris-summit-2025-03-27": (["FR"], [], ["FR", "GB"]),
        "military-planners-london-2025-03": (["GB"], [], []),
        # "the Defense Secretary will chair": a chair, not a host.
        "ukraine-defense-contact-group-2025-04-11": ([], ["GB"], []),
        "chiefs-of-defence-meeting-2026-01-06": ([], [], []),
        "paris-summit-2026-01-06": (["FR"], [], []),
        "ukrainian-delegation-talks-2026-01-07": ([], [], []),
    }
    for summit in Summit.objects.all():
        for role in ("hosts", "chairs", "organisers"):
            if getattr(summit, role).exists():
                assert summit.citations.filter(field=role).exists(), (summit.slug, role)


@pytest.mark.django_db
def test_every_seeded_record_is_cited(seeded):
    from commitments.models import Declaration, ForceRequirement, Instrument, InstrumentStatusChange, Summit

    for model, field in [
        (Summit, "summit"),
        (Declaration, "declaration"),
        (Pledge, "pledge"),
        (ForceRequirement, "force_requirement"),
        (Instrument, "instrument"),
    ]:
        uncited = model.objects.exclude(pk__in=Citation.objects.values(f"{field}_id").exclude(**{f"{field}": None}))
        assert list(uncited) == []
    assert not StatusChange.objects.filter(quote="").exists()
    assert not InstrumentStatusChange.objects.filter(quote="").exists()
