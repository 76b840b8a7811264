"""One search over the register: pledges, meetings, declarations, instruments and parties, each
kind searched by its own FilterSet's `q` (the API's text search, so a word finds the same records
on /search/ and on /api/<kind>/?q=), the results grouped by kind."""

from dataclasses import dataclass

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy

from .. import filtersets
from ..models import Declaration, Instrument, Pledge, State, Summit
from .common import NEWEST_STATUS_FIRST, pledge_list_url, public_read

SHOWN_PER_KIND = 20  # the rest is one click away, on the kind's own list or the API


class SearchForm(forms.Form):
    q = forms.CharField(label=_lazy("Search the register"), max_length=200, required=False)


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    filterset: type
    queryset: object
    lists_all: bool = False  # the pledge list takes the same `q`: it shows every match


def kinds() -> list[Kind]:
    return [
        Kind(
            "pledges",
            _lazy("Pledges"),
            filtersets.PledgeFilterSet,
            Pledge.objects.with_related().order_by(*NEWEST_STATUS_FIRST),
            lists_all=True,
        ),
        Kind("summits", _lazy("Meetings"), filtersets.SummitFilterSet, Summit.objects.order_by("-date", "title")),
        Kind(
            "declarations",
            _lazy("Declarations"),
            filtersets.DeclarationFilterSet,
            Declaration.objects.order_by("-date", "title"),
        ),
        Kind("instruments", _lazy("Instruments"), filtersets.InstrumentFilterSet, Instrument.objects.order_by("name")),
        Kind("states", _lazy("Parties"), filtersets.StateFilterSet, State.objects.order_by("name")),
    ]


def link(kind: str, record) -> str:
    match kind:
        case "summits":
            return reverse("pages:summit", args=[record.pk])
        case "declarations":
            return reverse("pages:declaration", args=[record.pk])
        case "instruments":
            return reverse("pages:instrument", args=[record.slug])
        case "states":
            return reverse("pages:state", args=[record.code])
    return reverse("pages:pledge", args=[record.pk])


@public_read
def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "groups": [], "q": ""}
    if not form.is_valid():
        return render(request, "commitments/search.html", context, status=400)
    q = form.cleaned_data["q"]
    context["q"] = q
    if not q:
        return render(request, "commitments/search.html", context)
    for kind in kinds():
        filterset = kind.filterset({"q": q}, queryset=kind.queryset, request=request)
        if not filterset.is_valid():  # the same rules as the API's `q`: the first refusal is the answer
            form.add_error("q", [str(m) for messages in filterset.errors.values() for m in messages])
            return render(request, "commitments/search.html", context, status=400)
        matches = filterset.qs
        count = matches.count()
        shown = list(matches[:SHOWN_PER_KIND])
        context["groups"].append(
            {
                "key": kind.key,
                "title": kind.title,
                "count": count,
                "shown": shown,
                "records": [(record, link(kind.key, record)) for record in shown],
                "name_field": "name" if kind.key in ("instruments", "states") else "title",
                "more": pledge_list_url(q=q) if kind.lists_all and count > len(shown) else "",
            }
        )
    context["total"] = sum(group["count"] for group in context["groups"])
    return render(request, "commitments/search.html", context)
