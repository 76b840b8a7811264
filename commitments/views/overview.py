"""The overview: headline figures, the instruments, and charts drawn on the server, each with a
table of the same figures."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from ..templatetags.content import localised
from ..templatetags.dashboard import eur, on_precision, short_label, troops
from .common import localised_state_names, no_contributions, pledge_list_url, public_read, requirement_rows

# The overview lists troop pledges without a number up to this many (a page, not a million rows).
UNQUANTIFIED_LISTED = 50


def _joint_note(joint: int) -> str:
    if not joint:
        return ""
    return ngettext(
        "includes %(count)s joint pledge (shown under each pledger)",
        "includes %(count)s joint pledges (shown under each pledger)",
        joint,
    ) % {"count": joint}


def troop_rows(by_pledger) -> list[dict]:
    rows = []
    for row in by_pledger:
        if not (row["troop_pledges"] or row["troop_pledges_unquantified"]):
            continue
        quantified = row["troop_pledges"] > 0
        text = troops(row["troops_low"], row["troops_high"]) if quantified else ""
        if row["troop_pledges_unquantified"]:
            vague = ngettext(
                "%(count)s pledge not quantified", "%(count)s pledges not quantified", row["troop_pledges_unquantified"]
            ) % {"count": row["troop_pledges_unquantified"]}
            text = f"{text} + {vague}" if text else vague
        rows.append(
            {
                "code": row["code"],
                "name": row["name"],
                "name_in_english": row.get("name_in_english", False),
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
            "name_in_english": row.get("name_in_english", False),
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
    def titled(record) -> dict:
        title, in_english = localised(record, "title")
        return {"title": title, "title_in_english": in_english}

    items = [
        {
            "date": s.date,
            "when": on_precision(s.date, s.date_precision),
            "kind": "summit",
            "kind_label": s.get_kind_display(),
            **titled(s),
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
            **titled(d),
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
            label = _("Required") if len(requirements) == 1 else _("Required: %(title)s") % {"title": requirement.title}
            bars.append(charts.Bar(label=label, low=requirement.troops_min, high=requirement.troops_max, text=required))
            continue
        figures = figures_by_instrument.get(instrument.pk) or no_contributions()
        row = {"requirement": requirement, "instrument": instrument, **requirement_rows(requirement, figures)}
        rows.append(row)
        href = reverse("pages:instrument", args=[instrument.slug])
        bars.append(
            charts.Bar(
                label=_("Contributed to %(instrument)s") % {"instrument": localised(instrument, "name")[0]},
                low=row["troops_low"],
                high=row["troops_high"],
                text=row["pledged_text"],
                href=href,
            )
        )
        bars.append(
            charts.Bar(
                label=_("Required for %(instrument)s") % {"instrument": localised(instrument, "name")[0]},
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
    by_pledger = localised_state_names(pledges.totals_by_pledger())  # 1 query (2 in Ukrainian: the names)
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
    names = {row["code"]: row["name"] for row in by_pledger}
    matrix_parties = [(code, names.get(code, name)) for code, name in matrix["parties"]]

    states_pledging = [r for r in by_pledger if r["kind"] == StateKind.SOVEREIGN_STATE]
    groupings_pledging = [r for r in by_pledger if r["kind"] != StateKind.SOVEREIGN_STATE]

    pledged_range = troops(figures["troops_low"], figures["troops_high"])
    required_bars, requirement_figures = requirement_bars(requirements, figures, figures_by_instrument)
    troop_summary = [
        charts.Bar(
            label=_("Pledged"),
            low=figures["troops_low"],
            high=figures["troops_high"],
            text=pledged_range or _("none in numbers"),
        ),
        *required_bars,
    ]
    troops_description = _("Pledged in numbers: %(range)s.") % {"range": pledged_range or _("none")} + " "
    troops_description += "; ".join(
        _("Contributed to %(instrument)s in numbers: %(pledged)s; required: %(required)s")
        % {
            "instrument": localised(r["instrument"], "name")[0],
            "pledged": r["pledged_text"],
            "required": r["required_text"],
        }
        if r["instrument"]
        else _("Required: %(required)s") % {"required": r["required_text"]}
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
            title=_("Pledges by status over time"),
            description=(
                ngettext(
                    "How many of %(count)s pledge stood in each status at the end of each period, from %(first)s to "
                    "%(last)s; see the table.",
                    "How many of %(count)s pledges stood in each status at the end of each period, from %(first)s to "
                    "%(last)s; see the table.",
                    over_time["pledges"],
                )
                % {"count": over_time["pledges"], "first": over_time["rows"][0][0], "last": over_time["rows"][-1][0]}
            )
            if over_time["rows"]
            else _("No status change recorded yet."),
        ),
        "matrix": matrix,
        # The table as the chart: a row per category, a column per party.
        "matrix_parties": [(code, name, reverse("pages:state", args=[code])) for code, name in matrix_parties],
        "matrix_rows": [
            {
                "label": short_label(label),
                "cells": [
                    {
                        "count": matrix["counts"].get((p, c), 0),
                        "href": pledge_list_url(state=code, category=category, top_level="true"),
                    }
                    for p, (code, _name) in enumerate(matrix["parties"])
                ],
            }
            for c, (category, label) in enumerate(matrix["categories"])
        ],
        "matrix_chart": charts.matrix_chart(
            "chart-party-category",
            [short_label(label) for _category, label in matrix["categories"]],
            [code for code, _ in matrix["parties"]],
            {(c, p): n for (p, c), n in matrix["counts"].items()},
            title=_("Pledges by party and category"),
            description="; ".join(
                f"{name}: "
                + ", ".join(
                    f"{matrix['counts'][p, c]} {short_label(label).lower()}"
                    for c, (_category, label) in enumerate(matrix["categories"])
                    if (p, c) in matrix["counts"]
                )
                for p, (_code, name) in enumerate(matrix_parties)
            )
            or _("No pledges yet."),
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
            title=_("Troops pledged against the force required"),
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
            title=_("Troops pledged by party"),
            description="; ".join(f"{row['name']}: {row['text']}" for row in troops_by_state) or _("No troop pledges."),
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
            title=_("Euros pledged by party"),
            description="; ".join(f"{row['name']}: {row['text']}" for row in eur_by_state) or _("No amounts pledged."),
        ),
        "status_chart": charts.bar_chart(
            "chart-status",
            [
                charts.Bar(
                    label=row["label"], low=row["count"], high=row["count"], text=str(row["count"]), href=row["href"]
                )
                for row in status_rows
            ],
            title=_("Pledges by status"),
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
            title=_("Timeline of meetings and declarations"),
            description=ngettext(
                "%(count)s event from %(first)s to %(last)s; see the table.",
                "%(count)s events from %(first)s to %(last)s; see the table.",
                len(events),
            )
            % {"count": len(events), "first": events[0]["when"], "last": events[-1]["when"]}
            if events
            else _("No meetings or declarations recorded yet."),
        ),
    }
    return render(request, "commitments/overview.html", context)
