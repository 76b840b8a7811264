"""Check constraints evaluated in memory (`commitments.models.checks`) answer as the database
does, with the same messages, and leave to the database what they cannot evaluate."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CheckConstraint, F, Q
from django.test.utils import CaptureQueriesContext

from commitments import models
from commitments.models import checks

pytestmark = [pytest.mark.django_db]

CONSTRAINTS = [c for c in models.StatusChange._meta.constraints if isinstance(c, CheckConstraint)]


def change(**values):
    row = {
        "from_status": "announced",
        "to_status": "agreed",
        "note": "why",
        "effective_date": datetime.date(2025, 2, 1),
    }
    return models.StatusChange(sequence=1, **{**row, **values})


def database_says(constraint, instance) -> str | None:
    try:
        constraint.validate(models.StatusChange, instance)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def memory_says(constraint, instance) -> str | None:
    holds = checks.evaluate(constraint.condition, instance) is not False
    return None if holds else constraint.get_violation_error_message()


@pytest.mark.parametrize("constraint", CONSTRAINTS, ids=lambda c: c.name)
@pytest.mark.parametrize(
    "values",
    [
        {},
        {"to_status": "announced"},
        {"note": ""},
        {"effective_date": datetime.date(1900, 1, 1)},
        {"effective_date": datetime.date(2200, 1, 1)},
        {"effective_date": datetime.date(1991, 8, 24)},
        {"effective_date": None},
    ],
)
def test_memory_and_database_agree(constraint, values):
    instance = change(**values)
    assert memory_says(constraint, instance) == database_says(constraint, instance)


def test_validation_reads_nothing_and_keeps_the_messages():
    instance = change(to_status="announced", note="", effective_date=datetime.date(1900, 1, 1))
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as caught:
        instance.validate_constraints(exclude={"pledge", "sequence"})
    assert not queries.captured_queries
    assert sorted(caught.value.messages) == sorted(database_says(c, instance) for c in CONSTRAINTS)


def test_unknown_is_not_false():
    # SQL: NULL <> 'x' is unknown and the constraint passes; so here.
    assert checks.evaluate(~Q(note=F("to_status")), change(note=None)) is None
    assert checks.evaluate(Q(note__isnull=True) | Q(note="why"), change(note=None)) is True
    assert checks.evaluate(Q(note="x") & Q(note=None), change(note=None)) is None  # unknown AND true
    assert checks.evaluate(Q(note=None) & Q(to_status="x"), change(note=None)) is False  # = None is IS NULL


def test_excluded_fields_are_not_checked():
    instance = change(note="")
    instance.validate_constraints(exclude={"note", "pledge", "sequence"})  # no error: as Django's


@pytest.mark.parametrize(
    "condition",
    [Q(effective_date__year__gte=2000), Q(source__key="x"), Q(note__in=["a"]), Q(effective_date__gte="not a date")],
)
def test_what_memory_cannot_evaluate_goes_to_the_database(condition):
    with pytest.raises(checks.Unsupported):
        checks.evaluate(condition, change())
