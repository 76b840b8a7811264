"""Unknown is not zero: every total is computed once (PledgeQuerySet), says what it covers (the sum
over the pledges giving a number and the count of those giving none), and is empty — never 0 —
when no pledge gives a number: in the summary CSV, JSON and XLSX, the overview and the state pages."""

import csv
import html
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from commitments import exports
from commitments.models import Pledge

from . import builders as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def unquantified(db, settings):
    """Two parties whose pledges give no number at all: troops in words, money without an amount."""
    settings.PUBLIC_READ = True
    make.pledge(pledgers=("FR",), category="troops", quantity_text="thousands of troops")
    make.pledge(pledgers=("FR", "GB"), category="funding", quantity_text="further aid")
    return Pledge.objects.all()


def summary_csv(client) -> list[dict]:
    text = b"".join(client.get("/api/reports/summary.csv").streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_a_total_over_pledges_without_numbers_is_empty_not_zero(unquantified):
    totals = unquantified.totals()
    assert (totals["troop_pledges"], totals["troops_low"], totals["troops_high"]) == (0, None, None)
    assert (totals["eur_pledges"], totals["eur"]) == (0, None)
    # ... and says what it leaves out.
    assert (totals["troop_pledges_unquantified"], totals["money_pledges_without_eur"]) == (1, 1)
    for row in unquantified.totals_by_pledger():
        assert (row["troops_low"], row["troops_high"], row["eur"]) == (None, None, None)


def test_summary_files_leave_unknown_sums_blank(unquantified, client):
    rows = summary_csv(client)
    for row in rows:
        if row["section"] in ("total", "by_state"):
            assert (row["troops_min"], row["troops_max"], row["amount_eur"]) == ("", "", ""), row
    total = rows[0]
    assert (total["troop_pledges"], total["troop_pledges_unquantified"], total["money_pledges_without_eur"]) == (
        "0",
        "1",
        "1",
    )
    data = client.get("/api/reports/summary.json").json()
    assert (data["total"]["troops_min"], data["total"]["amount_eur"]) == (None, None)
    gap = data["force_requirements"]
    assert gap == []  # no force requirement here; with one, the gap is unknown too (test_exports_summary)
    workbook = load_workbook(io.BytesIO(client.get("/api/reports/summary.xlsx").getvalue()))
    sheet = workbook["summary"]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert (first["section"], first["troops_min"], first["amount_eur"], first["troop_pledges"]) == (
        "total",
        None,
        None,
        0,
    )
    assert [row[0].value for row in workbook["columns"].iter_rows(min_row=2)] == header


def test_pages_say_none_in_numbers_rather_than_zero(unquantified, client):
    overview = client.get("/").content.decode()
    assert "€0" not in overview and "0 troops" not in overview
    assert overview.count("none in numbers") >= 2
    state = client.get("/states/FR/").content.decode()
    assert "€0" not in state and "none in numbers" in state


def test_a_real_zero_stays_a_zero(db, settings):
    """A pledge of 0 troops is a number: the sum is 0, not unknown."""
    make.pledge(pledgers=("FR",), category="troops", troops_min=0, troops_max=0)
    totals = Pledge.objects.all().totals()
    assert (totals["troop_pledges"], totals["troops_low"], totals["troops_high"]) == (1, 0, 0)


def test_mixed_sums_cover_only_the_pledges_with_numbers(db):
    make.pledge(pledgers=("FR",), category="troops", troops_max=3000)  # "up to 3,000": 0 at the low end
    make.pledge(pledgers=("GB",), category="troops", troops_min=1000)  # "at least 1,000": no upper bound
    make.pledge(pledgers=("GB",), category="troops", quantity_text="the bulk")
    make.pledge(pledgers=("US",), category="funding", amount=Decimal("1000"), currency="USD")  # no conversion
    make.pledge(
        pledgers=("DE",),
        category="funding",
        amount=Decimal("10.50"),
        currency="EUR",
        value_date="2025-03-01",
        fx_rate=Decimal(1),
        amount_eur=Decimal("10.50"),
    )
    totals = Pledge.objects.all().totals()
    assert (totals["troop_pledges"], totals["troops_low"], totals["troops_high"]) == (2, 1000, None)
    assert totals["troop_pledges_open_ended"] == 1
    assert totals["troop_pledges_unquantified"] == 1
    assert (totals["eur_pledges"], totals["eur"], totals["money_pledges_without_eur"]) == (1, Decimal("10.50"), 1)


def test_summary_overview_and_state_pages_read_the_same_per_party_figures(db, client, settings):
    """The summary's by-state rows and the overview's by-party rows are one computation."""
    settings.PUBLIC_READ = True
    joint = make.pledge(pledgers=("FR", "GB"), category="troops", troops_min=5000, troops_max=10000)
    make.pledge(pledgers=("FR",), category="troops", troops_min=2000, troops_max=2000, part_of=joint)  # a share
    make.pledge(pledgers=("FR",), category="funding", quantity_text="some aid")
    by_party = {row["code"]: row for row in Pledge.objects.all().totals_by_pledger()}
    summary = {row["key"]: row for row in exports.summary()["by_state"]}
    assert set(by_party) == set(summary) == {"FR", "GB"}
    for code, row in by_party.items():
        assert (summary[code]["pledges"], summary[code]["troops_min"], summary[code]["troops_max"]) == (
            row["pledges"],
            row["troops_low"],
            row["troops_high"],
        )
        state = Pledge.objects.by_state(code).totals()
        assert (state["pledges"], state["troops_low"], state["troops_high"]) == (
            row["pledges"],
            row["troops_low"],
            row["troops_high"],
        )
    # France: the joint pledge once (its own share is inside it) and the aid without a number.
    # (The factory names a state "State FR".)
    assert (by_party["FR"]["pledges"], by_party["FR"]["troops_high"], by_party["FR"]["troop_pledges_joint"]) == (
        2,
        10000,
        1,
    )
    assert "State FR Sovereign state 2 5,000–10,000 troops —" in page_text(client.get("/states/"))


def page_text(response) -> str:
    """The page as a reader sees it: tags removed, whitespace collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))
