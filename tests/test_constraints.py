"""Every database constraint fed bad input: the model's validation names the problem, and the
database itself refuses the row when validation is bypassed, leaving nothing saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from commitments import models

from . import builders as make

OLD = datetime.date(1900, 1, 1)


def _attendance():
    s, st = make.summit(), make.state("FR")
    models.Attendance.objects.create(summit=s, state=st, source=make.source(), quote="q")
    return models.Attendance(summit=s, state=st, source=make.source(), quote="q")


def _report():
    s, src = make.summit(), make.source()
    models.AttendanceReport.objects.create(summit=s, source=src, counted="countries", value=35)
    return models.AttendanceReport(summit=s, source=src, counted="countries", value=27)


def _party(**kw):
    return models.DeclarationParty(declaration=make.declaration(), state=make.state("FR"), source=make.source(), **kw)


def _party_twice():
    d, st = make.declaration(), make.state("FR")
    models.DeclarationParty.objects.create(declaration=d, state=st, role="signatory", source=make.source())
    return models.DeclarationParty(declaration=d, state=st, role="signatory", source=make.source())


def _component_twice():
    d = make.declaration()
    models.DeclarationComponent.objects.create(declaration=d, number=1, text="a", source=make.source())
    return models.DeclarationComponent(declaration=d, number=1, text="b", source=make.source())


def _pledge(**kw):
    return models.Pledge(slug="p-new", title="t", category="funding", **kw)


def _change(**kw):
    p = make.pledge()
    fields = {
        "pledge": p,
        "sequence": 1,
        "from_status": "not_assessable",
        "to_status": "announced",
        "effective_date": datetime.date(2025, 3, 27),
        "note": "why",
        "source": make.source(),
    }
    return models.StatusChange(**{**fields, **kw})


def _change_twice():
    change = _change()
    change.save()
    return _change(pledge=change.pledge, to_status="agreed")


def _self_referencing(model_factory, field):
    def build():
        obj = model_factory()
        setattr(obj, field, obj)
        return obj

    return build


CASES = {
    "source without url or seed file": (lambda: models.Source(key="s", title="t"), "needs a URL or a seed file"),
    "source published in 1900": (
        lambda: models.Source(key="s", title="t", url="https://x.org", published_on=OLD),
        "must lie between",
    ),
    "source key taken": (
        lambda: models.Source(key=make.source().key, title="t", url="https://x.org"),
        "already exists",
    ),
    "state with a three-letter code": (lambda: models.State(code="FRA", name="France"), "two-letter ISO"),
    "state with a lower-case code": (
        lambda: models.State(code="nato", name="NATO", kind="international_organisation"),
        "upper-case letters",
    ),
    "state code taken": (lambda: models.State(code=make.state("FR").code, name="Other"), "already exists"),
    "summit ending before it starts": (
        lambda: models.Summit(
            slug="s",
            title="t",
            kind="leaders_summit",
            date=datetime.date(2026, 1, 6),
            end_date=datetime.date(2026, 1, 5),
        ),
        "cannot end before it starts",
    ),
    "summit in 1900": (lambda: models.Summit(slug="s", title="t", kind="leaders_summit", date=OLD), "must lie between"),
    "summit sequence number taken": (
        lambda: models.Summit(
            slug="s",
            title="t",
            kind="leaders_summit",
            date=datetime.date(2026, 1, 6),
            sequence_number=make.summit(sequence_number=15).sequence_number,
        ),
        "already exists",
    ),
    "attendance twice": (_attendance, "already recorded for this meeting"),
    "attendance count twice from one source": (_report, "already recorded for the meeting"),
    "declaration dated 2200": (
        lambda: models.Declaration(
            slug="d", title="t", kind="statement", status="draft", date=datetime.date(2200, 1, 1)
        ),
        "must lie between",
    ),
    "declaration superseding itself": (_self_referencing(make.declaration, "supersedes"), "cannot supersede itself"),
    "endorser with a signature date": (
        lambda: _party(role="endorser", signed_on=datetime.date(2026, 1, 6)),
        "Only a signatory has a signature date",
    ),
    "same party twice": (_party_twice, "already has this role"),
    "component number zero": (
        lambda: models.DeclarationComponent(declaration=make.declaration(), number=0, text="a", source=make.source()),
        "numbered from 1",
    ),
    "component number taken": (_component_twice, "already has a component with this number"),
    "force requirement min above max": (
        lambda: models.ForceRequirement(slug="r", title="t", troops_min=30000, troops_max=15000),
        "cannot exceed the upper one",
    ),
    "pledge troops min above max": (lambda: _pledge(troops_min=30000, troops_max=15000), "cannot exceed the upper one"),
    "pledge troops negative": (lambda: _pledge(troops_min=-5), "greater than or equal to 0"),
    "pledge amount negative": (lambda: _pledge(amount=Decimal("-1"), currency="EUR"), "cannot be negative"),
    "pledge amount without currency": (lambda: _pledge(amount=Decimal("5")), "needs its currency"),
    "pledge currency without amount": (lambda: _pledge(currency="USD"), "needs its currency"),
    "pledge euro amount without rate and date": (
        lambda: _pledge(amount=Decimal("5"), currency="USD", amount_eur=Decimal("4")),
        "needs the original amount, the FX rate and the value date",
    ),
    "pledge FX rate zero": (
        lambda: _pledge(amount=Decimal("5"), currency="USD", fx_rate=Decimal("0")),
        "greater than zero",
    ),
    "pledge value date in 1900": (
        lambda: _pledge(amount=Decimal("5"), currency="USD", value_date=OLD),
        "must lie between",
    ),
    "conditional pledge without condition state": (
        lambda: _pledge(condition="upon_ceasefire", condition_state="not_applicable"),
        "needs a condition state",
    ),
    "unconditional pledge with a condition state": (
        lambda: _pledge(condition="unconditional", condition_state="pending"),
        "needs a condition state",
    ),
    "pledge slug taken": (
        lambda: models.Pledge(slug=make.pledge().slug, title="t", category="funding"),
        "already exists",
    ),
    "pledge part of itself": (_self_referencing(make.pledge, "part_of"), "cannot be a share of itself"),
    "status change to the same status": (lambda: _change(to_status="not_assessable"), "must move to a different"),
    "status change without a note": (lambda: _change(note=""), "cannot be blank"),
    "status change in 1900": (lambda: _change(effective_date=OLD), "must lie between"),
    "status change number taken": (_change_twice, "already has a status change with this number"),
    "citation of nothing": (lambda: models.Citation(source=make.source(), quote="q"), "exactly one record"),
    "citation of two records": (
        lambda: models.Citation(source=make.source(), quote="q", summit=make.summit(), pledge=make.pledge()),
        "exactly one record",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(case):
    build, message = CASES[case]
    obj = build()
    model = type(obj)
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert message in str(caught.value.messages)

    before = model._default_manager.count()
    was_saved = obj.pk is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
    assert model._default_manager.count() == before
    if was_saved:
        obj.refresh_from_db()
        assert not any(getattr(obj, f"{field}_id", None) == obj.pk for field in ("supersedes", "part_of"))


@pytest.mark.django_db
def test_a_quote_longer_than_25_words_is_refused():
    citation = models.Citation(source=make.source(), pledge=make.pledge(), quote=" ".join(["word"] * 26))
    with pytest.raises(ValidationError, match="at most 25 words; this one has 26"):
        citation.full_clean()


@pytest.mark.django_db
def test_a_euro_amount_that_is_not_amount_times_rate_is_refused():
    obj = _pledge(
        amount=Decimal("100"),
        currency="USD",
        fx_rate=Decimal("0.9"),
        value_date=datetime.date(2026, 1, 6),
        amount_eur=Decimal("95"),
    )
    with pytest.raises(ValidationError, match="Amount × FX rate is 90.00, not 95"):
        obj.full_clean()


@pytest.mark.django_db
def test_a_euro_pledge_gets_its_conversion_filled_in():
    obj = _pledge(amount=Decimal("2000000000"), currency="EUR", value_date=datetime.date(2025, 3, 27))
    obj.full_clean()
    assert (obj.fx_rate, obj.amount_eur) == (Decimal(1), Decimal("2000000000"))


@pytest.mark.django_db
def test_a_citation_may_name_only_a_field_its_record_has():
    citation = models.Citation(source=make.source(), pledge=make.pledge(), quote="q", field="troop_count")
    with pytest.raises(ValidationError, match="A pledge has no field “troop_count” a source can support."):
        citation.full_clean()
