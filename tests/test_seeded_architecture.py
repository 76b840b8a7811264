"""The guarantees' architecture as the seed reports give it, after `manage.py seed`: who leads the
monitoring mechanism and who takes part; which pledges feed the multinational forces and how far
their (unquantified) contributions are from its requirement; the statements that qualify or reject
a guarantee, with speakers and quotes; who represented each state at each meeting, signed each text
and chairs the contact group. The re-model log in docs/data.md gives the deciding quotes."""

import pytest

from commitments import evidence
from commitments.choices import InstrumentStatus, Stance, Status
from commitments.models import (
    Attendance,
    DeclarationParty,
    ForceRequirement,
    Instrument,
    InstrumentStatusChange,
    Pledge,
    Post,
    Statement,
    Summit,
)

pytestmark = pytest.mark.django_db

FORCE = "multinational-force-for-ukraine"
MONITORING = "us-led-ceasefire-monitoring-mechanism"
COMMISSION = "special-commission-on-breaches"
HUBS = "military-hubs-across-ukraine"
BLACK_SEA = "black-sea-security-task"
BULK = "fr-gb-bulk-of-multinational-force-troops-2026"


def parties(slug: str) -> set[tuple[str, str]]:
    return set(Instrument.objects.get(slug=slug).parties.values_list("state__code", "role"))


def contributions(slug: str) -> set[str]:
    return set(Instrument.objects.get(slug=slug).contributions.values_list("slug", flat=True))


def test_the_us_leads_the_monitoring_mechanism_and_the_coalition_takes_part(seeded):
    assert parties(MONITORING) == {("US", "lead"), ("COW", "participant")}
    assert set(Instrument.objects.led_by("US").values_list("slug", flat=True)) == {MONITORING}
    assert contributions(MONITORING) == {
        "us-lead-ceasefire-monitoring-2026",
        "cow-participate-in-ceasefire-monitoring-2026",
    }
    monitoring = Instrument.objects.get(slug=MONITORING)
    # "proposed" in the coalition's own statement, and the US has not said it leads it.
    assert monitoring.status == InstrumentStatus.PROPOSED
    assert Pledge.objects.get(slug="us-lead-ceasefire-monitoring-2026").status == Status.PROPOSED
    lead = monitoring.parties.get(role="lead")
    assert "US-led" in lead.quote and lead.attribution == "A statement of the Coalition of the Willing"


def test_pledges_feed_the_multinational_forces_and_none_gives_a_number(seeded):
    assert contributions(FORCE) == {
        "cow-multinational-forces-2026",
        BULK,
        "us-intelligence-logistics-for-multinational-forces-draft-2026",
        "us-commitment-to-support-coalition-forces-draft-2026",
    }
    assert parties(FORCE) == {("COW", "lead"), ("FR", "contributor"), ("GB", "contributor"), ("US", "participant")}
    force = Instrument.objects.get(slug=FORCE)
    requirement = ForceRequirement.objects.get(slug="multinational-force-size-2026")
    assert requirement.instrument == force
    (gap,) = force.requirement_gaps()
    assert gap["requirement"] == requirement and (requirement.troops_min, requirement.troops_max) == (15000, 30000)
    # No contribution gives a troop figure: what is pledged and the gap are unknown, never 0; two
    # troop contributions (the coalition's forming, the Franco-British bulk) give no number.
    assert (gap["troops_low"], gap["troops_high"], gap["gap_min"], gap["gap_max"]) == (None, None, None, None)
    assert (gap["troop_pledges"], gap["troop_pledges_unquantified"]) == (0, 2)
    assert not force.contributions.filter(troops_min__isnull=False).exists()
    assert not force.contributions.filter(troops_max__isnull=False).exists()


def test_part_of_is_kept_for_a_true_share_only(seeded):
    bulk = Pledge.objects.get(slug=BULK)
    assert (bulk.part_of, bulk.contributes_to.slug) == (None, FORCE)
    thousands = Pledge.objects.get(slug="fr-thousands-of-troops-2026")
    assert (thousands.part_of, thousands.contributes_to) == (bulk, None)
    assert list(Pledge.objects.filter(part_of__isnull=False).values_list("slug", flat=True)) == [thousands.slug]
    # The bulk is no longer hidden behind the coalition's draft pledge: it counts at its own status.
    assert bulk in Pledge.objects.top_level() and bulk.status == Status.ANNOUNCED
    by_status = Pledge.objects.totals_by("status")
    assert by_status[Status.ANNOUNCED]["troop_pledges_unquantified"] == 1
    assert by_status[Status.PROPOSED]["troop_pledges_unquantified"] == 1  # the draft's forming of the forces


def test_each_instrument_is_as_strong_as_its_words(seeded):
    status = dict(Instrument.objects.values_list("slug", "status"))
    assert status == {
        # "signed a Declaration of Intent on the deployment of multinational forces"
        FORCE: InstrumentStatus.AGREED,
        # "a proposed US-led … mechanism", in the coalition's statement
        MONITORING: InstrumentStatus.PROPOSED,
        # "the agreement also said … that a special commission would be created"
        COMMISSION: InstrumentStatus.AGREED,
        # "Britain and France agreed to establish military hubs"
        HUBS: InstrumentStatus.AGREED,
        # "Turkey would be tasked with securing the Black Sea"
        BLACK_SEA: InstrumentStatus.PROPOSED,
    }
    for change in InstrumentStatusChange.objects.select_related("instrument"):
        assert evidence.instrument_problems(change.quote, change.to_status) == [], change
    histories = {
        i.slug: [c.to_status for c in i.status_changes.all()]
        for i in Instrument.objects.prefetch_related("status_changes")
    }
    assert histories[FORCE] == [InstrumentStatus.PROPOSED, InstrumentStatus.AGREED]
    assert histories[COMMISSION] == [InstrumentStatus.PROPOSED, InstrumentStatus.AGREED]
    # Nobody names who would sit on the commission; every instrument cites its mandate.
    assert parties(COMMISSION) == set()
    for instrument in Instrument.objects.all():
        assert instrument.citations.filter(field="mandate").exists(), instrument.slug
    force = Instrument.objects.get(slug=FORCE)
    assert force.condition == "other" and force.citations.filter(field="condition").count() == 3
    assert set(force.declarations.values_list("slug", flat=True)) == {
        "draft-declaration-2026-01",
        "declaration-of-intent-multinational-force-2026",
    }


def test_the_statements_that_qualify_or_reject_with_speakers_and_quotes(seeded):
    rows = {
        (s.stance, s.speaker.name if s.speaker else None, s.state.code, s.quote)
        for s in Statement.objects.with_related().filter(stance__in=[Stance.QUALIFIES, Stance.REJECTS])
    }
    assert rows == {
        (
            Stance.QUALIFIES,
            "Volodymyr Zelensky",
            "UA",
            "it remained to be determined how the monitoring would work and how the Ukrainian army would be "
            "supported and financed",
        ),
        (Stance.QUALIFIES, "Keir Starmer", "GB", "“Putin is not showing that he is ready for peace,” said Starmer"),
        (
            Stance.REJECTS,
            None,
            "RU",
            "has said that it will not agree to any deal that includes Nato-country troops in Ukraine",
        ),
        (Stance.REJECTS, None, "RU", "Russia has previously rejected any NATO members having troops inside Ukraine."),
    }
    monitoring = Instrument.objects.get(slug=MONITORING)
    (caveat,) = Statement.objects.about(monitoring)
    assert caveat.attribution == "Volodymyr Zelensky, via Telegram" and caveat.summit.slug == "paris-summit-2026-01-06"
    force = Instrument.objects.get(slug=FORCE)
    rejections = Statement.objects.about(force).filter(stance=Stance.REJECTS)
    assert rejections.count() == 2 and len({s.source_id for s in rejections}) == 2  # side by side, one per source
    assert not rejections.filter(made_on__isnull=False).exists()  # neither report says when Russia said it


def test_the_claims_of_progress_and_support_the_issue_names(seeded):
    quotes = dict(Statement.objects.values_list("slug", "quote"))
    speakers = dict(Statement.objects.values_list("slug", "speaker__slug"))
    for slug, speaker, words in [
        ("witkoff-largely-finalised", "steve-witkoff", "“largely finalised”"),
        ("macron-significant-breakthrough-2026-01", "emmanuel-macron", "“significant breakthrough”"),
        ("zelenskyy-substantial-documents-2026-01", "volodymyr-zelensky", "substantial documents, not just words"),
        ("zelensky-architecture-of-security-now-exists-2026-01", "volodymyr-zelensky", "“now exists”"),
        ("witkoff-as-strong-as-anyone-has-ever-seen-2026-01", "steve-witkoff", "as strong as anyone has ever seen"),
    ]:
        assert words in quotes[slug] and speakers[slug] == speaker, slug
    for statement in Statement.objects.all():
        assert evidence.stance_problems(statement.quote, statement.stance) == [], statement.slug
    # A report's date is not the remark's: no report gives the day of any remark.
    assert not Statement.objects.filter(made_on__isnull=False, made_precision="day").exists()
    assert set(Statement.objects.exclude(made_on=None).values_list("made_precision", flat=True)) == {"month"}


def _people(related) -> list[str]:
    return [f"{post.title}: {post.person.name if post.person else '(not named)'}" for post in related.all()]


def test_who_represented_each_state_at_each_meeting(seeded):
    represented = {
        (a.summit.slug, a.state.code): sorted(_people(a.representatives))
        for a in Attendance.objects.select_related("summit", "state").prefetch_related("representatives__person")
    }
    assert represented == {
        ("paris-summit-2025-03-27", "FR"): ["French President: Emmanuel Macron"],
        ("paris-summit-2025-03-27", "GB"): ["British Prime Minister: Keir Starmer"],
        ("paris-summit-2025-03-27", "UA"): ["Ukrainian President: Volodymyr Zelensky"],
        ("paris-summit-2025-03-27", "US"): [],  # "notably absent"
        ("chiefs-of-defence-meeting-2026-01-06", "FR"): ["Chief of the Defence Staff: Fabien Mandon"],
        ("chiefs-of-defence-meeting-2026-01-06", "GB"): [
            "British counterpart of France's Chief of the Defence Staff: (not named)"
        ],
        ("chiefs-of-defence-meeting-2026-01-06", "UA"): [
            "Ukrainian counterpart of France's Chief of the Defence Staff: (not named)"
        ],
        ("chiefs-of-defence-meeting-2026-01-06", "US"): ["commander of US forces in Europe: (not named)"],
        ("paris-summit-2026-01-06", "FR"): ["French President: Emmanuel Macron"],
        ("paris-summit-2026-01-06", "GB"): ["British Prime Minister: Keir Starmer"],
        ("paris-summit-2026-01-06", "DE"): ["German Chancellor: Friedrich Merz"],
        ("paris-summit-2026-01-06", "EC"): ["European Commission President: Ursula von der Leyen"],
        ("paris-summit-2026-01-06", "US"): [
            "White House special envoy: Steve Witkoff",
            "one of President Donald Trump's envoys: Jared Kushner",
        ],
        ("paris-summit-2026-01-06", "UA"): ["Ukrainian President: Volodymyr Zelensky"],
        ("ukrainian-delegation-talks-2026-01-07", "UA"): ["Ukrainian delegation (members not named): (not named)"],
    }
    # The report's own words stay beside the posts.
    us = Attendance.objects.get(summit__slug="paris-summit-2026-01-06", state__code="US")
    assert us.represented_by == "Steve Witkoff (envoy); Jared Kushner"


def test_signers_and_the_chair_are_posts_a_chair_without_a_named_holder(seeded):
    signers = {
        p.state.code: _people(p.representatives)
        for p in DeclarationParty.objects.filter(declaration__slug="declaration-of-intent-multinational-force-2026")
    }
    assert signers == {
        "FR": ["French President: Emmanuel Macron"],
        "GB": ["British Prime Minister: Keir Starmer"],
        "UA": ["Ukrainian President: Volodymyr Zelensky"],
    }
    contact_group = Summit.objects.get(slug="ukraine-defense-contact-group-2025-04-11")
    (chair,) = contact_group.chaired_by.all()
    assert (chair.title, chair.state.code, chair.person, chair.attribution) == (
        "Defense Secretary",
        "GB",
        None,
        "Keir Starmer",
    )
    assert not Summit.objects.exclude(pk=contact_group.pk).filter(chaired_by__isnull=False).exists()
    # Russia speaks but holds no post the reports name, and pledges nothing.
    assert not Post.objects.filter(state__code="RU").exists() and not Pledge.objects.filter(pledgers__code="RU")
