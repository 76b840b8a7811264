"""Instruments, people and statements as records: an instrument's status has its own dated history,
written only by `change_status` (the pledges' implementation, shared); contributions are counted by
their own status and quantity; a requirement is set against an instrument's contributions; the
integrity checks and the seed know the new records."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from commitments import integrity
from commitments.choices import InstrumentKind, InstrumentRole, InstrumentStatus, Stance, Status
from commitments.models import (
    ForceRequirement,
    Instrument,
    InstrumentParty,
    InstrumentStatusChange,
    Person,
    Pledge,
    Post,
    Statement,
)
from commitments.models.statements import ABOUT_NOTHING

from . import builders as make

pytestmark = pytest.mark.django_db
D = datetime.date


def instrument(slug="monitoring", **fields) -> Instrument:
    fields.setdefault("name", f"Instrument {slug}")
    fields.setdefault("kind", InstrumentKind.MONITORING)
    return Instrument.objects.create(slug=slug, **fields)


def history(record) -> list:
    record.refresh_from_db()
    steps = list(record.status_changes.values_list("sequence", "from_status", "to_status", "effective_date"))
    return [record.status, record.status_changed_on, steps]


def test_an_instrument_status_changes_only_through_change_status_with_its_history():
    mechanism, source = instrument(), make.source()
    mechanism.change_status(InstrumentStatus.PROPOSED, effective_date=D(2026, 1, 6), source=source, note="Draft")
    mechanism.change_status(InstrumentStatus.AGREED, effective_date=D(2026, 1, 6), source=source, note="Statement")
    assert history(mechanism) == [
        InstrumentStatus.AGREED,
        D(2026, 1, 6),
        [(1, "not_assessable", "proposed", D(2026, 1, 6)), (2, "proposed", "agreed", D(2026, 1, 6))],
    ]
    assert [r.history_type for r in mechanism.history.order_by("history_id")] == ["+", "~", "~"]
    mechanism.status = InstrumentStatus.OPERATIONAL
    with pytest.raises(ValueError, match="Instrument.status is changed only through Instrument.change_status"):
        mechanism.save()


@pytest.mark.parametrize(
    "status, effective, message",
    [
        (InstrumentStatus.PROPOSED, D(2026, 2, 1), "The instrument is already proposed."),
        (InstrumentStatus.AGREED, D(2025, 1, 1), "cannot take effect before it"),
        (InstrumentStatus.AGREED, D(2099, 1, 1), "cannot take effect in the future"),
        (Status.COMMITTED, D(2026, 2, 1), "is not a valid choice"),  # a pledge status, not an instrument's
    ],
)
def test_a_refused_instrument_status_change_leaves_nothing(status, effective, message):
    mechanism, source = instrument(), make.source()
    mechanism.change_status(InstrumentStatus.PROPOSED, effective_date=D(2026, 1, 6), source=source, note="Draft")
    before = history(mechanism)
    with pytest.raises(ValidationError, match=message):
        mechanism.change_status(status, effective_date=effective, source=source, note="again")
    assert history(mechanism) == before
    assert InstrumentStatusChange.objects.count() == 1


def test_as_of_reads_an_instruments_status_then():
    mechanism, source = instrument(), make.source()
    mechanism.change_status(InstrumentStatus.PROPOSED, effective_date=D(2025, 3, 27), source=source, note="a")
    mechanism.change_status(InstrumentStatus.AGREED, effective_date=D(2026, 1, 6), source=source, note="b")
    assert Instrument.objects.as_of(D(2025, 1, 1)).count() == 0
    assert Instrument.objects.as_of(D(2025, 6, 1)).get().as_of_status == InstrumentStatus.PROPOSED
    assert Instrument.objects.as_of(D(2026, 1, 6)).get().as_of_status == InstrumentStatus.AGREED


def test_contributions_count_with_their_own_status_and_the_requirement_is_set_against_them():
    force = instrument("force", kind=InstrumentKind.FORCE)
    requirement = ForceRequirement.objects.create(
        slug="size", title="Force size", troops_min=15000, troops_max=30000, instrument=force
    )
    coalition = make.state("COW", "Coalition of the Willing", kind="coalition")
    draft = make.pledge("draft", pledgers=(coalition,), category="troops", quantity_text="multinational forces")
    bulk = make.pledge("bulk", pledgers=("FR", "GB"), category="troops", contributes_to=force, quantity_text="bulk")
    make.pledge("share", pledgers=("FR",), category="troops", part_of=bulk, quantity_text="thousands")
    make.move(draft, Status.PROPOSED, D(2026, 1, 6))
    make.move(bulk, Status.ANNOUNCED, D(2026, 1, 6))
    # The contribution is a top-level pledge: it counts at its own status, not hidden behind the draft.
    assert Instrument.objects.get().contributions.get() == bulk
    counts = Pledge.objects.count_by_status()
    assert (counts[Status.PROPOSED], counts[Status.ANNOUNCED]) == (1, 1)
    (gap,) = force.requirement_gaps()
    assert gap["requirement"] == requirement
    # No contribution gives a number: pledged and gap unknown, never 0 and the whole requirement.
    assert (gap["troops_low"], gap["gap_min"], gap["gap_max"], gap["troop_pledges_unquantified"]) == (
        None,
        None,
        None,
        1,
    )
    make.pledge("gb-troops", pledgers=("GB",), category="troops", contributes_to=force, troops_min=5000)
    (gap,) = force.requirement_gaps()
    # "At least 5,000": 10,000 missing at the low end; the high end is open, so its gap is unknown.
    assert (gap["troops_low"], gap["troops_high"], gap["gap_min"], gap["gap_max"]) == (5000, None, 10000, None)
    assert gap["troop_pledges_unquantified"] == 1
    assert Instrument.objects.contribution_figures()[force.pk]["pledges"] == 2


def test_a_post_may_have_no_holder_and_a_statement_needs_a_speaker():
    gb = make.state("GB", "United Kingdom")
    source = make.source()
    post = Post.objects.create(
        slug="uk-defence-secretary",
        state=gb,
        title="the Defense Secretary",
        role="minister",
        source=source,
        quote="the Defense Secretary will chair",
    )
    assert str(post) == "the Defense Secretary (GB): not named"
    witkoff = Person.objects.create(slug="steve-witkoff", name="Steve Witkoff")
    statement = Statement(slug="s", stance=Stance.CLAIMS_PROGRESS, source=source, quote="largely finalised")
    with pytest.raises(ValidationError, match="Say who made the statement"):
        statement.full_clean()
    statement.speaker = witkoff
    statement.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Statement.objects.create(slug="quiet", state=gb, stance=Stance.SUPPORTS, source=source, quote="")


def test_integrity_covers_instruments_and_statements():
    mechanism, source = instrument(), make.source()
    mechanism.change_status(InstrumentStatus.PROPOSED, effective_date=D(2026, 1, 6), source=source, note="Draft")
    InstrumentParty.objects.create(
        instrument=mechanism, state=make.state("US"), role=InstrumentRole.LEAD, source=source
    )
    statement = Statement.objects.create(
        slug="finalised",
        state=make.state("US"),
        stance=Stance.CLAIMS_PROGRESS,
        source=source,
        quote="largely finalised",
    )
    assert integrity.run(["status", "history"]) == {"status": [], "history": []}
    problems = integrity.run(["statements"])["statements"]
    assert [(p.record, p.message) for p in problems] == [(f"statement {statement.pk} (finalised)", ABOUT_NOTHING)]
    statement.instruments.add(mechanism)
    assert integrity.run(["statements"]) == {"statements": []}
    Instrument.objects.filter(pk=mechanism.pk).update(status=InstrumentStatus.OPERATIONAL)
    (problem,) = integrity.run(["status"])["status"]
    assert problem.record == f"instrument {mechanism.pk} (monitoring)"
    assert (
        problem.message == "status operational on 2026-01-06, but its latest status change says proposed on 2026-01-06."
    )
