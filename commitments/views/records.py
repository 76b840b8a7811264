"""The pages of meetings, declarations and parties, and their index pages."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render

from ..choices import PartyRole
from ..models import Declaration, DeclarationParty, Pledge, Post, State, Statement, Summit
from .common import NEWEST_STATUS_FIRST, admin_link, public_read, statements

# Representatives and chairs as the pages show them: the post, its party and its holder (if named).
# A state's page lists its newest pledges up to this many (a party may have thousands at scale).
STATE_PLEDGES_LISTED = 100
POSTS = Post.objects.select_related("person", "state").order_by("state__name", "title")


@public_read
def summit_detail(request, pk: int):
    summit = get_object_or_404(
        Summit.objects.prefetch_related("hosts", "chairs", "organisers", Prefetch("chaired_by", queryset=POSTS)), pk=pk
    )
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
        "attendances": summit.attendances.select_related("state", "source")
        .prefetch_related(Prefetch("representatives", queryset=POSTS))
        .order_by("-status", "state__name"),
        "sources": sources,
        "counts": counts,
        "declarations": summit.declarations.all(),
        "requirements": summit.force_requirements.all(),
        "pledges": summit.pledges.with_related(),
        "citations": summit.citations.select_related("source"),
        # Said at the meeting, or about its outcome.
        "statements": statements(Statement.objects.filter(Q(summit=summit) | Q(summits=summit)).distinct()),
        "admin_url": admin_link(request, summit),
    }
    return render(request, "commitments/summit_detail.html", context)


@public_read
def declaration_detail(request, pk: int):
    declaration = get_object_or_404(
        Declaration.objects.select_related("summit", "supersedes").prefetch_related("superseded_by"), pk=pk
    )
    parties = list(
        declaration.parties.select_related("state", "source")
        .prefetch_related(Prefetch("representatives", queryset=POSTS))
        .order_by("state__name")
    )
    context = {
        "declaration": declaration,
        "signatories": [p for p in parties if p.role == PartyRole.SIGNATORY],
        "endorsers": [p for p in parties if p.role == PartyRole.ENDORSER],
        "components": declaration.components.select_related("source"),
        "requirements": declaration.force_requirements.all(),
        "pledges": declaration.pledges.with_related(),
        "citations": declaration.citations.select_related("source"),
        "instruments": declaration.instruments.all(),
        "statements": statements(Statement.objects.about(declaration)),
        "admin_url": admin_link(request, declaration),
    }
    return render(request, "commitments/declaration_detail.html", context)


@public_read
def state_detail(request, code: str):
    if code != code.upper():
        return redirect("pages:state", code=code.upper(), permanent=True)
    state = get_object_or_404(State, code=code)
    pledges = Pledge.objects.by_state(code)
    listed = list(pledges.with_related().order_by(*NEWEST_STATUS_FIRST)[: STATE_PLEDGES_LISTED + 1])
    context = {
        "state": state,
        "figures": pledges.totals(),
        # The newest first, a page of them: the pledge list (filtered by this party) has them all.
        "pledges": listed[:STATE_PLEDGES_LISTED],
        "more_pledges": len(listed) > STATE_PLEDGES_LISTED,
        "attendances": state.attendances.select_related("summit").order_by("summit__date"),
        "declaration_parties": DeclarationParty.objects.filter(state=state)
        .select_related("declaration")
        .order_by("declaration__date"),
        "hosted": state.hosted_summits.all(),
        "chaired": state.chaired_summits.all(),
        "organised": state.organised_summits.all(),
        "instrument_roles": state.instrument_roles.select_related("instrument", "source").order_by(
            "instrument__name", "role"
        ),
        "posts": state.posts.select_related("person").order_by("title", "slug"),
        # A party that pledges nothing may still speak.
        "statements": statements(state.statements.all()),
        "admin_url": admin_link(request, state),
    }
    return render(request, "commitments/state_detail.html", context)


@public_read
def state_list(request):
    rows = {row["code"]: row for row in Pledge.objects.all().totals_by_pledger()}
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
