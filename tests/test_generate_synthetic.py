"""`manage.py generate_synthetic`: the synthetic register satisfies every constraint and integrity
check and has the shapes the benchmarks rely on (joint pledges, shares, status histories,
citations, audit records), on SQLite and PostgreSQL; it refuses a database that holds records."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Max, Min

from commitments import integrity
from commitments.choices import Category, Status
from commitments.models import Citation, Pledge, State, StatusChange
from commitments.models.base import MAX_QUOTE_WORDS, quote_words

pytestmark = pytest.mark.django_db
N = 300


@pytest.fixture
def synthetic(db):
    out = io.StringIO()
    call_command("generate_synthetic", pledges=N, states=60, seed=7, stdout=out)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys, checked now
    return out.getvalue()


def test_every_integrity_check_passes(synthetic):
    assert {name: [str(p) for p in problems] for name, problems in integrity.run().items()} == {
        name: [] for name in integrity.CHECKS
    }
    assert f"{N:,} pledges" in synthetic


def test_model_validation_accepts_the_rows(synthetic):
    for pledge in Pledge.objects.order_by("pk")[:60]:
        pledge.full_clean()  # every field's own rules and clean(): amount × FX rate = euros, …
    for change in StatusChange.objects.order_by("pk")[:60]:
        change.full_clean()
    for citation in Citation.objects.order_by("pk")[:60]:
        citation.full_clean()


def test_every_quote_is_short_enough(synthetic):
    for model in (Citation, StatusChange):
        for quote in model.objects.values_list("quote", flat=True):
            assert 0 < quote_words(quote) <= MAX_QUOTE_WORDS, quote


def test_shapes(synthetic):
    assert Pledge.objects.count() == N
    assert State.objects.count() == 60
    assert State.objects.filter(name="France").exists()  # what the admin search benchmark looks for
    pledgers = Pledge.objects.annotate(n=Count("pledgers"))
    joint = pledgers.filter(n__gt=1).count()
    assert 0.04 * N < joint < 0.2 * N
    shares = Pledge.objects.filter(part_of__isnull=False)
    assert shares.exists()
    assert not shares.filter(part_of__part_of__isnull=False).exists()  # each share of a top-level pledge
    assert Pledge.objects.filter(contributes_to__isnull=False).exists()
    assert set(Pledge.objects.values_list("category", flat=True)) == set(Category.values)
    assert len(set(Pledge.objects.values_list("status", flat=True))) >= 8
    changes = StatusChange.objects.count()
    assert 2.5 * N < changes < 3.5 * N
    assert not Pledge.objects.filter(status_changes__isnull=False, status_changed_on__isnull=True).exists()
    assert Pledge.objects.filter(status=Status.NOT_ASSESSABLE, status_changes__isnull=True).exists()
    per_pledge = Citation.objects.values("pledge").annotate(n=Count("pk")).aggregate(lo=Min("n"), hi=Max("n"))
    assert (per_pledge["lo"], per_pledge["hi"]) == (1, 2)
    assert Citation.objects.values("pledge").distinct().count() == N
    span = Pledge.objects.aggregate(lo=Min("updated_at"), hi=Max("updated_at"))
    assert (span["hi"] - span["lo"]).days > 2 * 365
    money = Pledge.objects.filter(amount_eur__isnull=False)
    assert money.exclude(currency="EUR").exists()
    for pledge in money:
        assert abs(pledge.amount * pledge.fx_rate - pledge.amount_eur) <= Decimal("0.01")
    # The audit trail the write path leaves: a creation and one change per status change.
    assert Pledge.history.count() == N + changes
    assert StatusChange.history.count() == changes
    assert Citation.history.count() == Citation.objects.count()


def test_the_sequences_continue_after_the_explicit_ids(synthetic):
    from tests import builders as make

    pledge = make.pledge()
    assert pledge.pk > N
    assert pledge.history.exists()  # the history tables' ids continue too


@pytest.mark.django_db(transaction=True)  # --flush truncates: not inside a test's transaction on PostgreSQL
def test_the_same_seed_gives_the_same_data():
    call_command("generate_synthetic", pledges=40, states=10, seed=3, stdout=io.StringIO())
    first = list(Pledge.objects.order_by("pk").values_list("title", "category", "status", "amount"))
    call_command("generate_synthetic", pledges=40, states=10, seed=3, flush=True, stdout=io.StringIO())
    assert list(Pledge.objects.order_by("pk").values_list("title", "category", "status", "amount")) == first


def test_refuses_a_database_with_records(db):
    State.objects.create(code="FR", name="France")
    with pytest.raises(CommandError, match="already holds records"):
        call_command("generate_synthetic", pledges=10, stdout=io.StringIO())
    assert not Pledge.objects.exists()
