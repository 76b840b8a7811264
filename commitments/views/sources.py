"""The sources: their list, with the API's filters and how many facts each supports, and one page
per source with every fact it supports, grouped by the record the fact belongs to, each with the
phrase quoted and a link to that record's page.

Every model with a `source` (the `Sourced` facts, citations included) is one `Facts` entry of
`FACTS`; a test holds the list to `Source`'s reverse relations, so a new sourced model cannot be
left off these pages unnoticed."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ..filtersets import SourceFilterSet
from ..models import (
    Attendance,
    AttendanceReport,
    Citation,
    DeclarationComponent,
    DeclarationParty,
    InstrumentParty,
    InstrumentStatusChange,
    Post,
    Source,
    Statement,
    StatusChange,
)
from ..templatetags.content import localised
from ..templatetags.dashboard import on_precision, short_label
from .common import STATEMENT_ORDER, admin_link, public_read

SOURCES_PER_PAGE = 50
READER_LABELS = {
    "q": gettext_lazy("Title or publisher"),
    "kind": gettext_lazy("Kind"),
    "published": gettext_lazy("Published between"),
}


def _name(record, field: str = "name") -> str:
    """A record's name or title in the reader's language (its English where it has none)."""
    return localised(record, field)[0]


def _page(name: str, *args) -> str:
    return reverse(f"pages:{name}", args=args)


def _party_or_person(person, state) -> tuple[str, str | None]:
    """Who a post or a statement is of: the person's page where one is named, else the party's."""
    if person is not None:
        return person.name, _page("person", person.slug)
    if state is not None:
        return _name(state), _page("state", state.code)
    return _("Not named"), None


def _change(change) -> str:
    when = on_precision(change.effective_date, change.effective_precision)
    return _("Status %(from)s → %(to)s, with effect %(when)s") % {
        "from": short_label(change.get_from_status_display()),
        "to": short_label(change.get_to_status_display()),
        "when": when,
    }


# What a fact is about (the record and its page) and what it says, per model.
def _attendance(a) -> tuple:
    said = short_label(a.get_status_display()).lower()
    return (
        _name(a.summit, "title"),
        _page("summit", a.summit_id),
        f"{_name(a.state)}: {said}"
        + (_(", represented by %(who)s") % {"who": a.represented_by} if a.represented_by else ""),
    )


def _report(r) -> tuple:
    return _name(r.summit, "title"), _page("summit", r.summit_id), _("Head count: %(count)s") % {"count": r}


def _declaration_party(p) -> tuple:
    role = p.get_role_display().lower()
    return _name(p.declaration, "title"), _page("declaration", p.declaration_id), f"{_name(p.state)}: {role}"


def _component(c) -> tuple:
    return (
        _name(c.declaration, "title"),
        _page("declaration", c.declaration_id),
        _("Component %(number)s: %(text)s") % {"number": c.number, "text": c.text},
    )


def _instrument_party(p) -> tuple:
    role = short_label(p.get_role_display()).lower()
    return _name(p.instrument), _page("instrument", p.instrument.slug), f"{_name(p.state)}: {role}"


def _instrument_change(c) -> tuple:
    return _name(c.instrument), _page("instrument", c.instrument.slug), _change(c)


def _pledge_change(c) -> tuple:
    return _name(c.pledge, "title"), _page("pledge", c.pledge_id), _change(c)


def _post(p) -> tuple:
    name, href = _party_or_person(p.person, p.state)
    return name, href, f"{p.title}, {_name(p.state)}" if p.state_id else p.title


def _statement(s) -> tuple:
    name, href = _party_or_person(s.speaker, s.state)
    said = short_label(s.get_stance_display())
    when = on_precision(s.made_on, s.made_precision)
    return name, href, f"{said}{f', {when}' if when else ''}{f': {s.summary}' if s.summary else ''}"


def _requirement_page(requirement) -> str | None:
    if requirement.instrument_id:
        return _page("instrument", requirement.instrument.slug)
    if requirement.summit_id:
        return _page("summit", requirement.summit_id)
    if requirement.declaration_id:
        return _page("declaration", requirement.declaration_id)
    return None


# A citation supports one record (the `Citation.TARGETS`): what it is, its page, its group.
CITED = {
    "pledge": ("pledges", lambda c: (_name(c.pledge, "title"), _page("pledge", c.pledge_id))),
    "summit": ("meetings", lambda c: (_name(c.summit, "title"), _page("summit", c.summit_id))),
    "declaration": ("declarations", lambda c: (_name(c.declaration, "title"), _page("declaration", c.declaration_id))),
    "instrument": ("instruments", lambda c: (_name(c.instrument), _page("instrument", c.instrument.slug))),
    "force_requirement": (
        "requirements",
        lambda c: (c.force_requirement.title, _requirement_page(c.force_requirement)),
    ),
}


def _citation(c) -> tuple:
    target = next(name for name in CITED if getattr(c, f"{name}_id"))
    what, href = CITED[target][1](c)
    if c.field:
        return what, href, _("Supports its %(field)s") % {"field": c.field.replace("_", " ")}
    return what, href, _("Supports the record")


@dataclass(frozen=True)
class Facts:
    """The facts of one model a source supports, as the source's page lists them."""

    model: type
    related: tuple[str, ...]  # select_related: what `describe` reads
    order: tuple[str, ...]
    describe: Callable[[object], tuple[str, str | None, str]]  # (record, its page or None, the fact)
    group: str | Callable[[object], str]  # the group it is listed under (a citation's: its target's)


FACTS = (
    Facts(
        Citation,
        ("pledge", "summit", "declaration", "instrument", "force_requirement__instrument"),
        ("id",),
        _citation,
        lambda c: next(CITED[name][0] for name in CITED if getattr(c, f"{name}_id")),
    ),
    Facts(StatusChange, ("pledge",), ("pledge__title", "sequence"), _pledge_change, "pledges"),
    Facts(Attendance, ("summit", "state"), ("summit__date", "state__name"), _attendance, "meetings"),
    Facts(AttendanceReport, ("summit",), ("summit__date", "counted"), _report, "meetings"),
    Facts(
        DeclarationParty,
        ("declaration", "state"),
        ("declaration__title", "state__name"),
        _declaration_party,
        "declarations",
    ),
    Facts(DeclarationComponent, ("declaration",), ("declaration__title", "number"), _component, "declarations"),
    Facts(
        InstrumentParty, ("instrument", "state"), ("instrument__name", "state__name"), _instrument_party, "instruments"
    ),
    Facts(InstrumentStatusChange, ("instrument",), ("instrument__name", "sequence"), _instrument_change, "instruments"),
    Facts(Post, ("person", "state"), ("state__name", "title", "slug"), _post, "posts"),
    Facts(Statement, ("speaker", "state"), STATEMENT_ORDER, _statement, "statements"),
)
# The groups, in the order the page lists them (translated where shown).
GROUPS = {
    "pledges": gettext_noop("Pledges and their status changes"),
    "meetings": gettext_noop("Meetings: who attended, head counts"),
    "declarations": gettext_noop("Declarations: parties and components"),
    "instruments": gettext_noop("Instruments: parties and status changes"),
    "requirements": gettext_noop("Force requirements"),
    "posts": gettext_noop("People's posts"),
    "statements": gettext_noop("Statements"),
}


def with_fact_count(queryset):
    """Each source with `facts`: how many facts of every `FACTS` model cite it (one subquery each,
    so the list stays one query whatever the number of facts)."""
    total = Value(0, output_field=IntegerField())
    for facts in FACTS:
        counted = (
            facts.model.objects.filter(source=OuterRef("pk"))
            .order_by()
            .values("source")
            .annotate(n=Count("pk"))
            .values("n")
        )
        total = total + Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    return queryset.annotate(facts=total)


def _filter_form(filterset):
    form = filterset.form
    for name, label in READER_LABELS.items():
        if name in form.fields:
            form.fields[name].label = label
    for widget in form.fields["published"].widget.widgets:
        widget.input_type = "date"
    kind = form.fields["kind"]
    kind.empty_label = _("Any kind")
    kind.choices = [choice for choice in kind.choices if choice[0]]  # re-adds the empty choice, relabelled
    return form


@public_read
def source_list(request):
    # Newest first, the undated last (SQLite and PostgreSQL order NULLs differently).
    queryset = with_fact_count(Source.objects.order_by(F("published_on").desc(nulls_last=True), "title", "key"))
    filterset = SourceFilterSet(request.GET, queryset=queryset, request=request)
    form = _filter_form(filterset)
    context = {
        "form": form,
        # Filters the FilterSet gains later (the template lays out the ones it knows) still show.
        "other_fields": [form[name] for name in form.fields if name not in READER_LABELS],
        "page": None,
        "active": any(v for k, v in request.GET.items() if k != "page"),
    }
    if not filterset.is_valid():
        # As on the pledge list and in the API: a filter that cannot be understood is an error.
        return render(request, "commitments/source_list.html", context, status=400)
    paginator = Paginator(filterset.qs, SOURCES_PER_PAGE)
    try:
        context["page"] = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        context["page_error"] = _("The page number must be a whole number.")
        return render(request, "commitments/source_list.html", context, status=400)
    except EmptyPage:
        raise Http404(_("There is no such page of sources.")) from None
    return render(request, "commitments/source_list.html", context)


@public_read
def source_detail(request, key: str):
    source = get_object_or_404(Source, key=key)
    groups = {name: [] for name in GROUPS}
    for facts in FACTS:  # one query per model
        rows = facts.model.objects.filter(source=source).select_related(*facts.related).order_by(*facts.order)
        for row in rows:
            record, href, fact = facts.describe(row)
            group = facts.group(row) if callable(facts.group) else facts.group
            groups[group].append(
                {"record": record, "href": href, "fact": fact, "quote": row.quote, "attribution": row.attribution}
            )
    context = {
        "source": source,
        "groups": [
            {"id": name, "heading": _(GROUPS[name]), "facts": rows}  # every group, in order
            for name, rows in groups.items()
            if rows
        ],
        "fact_count": sum(len(rows) for rows in groups.values()),
        "api_url": reverse("api:source-detail", args=[source.key]),
        "admin_url": admin_link(request, source),
    }
    return render(request, "commitments/source_detail.html", context)
