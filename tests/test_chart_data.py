"""The figures behind the overview's status-over-time and party × category charts, from small
built data (and, for the time axis, plain tuples), and the charts drawn from them."""

import datetime
import re

import pytest

from commitments import chart_data, charts
from commitments.choices import Category, Status

from . import builders as make

D = datetime.date


def test_status_over_time_replays_the_history_period_by_period():
    changes = [
        (1, D(2025, 3, 27), Status.ANNOUNCED),
        (2, D(2025, 3, 30), Status.PROPOSED),
        (2, D(2025, 5, 2), Status.AGREED),
        (1, D(2025, 5, 31), Status.AGREED),
        (3, D(2025, 6, 1), Status.ANNOUNCED),
    ]
    result = chart_data.status_over_time(changes)
    assert result["statuses"] == ["Proposed", "Announced", "Agreed or endorsed"]
    assert result["pledges"] == 3
    # A month with no change (April) keeps the counts of the month before: every period is drawn.
    assert result["rows"] == [
        ("Mar 2025", [1, 1, 0]),
        ("Apr 2025", [1, 1, 0]),
        ("May 2025", [0, 0, 2]),
        ("Jun 2025", [0, 1, 2]),
    ]


def test_a_long_history_is_drawn_by_quarter_then_by_year():
    quarters = chart_data.status_over_time([(1, D(2024, 2, 1), Status.ANNOUNCED), (1, D(2026, 1, 5), Status.AGREED)])
    assert [label for label, _ in quarters["rows"]][:2] == ["Q1 2024", "Q2 2024"]
    assert quarters["rows"][-1] == ("Q1 2026", [0, 1])
    assert len(quarters["rows"]) == 9
    years = chart_data.status_over_time([(1, D(2001, 2, 1), Status.ANNOUNCED), (1, D(2026, 1, 5), Status.AGREED)])
    assert len(years["rows"]) == 26 and years["rows"][0][0] == "2001"
    assert chart_data.status_over_time([]) == {"rows": [], "statuses": [], "codes": [], "pledges": 0}


@pytest.mark.django_db
def test_the_history_is_read_in_order_for_top_level_pledges_only():
    pledge = make.pledge(title="Aid")
    share = make.pledge(title="Share", part_of=pledge)
    make.move(pledge, Status.ANNOUNCED, D(2025, 3, 27))
    make.move(share, Status.ANNOUNCED, D(2025, 3, 27))
    make.move(pledge, Status.AGREED, D(2025, 4, 2))
    rows = list(chart_data.status_changes_in_order())
    assert rows == [(pledge.pk, D(2025, 3, 27), Status.ANNOUNCED), (pledge.pk, D(2025, 4, 2), Status.AGREED)]


@pytest.mark.django_db
def test_party_by_category_counts_a_joint_pledge_for_each_pledger_and_keeps_the_busiest_parties():
    make.pledge(pledgers=("FR", "GB"), category=Category.TROOPS)
    make.pledge(pledgers=("FR",), category=Category.TROOPS)
    make.pledge(pledgers=("FR",), category=Category.FUNDING)
    make.pledge(pledgers=("US",), category=Category.MONITORING)
    result = chart_data.party_by_category(most_parties=2)
    assert [code for code, _ in result["parties"]] == ["FR", "GB"]  # 3 and 1 pledges; US left out by name
    assert result["left_out"] == 1
    assert [code for code, _ in result["categories"]] == ["troops", "funding"]  # in the order of Category
    assert result["counts"] == {(0, 0): 2, (0, 1): 1, (1, 0): 1}


def test_the_charts_draw_every_cell_and_segment_with_its_number():
    matrix = charts.matrix_chart(
        "m",
        ["Troops", "Ceasefire monitoring and verification"],
        ["FR", "GB"],
        {(0, 0): 2, (1, 1): 1},
        title="t",
        description="d",
    )
    assert matrix.count('class="cell"') == 4
    assert ">2</text>" in matrix and ">1</text>" in matrix
    # A long row label is wrapped, never cut: its lines put together are the whole label.
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", matrix)
    assert " ".join(lines) == "Troops Ceasefire monitoring and verification" and len(lines) == 3
    stacked = charts.stacked_chart(
        "s", [("Mar 2025", [1, 2]), ("Apr 2025", [0, 3])], ["A", "B"], title="t", description="d"
    )
    assert stacked.count('class="segment') == 3  # no zero-width segment
    assert "<title>Apr 2025: 3 B</title>" in stacked


def test_the_timeline_axis_shrinks_long_empty_stretches_to_a_break():
    busy = {D(2025, 3, 1), D(2025, 12, 1), D(2026, 1, 1)}
    kept, breaks, x = charts.fitted_axis(D(2025, 3, 1), D(2026, 1, 6), busy)
    # April to November (8 empty months) become one break; the months with events share the width.
    assert breaks == [(D(2025, 4, 1), 8)]
    assert kept == [D(2025, 3, 1), D(2025, 12, 1), D(2026, 1, 1)]
    month = (charts.WIDTH - 24 - charts.BREAK_WIDTH) / 3
    assert x(D(2025, 3, 1)) == 12
    assert x(D(2025, 12, 1)) == round(12 + month + charts.BREAK_WIDTH, 2)
    assert x(D(2025, 3, 27)) > x(D(2025, 3, 1))  # a day's place within its month is kept
    # Two empty months between events stay on the axis.
    kept, breaks, _ = charts.fitted_axis(D(2025, 1, 1), D(2025, 4, 2), {D(2025, 1, 1), D(2025, 4, 1)})
    assert breaks == [] and len(kept) == 4


def test_a_crowded_timeline_counts_events_per_month_instead_of_stacking_them():
    events = [
        charts.Event(number=n, date=D(2025, 3, 1 + n % 28), kind="summit", label=f"{n}", href=f"/summits/{n}/")
        for n in range(1, 41)
    ] + [charts.Event(number=41, date=D(2025, 5, 2), kind="declaration", label="41", href="/declarations/41/")]
    drawn = charts.timeline_chart("t", events, title="t", description="d")
    assert "by-month" in drawn and "<circle" not in drawn
    assert drawn.count('class="month-count"') == 2
    assert "March 2025: 40 events (numbers 1 to 40 in the table)" in drawn
    few = charts.timeline_chart("t", events[:3] + events[-1:], title="t", description="d")
    assert few.count("<circle") == 3 and "by-month" not in few
