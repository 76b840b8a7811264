"""The public pages: an overview with charts, the pledge list with the API's filters, and one page
per pledge, summit, declaration and party, each figure one click from its sources.

Every page runs a fixed number of queries whatever the number of pledges (tests pin them), by
loading through `PledgeQuerySet` (`with_related`, `totals`, `totals_by_pledger`)."""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from . import charts
from .choices import Category, Condition, ConditionState, DeclarationStatus, PartyRole, StateKind, Status, SummitStatus
from .filtersets import PledgeFilterSet
from .models import (
    Declaration,
    DeclarationParty,
    ForceRequirement,
    Pledge,
    State,
    Summit,
)
from .templatetags.dashboard import eur, on_precision, short_label, troops

PLEDGES_PER_PAGE = 25
# A pledge whose status never changed has no date; it goes last on SQLite and PostgreSQL alike.
NEWEST_STATUS_FIRST = (F("status_changed_on").desc(nulls_last=True), "-id")


def public_read(view):
    """Anyone may read while settings.PUBLIC_READ is on; otherwise only staff, and everyone
    else is sent to the admin login (which returns them here afterwards)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if settings.PUBLIC_READ or (user.is_active and user.is_staff):
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))

    return wrapper


def admin_link(request, obj) -> str:
    """The admin change page of `obj` for a staff user allowed to change it, else ''."""
    user = request.user
    opts = obj._meta
    if not (user.is_active and user.is_staff and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")):
        return ""
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:  # model not in the admin
        return ""


def pledge_list_url(**filters) -> str:
    return f"{reverse('pages:pledge-list')}?{urlencode(filters, doseq=True)}"


# ---------------------------------------------------------------------------------------------
# Overview


def _joint_note(joint: int, shares: int) -> str:
    notes = []
    if joint:
        notes.append(f"{_plural(joint, 'joint pledge')} (shown under each pledger)")
    if shares:
        notes.append(f"{_plural(shares, 'share')} of a larger pledge")
    return "includes " + " and ".join(notes) if notes else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def troop_rows(by_pledger) -> list[dict]:
    rows = []
    for row in by_pledger:
        if not (row["troop_pledges"] or row["troop_pledges_unquantified"]):
            continue
        quantified = row["troop_pledges"] > 0
        text = troops(row["troops_low"], row["troops_high"]) if quantified else ""
        if row["troop_pledges_unquantified"]:
            vague = f"{_plural(row['troop_pledges_unquantified'], 'pledge')} not quantified"
            text = f"{text} + {vague}" if text else vague
        rows.append(
            {
                "code": row["state__code"],
                "name": row["state__name"],
                "low": row["troops_low"] if quantified else None,
                "high": row["troops_high"] if quantified else None,
                "text": text,
                "note": _joint_note(row["troop_pledges_joint"], row["troop_pledges_shares"]),
            }
        )
    rows.sort(key=lambda r: (-(r["high"] or 0), r["name"]))
    return rows


def eur_rows(by_pledger) -> list[dict]:
    rows = [
        {
            "code": row["state__code"],
            "name": row["state__name"],
            "eur": row["eur"],
            "text": eur(row["eur"]),
            "pledges": row["eur_pledges"],
            "note": _joint_note(row["eur_pledges_joint"], row["eur_pledges_shares"]),
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


@public_read
def overview(request):
    pledges = Pledge.objects.all()
    figures = pledges.totals()  # 1 query
    by_status = pledges.count_by_status()  # 1 query
    by_pledger = list(pledges.totals_by_pledger())  # 1 query
    requirements = list(ForceRequirement.objects.select_related("summit", "declaration"))  # 1 query
    unquantified_troops = list(  # 2 queries
        Pledge.objects.filter(category=Category.TROOPS, troops_min__isnull=True, troops_max__isnull=True)
        .select_related("part_of")
        .prefetch_related("pledgers")
    )
    events = timeline_events(Summit.objects.all(), Declaration.objects.all())  # 2 queries

    states_pledging = [r for r in by_pledger if r["state__kind"] == StateKind.SOVEREIGN_STATE]
    groupings_pledging = [r for r in by_pledger if r["state__kind"] != StateKind.SOVEREIGN_STATE]

    pledged_range = troops(figures["troops_low"], figures["troops_high"]) if figures["troop_pledges"] else ""
    troop_summary = [
        charts.Bar(
            label="Pledged",
            low=figures["troops_low"] if figures["troop_pledges"] else None,
            high=figures["troops_high"] if figures["troop_pledges"] else None,
            text=pledged_range or "none in numbers",
        )
    ]
    for requirement in requirements:
        troop_summary.append(
            charts.Bar(
                label="Required" if len(requirements) == 1 else f"Required: {requirement.slug}",
                low=requirement.troops_min,
                high=requirement.troops_max,
                text=troops(requirement.troops_min, requirement.troops_max),
            )
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
        "figures": figures,
        "status_summary": ", ".join(f"{row['count']} {row['label'].lower()}" for row in status_rows if row["count"]),
        "states_pledging": states_pledging,
        "groupings_pledging": groupings_pledging,
        "pledged_range": pledged_range,
        "requirements": requirements,
        "troops_by_state": troops_by_state,
        "unquantified_troops": unquantified_troops,
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
            description=f"Pledged in numbers: {pledged_range or 'none'}. "
            + "; ".join(f"Required: {troops(r.troops_min, r.troops_max)}" for r in requirements),
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


# ---------------------------------------------------------------------------------------------
# Pledges

# Long lists of choices read better as checkboxes than as a multiple <select> on a phone.
CHECKBOX_FILTERS = ("state", "category", "status", "condition", "condition_state")
DATE_FILTERS = ("status_changed", "value_date")
# The FilterSet's labels are written for API users; these are the same filters in a reader's words.
READER_LABELS = {
    "q": "Search",
    "state": "Pledged by (alone or jointly)",
    "category": "Category",
    "status": "Status",
    "open": "Open or final",
    "condition": "Condition",
    "condition_state": "Condition met?",
    "summit": "Meeting",
    "declaration": "Declaration",
    "status_changed": "Current status took effect between",
    "value_date": "Money value date between",
    "updated_since": "Record changed since (ISO 8601 time)",
    "top_level": "Shares of larger pledges",
    "ordering": "Order by",
}
LAID_OUT_FILTERS = frozenset(READER_LABELS)
# Plain values the FilterSet's boolean fields read, whichever boolean field class they use.
YES_NO_CHOICES = {
    "open": [("", "Open and final"), ("true", "Open only"), ("false", "Final only")],
    "top_level": [("", "Included"), ("true", "Left out (as in totals)"), ("false", "Only shares")],
}


def _pledge_filter_form(filterset):
    """The API's filter form, dressed for readers: same fields, names and validation."""
    form = filterset.form
    for name, label in READER_LABELS.items():
        if name in form.fields:
            form.fields[name].label = label
    for name in CHECKBOX_FILTERS:
        field = form.fields[name]
        field.widget = forms.CheckboxSelectMultiple()
        field.widget.choices = field.choices
    for name in DATE_FILTERS:
        for widget in form.fields[name].widget.widgets:
            widget.input_type = "date"
    for name, choices in YES_NO_CHOICES.items():
        form.fields[name].widget = forms.Select(choices=choices)
    for field in form.fields.values():
        if isinstance(field, forms.DateField):  # e.g. the API's as_of
            field.widget.input_type = "date"
    ordering = form.fields["ordering"]
    ordering.empty_label = "Newest status first"
    ordering.choices = [choice for choice in ordering.choices if choice[0]]  # re-adds the empty choice
    form.fields["summit"].empty_label = "Any meeting"
    form.fields["declaration"].empty_label = "Any declaration"
    return form


@public_read
def pledge_list(request):
    queryset = Pledge.objects.with_related().order_by(*NEWEST_STATUS_FIRST)
    filterset = PledgeFilterSet(request.GET, queryset=queryset, request=request)
    form = _pledge_filter_form(filterset)
    context = {
        "form": form,
        # Filters the FilterSet gains later (the template lays out the ones it knows) still show.
        "other_fields": [form[name] for name in form.fields if name not in LAID_OUT_FILTERS],
        "page": None,
        "active": any(v for k, v in request.GET.items() if k != "page"),
    }
    if not filterset.is_valid():
        # Same rule as the API: a filter that cannot be understood is an error, never an unfiltered list.
        return render(request, "commitments/pledge_list.html", context, status=400)
    paginator = Paginator(filterset.qs, PLEDGES_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        context["page_error"] = "The page number must be a whole number."
        return render(request, "commitments/pledge_list.html", context, status=400)
    except EmptyPage:
        raise Http404("There is no such page of pledges.") from None
    context["page"] = page
    return render(request, "commitments/pledge_list.html", context)


@public_read
def pledge_detail(request, pk: int):
    pledge = get_object_or_404(
        Pledge.objects.with_related().prefetch_related(
            "status_changes__source",
            Prefetch("shares", queryset=Pledge.objects.prefetch_related("pledgers")),
        ),
        pk=pk,
    )
    return render(
        request,
        "commitments/pledge_detail.html",
        {"pledge": pledge, "admin_url": admin_link(request, pledge)},
    )


# ---------------------------------------------------------------------------------------------
# Summits, declarations, parties


@public_read
def summit_detail(request, pk: int):
    summit = get_object_or_404(Summit.objects.prefetch_related("hosts"), pk=pk)
    reports = list(summit.attendance_reports.select_related("source").order_by("counted", "source__published_on"))
    # Sources disagree about head counts; show each source's count side by side, none preferred.
    sources = list(dict.fromkeys(report.source for report in reports))
    counts = []
    for counted in dict.fromkeys(report.counted for report in reports):
        by_source = {report.source_id: report for report in reports if report.counted == counted}
        counts.append(
            {
                "label": next(r for r in reports if r.counted == counted).get_counted_display(),
                "cells": [by_source.get(source.pk) for source in sources],
            }
        )
    context = {
        "summit": summit,
        # "attended" sorts after "absent": descending lists those present first.
        "attendances": summit.attendances.select_related("state", "source").order_by("-status", "state__name"),
        "sources": sources,
        "counts": counts,
        "declarations": summit.declarations.all(),
        "requirements": summit.force_requirements.all(),
        "pledges": summit.pledges.with_related(),
        "citations": summit.citations.select_related("source"),
        "admin_url": admin_link(request, summit),
    }
    return render(request, "commitments/summit_detail.html", context)


@public_read
def declaration_detail(request, pk: int):
    declaration = get_object_or_404(
        Declaration.objects.select_related("summit", "supersedes").prefetch_related("superseded_by"), pk=pk
    )
    parties = list(declaration.parties.select_related("state", "source").order_by("state__name"))
    context = {
        "declaration": declaration,
        "signatories": [p for p in parties if p.role == PartyRole.SIGNATORY],
        "endorsers": [p for p in parties if p.role == PartyRole.ENDORSER],
        "components": declaration.components.select_related("source"),
        "requirements": declaration.force_requirements.all(),
        "pledges": declaration.pledges.with_related(),
        "citations": declaration.citations.select_related("source"),
        "admin_url": admin_link(request, declaration),
    }
    return render(request, "commitments/declaration_detail.html", context)


@public_read
def state_detail(request, code: str):
    if code != code.upper():
        return redirect("pages:state", code=code.upper(), permanent=True)
    state = get_object_or_404(State, code=code)
    pledges = Pledge.objects.by_state(code)
    context = {
        "state": state,
        "figures": pledges.totals(),
        "pledges": pledges.with_related().order_by(*NEWEST_STATUS_FIRST),
        "attendances": state.attendances.select_related("summit").order_by("summit__date"),
        "declaration_parties": DeclarationParty.objects.filter(state=state)
        .select_related("declaration")
        .order_by("declaration__date"),
        "hosted": state.hosted_summits.all(),
        "admin_url": admin_link(request, state),
    }
    return render(request, "commitments/state_detail.html", context)


@public_read
def state_list(request):
    rows = {row["state__code"]: row for row in Pledge.objects.all().totals_by_pledger()}
    states = [
        {"state": state, "totals": rows.get(state.code)}
        for state in State.objects.all()  # ordered by name
    ]
    return render(request, "commitments/state_list.html", {"states": states})


@public_read
def summit_list(request):
    return render(
        request,
        "commitments/summit_list.html",
        {"summits": Summit.objects.prefetch_related("hosts").order_by("-date", "slug")},
    )


@public_read
def declaration_list(request):
    return render(
        request,
        "commitments/declaration_list.html",
        {"declarations": Declaration.objects.select_related("summit").order_by("-date", "slug")},
    )
