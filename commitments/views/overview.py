"""The overview: headline figures, the instruments, and charts drawn on the server, each with a
table of the same figures."""

from django.shortcuts import render
from django.urls import reverse

from .. import chart_data, charts
from ..choices import (
    Category,
    Condition,
    ConditionState,
    DeclarationStatus,
    StateKind,
    Status,
    SummitStatus,
)
from ..models import Declaration, ForceRequirement, Instrument, Pledge, Summit
from ..templatetags.dashboard import eur, on_precision, short_label, troops
from .common import no_contributions, pledge_list_url, plural, public_read, requirement_rows

# The overview lists troop pledges without a number up to this many (a page, not a million rows).
UNQUANTIFIED_LISTED = 50


def _joint_note(joint: int) -> str:
    return f"includes {plural(joint, 'joint pledge')} (shown under each pledger)" if joint else ""


def troop_rows(by_pledger) -> list[dict]:
    rows = []
    for row in by_pledger:
        if not (row["troop_pledges"] or row["troop_pledges_unquantified"]):
            continue
        quantified = row["troop_pledges"] > 0
        text = troops(row["troops_low"], row["troops_high"]) if quantified else ""
        if row["troop_pledges_unquantified"]:
            vague = f"{plural(row['troop_pledges_unquantified'], 'pledge')} not quantified"
            text = f"{text} + {vague}" if text else vague
        rows.append(
            {
                "code": row["code"],
                "name": row["name"],
                "low": row["troops_low"],
                "high": row["troops_high"],
                "text": text,
                "note": _joint_note(row["troop_pledges_joint"]),
            }
        )
    rows.sort(key=lambda r: (-(r["high"] or 0), r["name"]))
    return rows


def eur_rows(by_pledger) -> list[dict]:
    rows = [
        {
            "code": row["code"],
            "name": row["name"],
            "eur": row["eur"],
            "text": eur(row["eur"]),
            "pledges": row["eur_pledges"],
            "note": _joint_note(row["eur_pledges_joint"]),
        }
        for row in by_pledger
        if row["eur_pledges"]
    ]
    rows.sort(key=lambda r: (-r["eur"], r["name"]))
    return rows


def timeline_events(summits, declarations) -> list[dict]:
    items = [
        {
            "date": s.date,
            "when": on_precision(s.date, s.date_precision),
            "kind": "summit",
            "kind_label": s.get_kind_display(),
            "title": s.title,
            "href": reverse("pages:summit", args=[s.pk]),
            "tentative": s.status != SummitStatus.HELD,
            "state_label": short_label(s.get_status_display()),
        }
        for s in summits
    ] + [
        {
            "date": d.date,
            "when": on_precision(d.date, d.date_precision),
            "kind": "declaration",
            "kind_label": d.get_kind_display(),
            "title": d.title,
            "href": reverse("pages:declaration", args=[d.pk]),
            "tentative": d.status in (DeclarationStatus.DRAFT, DeclarationStatus.ABANDONED),
            "state_label": short_label(d.get_status_display()),
        }
        for d in declarations
        if d.date  # an undated text cannot be placed on a time axis; its page still lists it
    ]
    items.sort(key=lambda e: (e["date"], e["kind"] != "summit", e["title"]))
    for number, item in enumerate(items, start=1):
        item["number"] = number
    return items


def instrument_rows(instruments, requirements, figures_by_instrument) -> list[dict]:
    """The overview's instruments: each with its status, leads, number of contributions, and each
    force requirement it must meet against its quantified contributions."""
    rows = []
    for instrument in instruments:
        figures = figures_by_instrument.get(instrument.pk) or no_contributions()
        rows.append(
            {
                "instrument": instrument,
                "leads": [party.state for party in instrument.leads],
                "contributions": instrument.contribution_count,
                "requirements": [
                    requirement_rows(r, figures) for r in requirements if r.instrument_id == instrument.pk
                ],
            }
        )
    return rows


def requirement_bars(requirements, everything: dict, figures_by_instrument: dict) -> tuple[list, list[dict]]:
    """The headline's requirements, each against what it is set against (as the summary report
    does): one an instrument must meet against the contributions to that instrument, one of no
    instrument against every pledge. Returns the chart's extra bars and a row per requirement."""
    bars, rows = [], []
    for requirement in requirements:
        instrument = requirement.instrument
        required = troops(requirement.troops_min, requirement.troops_max)
        if instrument is None:
            rows.append({"requirement": requirement, "instrument": None, **requirement_rows(requirement, everything)})
            label = "Required" if len(requirements) == 1 else f"Required: {requirement.title}"
            bars.append(charts.Bar(label=label, low=requirement.troops_min, high=requirement.troops_max, text=required))
            continue
        figures = figures_by_instrument.get(instrument.pk) or no_contributions()
        row = {"requirement": requirement, "instrument": instrument, **requirement_rows(requirement, figures)}
        rows.append(row)
        href = reverse("pages:instrument", args=[instrument.slug])
        bars.append(
            charts.Bar(
                label=f"Contributed to {instrument.name}",
                low=row["troops_low"],
                high=row["troops_high"],
                text=row["pledged_text"],
                href=href,
            )
        )
        bars.append(
            charts.Bar(
                label=f"Required for {instrument.name}",
                low=requirement.troops_min,
                high=requirement.troops_max,
                text=required,
                href=href,
            )
        )
    return bars, rows


@public_read
def overview(request):
    pledges = Pledge.objects.all()
    figures = pledges.totals()  # 1 query
    by_status = pledges.count_by_status()  # 1 query
    by_pledger = pledges.totals_by_pledger()  # 1 query
    requirements = list(ForceRequirement.objects.select_related("summit", "declaration", "instrument"))  # 1 query
    unquantified_troops = list(  # 2 queries; the first of the pledges the headline counts as without a number
        Pledge.objects.top_level()
        .filter(category=Category.TROOPS, troops_min__isnull=True, troops_max__isnull=True)
        .select_related("part_of")
        .prefetch_related("pledgers")
        .order_by("id")[:UNQUANTIFIED_LISTED]
    )
    events = timeline_events(Summit.objects.all(), Declaration.objects.all())  # 2 queries
    instruments = list(Instrument.objects.with_leads_and_contribution_count())  # 2 queries
    figures_by_instrument = Instrument.objects.contribution_figures()  # 1 query
    over_time = chart_data.status_over_time(chart_data.status_changes_in_order(pledges))  # 1 query
    matrix = chart_data.party_by_category(pledges)  # 1 query

    states_pledging = [r for r in by_pledger if r["kind"] == StateKind.SOVEREIGN_STATE]
    groupings_pledging = [r for r in by_pledger if r["kind"] != StateKind.SOVEREIGN_STATE]

    pledged_range = troops(figures["troops_low"], figures["troops_high"])
    required_bars, requirement_figures = requirement_bars(requirements, figures, figures_by_instrument)
    troop_summary = [
        charts.Bar(
            label="Pledged",
            low=figures["troops_low"],
            high=figures["troops_high"],
            text=pledged_range or "none in numbers",
        ),
        *required_bars,
    ]
    troops_description = f"Pledged in numbers: {pledged_range or 'none'}. " + "; ".join(
        f"Contributed to {r['instrument'].name} in numbers: {r['pledged_text']}; required: {r['required_text']}"
        if r["instrument"]
        else f"Required: {r['required_text']}"
        for r in requirement_figures
    )

    troops_by_state = troop_rows(by_pledger)
    eur_by_state = eur_rows(by_pledger)
    status_rows = [
        {
            "status": status,
            "label": short_label(Status(status).label),
            "count": count,
            "href": pledge_list_url(status=status, top_level="true"),
        }
        for status, count in by_status.items()
    ]

    context = {
        "over_time": over_time,
        "over_time_chart": charts.stacked_chart(
            "chart-status-over-time",
            over_time["rows"],
            over_time["statuses"],
            colours=[charts.STATUS_COLOURS[code] for code in over_time["codes"]],
            title="Pledges by status over time",
            description=(
                f"How many of {plural(over_time['pledges'], 'pledge')} stood in each status at the end of each period, "
                f"from {over_time['rows'][0][0]} to {over_time['rows'][-1][0]}; see the table."
            )
            if over_time["rows"]
            else "No status change recorded yet.",
        ),
        "matrix": matrix,
        # The table as the chart: a row per category, a column per party.
        "matrix_parties": [(code, name, reverse("pages:state", args=[code])) for code, name in matrix["parties"]],
        "matrix_rows": [
            {
                "label": short_label(label),
                "cells": [
                    {
                        "count": matrix["counts"].get((p, c), 0),
                        "href": pledge_list_url(state=code, category=category, top_level="true"),
                    }
                    for p, (code, _) in enumerate(matrix["parties"])
                ],
            }
            for c, (category, label) in enumerate(matrix["categories"])
        ],
        "matrix_chart": charts.matrix_chart(
            "chart-party-category",
            [short_label(label) for _, label in matrix["categories"]],
            [code for code, _ in matrix["parties"]],
            {(c, p): n for (p, c), n in matrix["counts"].items()},
            title="Pledges by party and category",
            description="; ".join(
                f"{name}: "
                + ", ".join(
                    f"{matrix['counts'][p, c]} {short_label(label).lower()}"
                    for c, (_, label) in enumerate(matrix["categories"])
                    if (p, c) in matrix["counts"]
                )
                for p, (_, name) in enumerate(matrix["parties"])
            )
            or "No pledges yet.",
        ),
        "figures": figures,
        "status_summary": ", ".join(f"{row['count']} {row['label'].lower()}" for row in status_rows if row["count"]),
        "states_pledging": states_pledging,
        "groupings_pledging": groupings_pledging,
        "pledged_range": pledged_range,
        "requirements": requirement_figures,
        "instruments": instrument_rows(instruments, requirements, figures_by_instrument),
        "troops_by_state": troops_by_state,
        "unquantified_troops": unquantified_troops,
        # the list stops at UNQUANTIFIED_LISTED; the figure counts them all
        "unquantified_not_listed": max(figures["troop_pledges_unquantified"] - len(unquantified_troops), 0),
        "unquantified_url": pledge_list_url(category=Category.TROOPS, top_level="true"),
        "eur_by_state": eur_by_state,
        "status_rows": status_rows,
        "events": events,
        "ceasefire_url": pledge_list_url(
            condition=Condition.UPON_CEASEFIRE, condition_state=ConditionState.PENDING, top_level="true"
        ),
        "troops_chart": charts.bar_chart(
            "chart-troops-total",
            troop_summary,
            title="Troops pledged against the force required",
            description=troops_description,
        ),
        "troops_by_state_chart": charts.bar_chart(
            "chart-troops-by-state",
            [
                charts.Bar(
                    label=row["name"],
                    low=row["low"],
                    high=row["high"],
                    text=row["text"],
                    href=reverse("pages:state", args=[row["code"]]),
                )
                for row in troops_by_state
            ],
            title="Troops pledged by party",
            description="; ".join(f"{row['name']}: {row['text']}" for row in troops_by_state) or "No troop pledges.",
        ),
        "eur_by_state_chart": charts.bar_chart(
            "chart-eur-by-state",
            [
                charts.Bar(
                    label=row["name"],
                    low=row["eur"],
                    high=row["eur"],
                    text=row["text"],
                    href=reverse("pages:state", args=[row["code"]]),
                )
                for row in eur_by_state
            ],
            title="Euros pledged by party",
            description="; ".join(f"{row['name']}: {row['text']}" for row in eur_by_state) or "No amounts pledged.",
        ),
        "status_chart": charts.bar_chart(
            "chart-status",
            [
                charts.Bar(
                    label=row["label"], low=row["count"], high=row["count"], text=str(row["count"]), href=row["href"]
                )
                for row in status_rows
            ],
            title="Pledges by status",
            description="; ".join(f"{row['label']}: {row['count']}" for row in status_rows),
        ),
        "timeline_chart": charts.timeline_chart(
            "chart-timeline",
            [
                charts.Event(
                    number=e["number"],
                    date=e["date"],
                    kind=e["kind"],
                    label=f"{e['number']}. {e['when']}: {e['title']}",
                    href=e["href"],
                    tentative=e["tentative"],
                )
                for e in events
            ],
            title="Timeline of meetings and declarations",
            description=f"{len(events)} events from {events[0]['when']} to {events[-1]['when']}; see the table."
            if events
            else "No meetings or declarations recorded yet.",
        ),
    }
    return render(request, "commitments/overview.html", context)
