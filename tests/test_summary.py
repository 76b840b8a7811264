"""The maintained totals (`PledgeSummary`, kept by PostgreSQL triggers) never disagree with a
recount from the pledges, after every kind of write; and the unfiltered figures are read from them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from commitments import exports, imports, services, summary
from commitments.choices import Category, Condition, ConditionState, Currency, Status
from commitments.models import Pledge, PledgeSummary, State

from . import builders as make

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the summary is kept by PostgreSQL triggers; SQLite computes"
)


def recount():
    """Counted from the pledges: a filter (here one every pledge passes) turns the summary off."""
    pledges = Pledge.objects.filter(pk__gt=0)
    return pledges.totals(), pledges.totals_by("status"), pledges.totals_by_pledger()


def rows_by_cell(pledges):
    """{(status, category): rows}, shares included, for the cells that have rows."""
    cells = pledges.values_list("status", "category").annotate(n=Count("pk")).order_by()
    return {(status, category): n for status, category, n in cells if n}


def kept():
    rows = PledgeSummary.objects.filter(party_id=PledgeSummary.EVERY_ROW, pledges__gt=0)
    return (
        summary.totals(),
        summary.totals_by_status(),
        summary.totals_by_pledger(),
        {(cell.status, cell.category): cell.pledges for cell in rows},
    )


def assert_agrees():
    counted = (*recount(), rows_by_cell(Pledge.objects.filter(pk__gt=0)))
    assert kept() == counted
    assert summary.rebuild() >= 0 and kept() == counted  # and a rebuild from scratch says the same
    assert Pledge.objects.count() == Pledge.objects.filter(pk__gt=0).count()


def new(slug, pledgers=("FR",), **fields):
    fields.setdefault("title", slug)
    fields.setdefault("category", Category.TROOPS)
    pledge = Pledge(slug=slug, **fields)
    return services.save_pledge(pledge, pledgers=[make.state(code) for code in pledgers])


def test_every_kind_of_write_keeps_the_summary_equal_to_a_recount(db, django_user_model):
    assert_agrees()  # nothing yet
    make.state("GB", "United Kingdom")
    make.state("DE", "Germany")

    bulk = new("bulk", ("FR", "GB"), troops_min=15000, troops_max=30000)  # create, joint
    assert_agrees()
    money = new(
        "money",
        ("DE",),
        category=Category.FUNDING,
        amount=Decimal("1000000"),
        currency=Currency.USD,
        value_date=datetime.date(2025, 3, 1),
        fx_rate=Decimal("0.9"),
        amount_eur=Decimal("900000.00"),
    )
    at_least = new("at-least", ("GB",), troops_min=500)  # open-ended: no upper sum
    vague = new(
        "vague",
        ("FR",),
        quantity_text="thousands",
        condition=Condition.UPON_CEASEFIRE,
        condition_state=ConditionState.PENDING,
    )
    assert_agrees()

    bulk.troops_max = 40000  # edit
    services.save_pledge(bulk)
    money.category = Category.WEAPONS  # money still: it has an amount
    services.save_pledge(money)
    assert_agrees()

    services.save_pledge(money, pledgers=[make.state("DE"), make.state("FR")])  # becomes joint
    assert_agrees()
    services.save_pledge(bulk, pledgers=[make.state("GB")])  # no longer joint; France loses it
    assert_agrees()

    make.move(bulk, Status.ANNOUNCED, datetime.date(2025, 3, 11))  # status changes
    make.move(at_least, Status.ANNOUNCED, datetime.date(2025, 3, 12))
    make.move(bulk, Status.FULFILLED, datetime.date(2025, 6, 1))
    assert_agrees()

    share = new("share", ("FR",), troops_min=100, troops_max=100, part_of=bulk)  # a share: not counted
    assert_agrees()
    share.part_of = None  # made a pledge of its own
    services.save_pledge(share)
    assert_agrees()
    share.part_of = bulk
    services.save_pledge(share)
    assert_agrees()

    services.mark_reviewed([bulk.pk, money.pk])  # a write that changes no figure
    assert_agrees()

    with pytest.raises(RuntimeError), transaction.atomic():  # a write rolled back leaves nothing
        new("rolled-back", ("DE",), troops_min=1)
        raise RuntimeError
    assert_agrees()

    vague_id = vague.pk
    services.delete_pledge(share)  # delete
    services.delete_pledge(vague)
    assert_agrees()
    record = Pledge.history.filter(id=vague_id, history_type="-").latest("history_id")
    services.restore_pledge(record)  # restore
    assert_agrees()

    Pledge.pledgers.through.objects.filter(state__code="GB").delete()  # a party's rows go with it
    State.objects.filter(code="GB").delete()
    assert_agrees()
    assert not any(row["code"] == "GB" for row in summary.totals_by_pledger())


def test_import_keeps_the_summary_equal_to_a_recount(register):
    assert_agrees()
    rows = list(csv.DictReader(io.StringIO("".join(exports.pledge_csv_chunks()), newline="")))
    template = dict.fromkeys(rows[0], "")
    rows[0]["troops_min"], rows[0]["troops_max"] = "1", "2"
    rows.append(
        template
        | {
            "slug": "pl-new",
            "title": "Polish logistics hub",
            "category": "troops",
            "troops_min": "700",
            "pledger_codes": "FR; GB",
            "condition": "not_stated",
            "condition_state": "not_applicable",
        }
    )
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    report = imports.import_pledges(out.getvalue().encode())
    assert report.ok, report.lines()
    assert report.count("create") == 1
    assert_agrees()


def test_unfiltered_totals_read_the_summary_and_filtered_ones_count(db):
    new("one", ("FR", "GB"), troops_min=10, troops_max=20)
    with CaptureQueriesContext(connection) as ctx:
        Pledge.objects.all().totals()
    assert len(ctx) == 1 and "commitments_pledgesummary" in ctx[0]["sql"]
    with CaptureQueriesContext(connection) as ctx:
        Pledge.objects.filter(category=Category.TROOPS).totals()
    assert len(ctx) == 1 and "commitments_pledgesummary" not in ctx[0]["sql"]
    new("two", ("FR",), category=Category.FUNDING, part_of=Pledge.objects.get(slug="one"))  # a share
    counts = {
        "all": (Pledge.objects.all(), 2),
        "troops": (Pledge.objects.filter(category=Category.TROOPS), 1),
        "troops or funding, not assessable": (
            Pledge.objects.filter(category__in=[Category.TROOPS, Category.FUNDING], status=Status.NOT_ASSESSABLE),
            2,
        ),
        "contradictory": (Pledge.objects.filter(category=Category.TROOPS).filter(category=Category.FUNDING), 0),
    }
    for name, (pledges, expected) in counts.items():
        with CaptureQueriesContext(connection) as ctx:
            assert pledges.count() == expected, name
        assert all("commitments_pledgesummary" in q["sql"] for q in ctx), name  # none for "contradictory"
    for pledges in (
        Pledge.objects.filter(title="one"),  # another field
        Pledge.objects.exclude(category=Category.TROOPS),  # negated
        Pledge.objects.filter(pledgers__code="FR"),  # a join
        Pledge.objects.filter(status=Status.NOT_ASSESSABLE)[:1],  # a slice
    ):
        with CaptureQueriesContext(connection) as ctx:
            pledges.count()
        assert "commitments_pledgesummary" not in ctx[0]["sql"], str(pledges.query)
    # A summary gone wrong shows: the unfiltered figure follows the table, not the pledges.
    PledgeSummary.objects.update(pledges=99)
    assert Pledge.objects.all().totals()["pledges"] == 99
    assert summary.rebuild() and Pledge.objects.all().totals()["pledges"] == 1  # the share is inside "one"


def test_a_bulk_load_with_triggers_suspended_ends_rebuilt(db):
    fr = make.state("FR")
    with summary.triggers_suspended():
        made = Pledge.objects.bulk_create(
            Pledge(slug=f"b{n}", title="b", category=Category.TROOPS, troops_min=n) for n in range(5)
        )
        Pledge.pledgers.through.objects.bulk_create(Pledge.pledgers.through(pledge=p, state=fr) for p in made)
        assert not PledgeSummary.objects.filter(pledges__gt=0).exists()  # the triggers were off
    assert_agrees()
    assert summary.totals()["troops_low"] == 10


def test_rebuild_command_repairs_a_summary_gone_wrong(db):
    from django.core.management import call_command

    new("one", ("FR", "GB"), troops_min=10, troops_max=20)
    PledgeSummary.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_summary", stdout=out)
    assert "Summary rebuilt: 4 cells." in out.getvalue()  # every pledge, every row, FR, GB
    assert_agrees()
