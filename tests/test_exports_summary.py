"""Summary reports: joint pledges once, shares left out, unquantified troop pledges beside the sums,
euros, and the force requirement as a gap; CSV and JSON agree."""

import csv
import io
from decimal import Decimal

import pytest

from commitments import exports
from commitments.choices import Category
from commitments.models import Pledge

pytestmark = pytest.mark.django_db


def by_key(items):
    return {item["key"]: item for item in items}


def test_total_counts_a_joint_pledge_once_and_leaves_shares_out(register):
    report = exports.summary()
    total = report["total"]
    # 15 pledges, one of them a share: 14 counted.
    assert Pledge.objects.count() == 15
    assert total["pledges"] == 14
    # fr-gb-bulk (5000–10000, FR+GB jointly) once; the French share inside it (2000–4000) not at all;
    # cow-reassurance has no figure and is counted beside.
    assert (total["troop_pledges"], total["troops_min"], total["troops_max"]) == (1, 5000, 10000)
    assert total["troop_pledges_unquantified"] == 1
    assert total["amount_eur"] == Decimal("2000000912.80")
    assert (total["money_pledges"], total["money_pledges_without_eur"]) == (3, 1)


def test_by_state_counts_a_joint_pledge_in_each_pledgers_row(register):
    states = by_key(exports.summary()["by_state"])
    assert (states["FR"]["troops_min"], states["FR"]["troops_max"]) == (5000, 10000)
    assert (states["GB"]["troops_min"], states["GB"]["troops_max"]) == (5000, 10000)
    assert states["FR"]["pledges"] == 2  # the bulk and the aid; the share is left out
    assert states["FR"]["amount_eur"] == Decimal("2000000000.00")
    assert states["COW"]["troop_pledges_unquantified"] == 1
    assert states["NA"]["money_pledges_without_eur"] == 1
    # The state rows add up to more than the total, by the joint pledge's second pledger.
    assert sum(s["troops_max"] for s in states.values() if s["troops_max"] is not None) == 20000
    # Unknown is not zero: a party whose pledges give no troop figure has no troop sum.
    assert (states["COW"]["troops_min"], states["COW"]["troops_max"], states["COW"]["amount_eur"]) == (None, None, None)


def test_by_category_status_and_summit(register):
    report = exports.summary()
    categories = by_key(report["by_category"])
    assert [c["key"] for c in report["by_category"]] == [code for code, _ in Category.choices]
    assert (categories["troops"]["pledges"], categories["troops"]["troops_max"]) == (2, 10000)
    assert categories["weapons"]["pledges"] == 0
    statuses = by_key(report["by_status"])
    assert statuses["announced"]["troops_min"] == 5000
    assert statuses["not_assessable"]["troop_pledges_unquantified"] == 1
    summits = by_key(report["by_summit"])
    assert (summits["paris-2026"]["pledges"], summits["paris-2026"]["troops_max"]) == (1, 10000)
    assert summits["london-2025"]["amount_eur"] == Decimal("2000000000.00")
    assert summits[""]["label"] == "(no summit)"
    assert sum(s["pledges"] for s in report["by_summit"]) == report["total"]["pledges"]
    assert sum(s["pledges"] for s in report["by_category"]) == report["total"]["pledges"]


def test_force_requirement_gap(register):
    (gap,) = exports.summary()["force_requirements"]
    assert (gap["requirement_min"], gap["requirement_max"]) == (15000, 30000)
    assert (gap["troops_min"], gap["troops_max"]) == (5000, 10000)
    assert (gap["gap_min"], gap["gap_max"]) == (10000, 20000)
    assert gap["troop_pledges_unquantified"] == 1


def test_at_least_and_up_to_figures(register):
    vague = register["vague"]
    vague.troops_min = 1000  # "at least 1,000": 1,000 more at the low end, and no upper bound known
    vague.save()
    total = exports.summary()["total"]
    assert (total["troops_min"], total["troops_max"], total["troop_pledges_unquantified"]) == (6000, None, 0)
    vague.troops_min, vague.troops_max = None, 3000  # "up to 3,000": nothing at the low end
    vague.save()
    total = exports.summary()["total"]
    assert (total["troops_min"], total["troops_max"], total["troop_pledges"]) == (5000, 13000, 2)


@pytest.mark.parametrize("category", [None, "troops", "funding"])
def test_report_agrees_with_the_dashboards_totals(register, category):
    """PledgeQuerySet.totals() gives the public pages' headline; the report must not contradict it."""
    register["vague"].troops_min = 1000
    register["vague"].save()
    selected = Pledge.objects.all() if category is None else Pledge.objects.filter(category=category)
    report = exports.summary(selected)["total"]
    dashboard = selected.totals()
    assert (report["pledges"], report["troops_min"], report["troops_max"]) == (
        dashboard["pledges"],
        dashboard["troops_low"],
        dashboard["troops_high"],
    )
    assert (report["troop_pledges"], report["troop_pledges_unquantified"]) == (
        dashboard["troop_pledges"],
        dashboard["troop_pledges_unquantified"],
    )
    assert report["amount_eur"] == dashboard["eur"]


def test_filters_apply_before_the_totals(register):
    report = exports.summary(Pledge.objects.filter(category="funding"))
    assert report["total"]["pledges"] == 3
    # No funding pledge gives a troop figure: the troop sums and the gap are unknown, not 0 and 30,000.
    assert (report["total"]["troop_pledges"], report["total"]["troops_max"]) == (0, None)
    (gap,) = report["force_requirements"]
    assert (gap["gap_min"], gap["gap_max"]) == (None, None)


def test_csv_and_json_endpoints_agree(register, client, public):
    data = client.get("/api/reports/summary.json?summit=paris-2026").json()
    assert data["total"]["troops_max"] == 10000 and data["total"]["amount_eur"] is None
    assert data["currency"] == "EUR"
    response = client.get("/api/reports/summary.csv?summit=paris-2026")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark of every CSV route
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == [c.name for c in exports.SUMMARY_COLUMNS]
    total = rows[0]
    assert (total["section"], total["pledges"], total["troops_max"]) == ("total", "1", "10000")
    gap = next(r for r in rows if r["section"] == "force_requirement")
    assert (gap["requirement_max"], gap["gap_max"]) == ("30000", str(data["force_requirements"][0]["gap_max"]))
    states = {r["key"]: r for r in rows if r["section"] == "by_state"}
    assert set(states) == {"FR", "GB"}
    assert client.get("/api/reports/summary.json?category=tanks").status_code == 400


def test_summary_runs_a_fixed_number_of_queries(register, django_assert_num_queries):
    for index in range(20):
        Pledge.objects.create(slug=f"more-{index}", title="x", category="troops", troops_min=index)
    # total, by state, by category, by status, by summit, summit titles, force requirements
    with django_assert_num_queries(7):
        exports.summary()


def test_seed_data_summary(seeded):
    """On the seed reports no troop figure is given anywhere ("thousands", "the bulk"), so the troops
    pledged and the gap to the 15,000–30,000 required are unknown, never 0 and the whole range. The
    requirement is the multinational forces': it is set against the pledges that contribute to them."""
    report = exports.summary()
    total = report["total"]
    assert total["pledges"] == Pledge.objects.top_level().count()
    assert total["troop_pledges_unquantified"] == Pledge.objects.top_level().filter(category="troops").count()
    assert (total["troop_pledges"], total["troops_min"], total["troops_max"]) == (0, None, None)
    (gap,) = report["force_requirements"]
    assert gap["instrument"] == "multinational-force-for-ukraine"
    assert (gap["requirement_min"], gap["requirement_max"]) == (15000, 30000)
    assert (gap["gap_min"], gap["gap_max"]) == (None, None)
    contributions = Pledge.objects.top_level().filter(contributes_to__slug=gap["instrument"], category="troops")
    assert gap["troop_pledges_unquantified"] == contributions.count() == 2
