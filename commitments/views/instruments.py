"""The instruments the pledges build: their list, and one page per instrument with its status
timeline, parties, contributions, force requirement against quantified contributions, texts,
statements and sources."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from .. import charts
from ..choices import InstrumentRole
from ..models import Instrument, InstrumentStatusChange, Statement
from ..templatetags.content import localised
from ..templatetags.dashboard import short_label, troops
from .common import NEWEST_STATUS_FIRST, admin_link, no_contributions, public_read, requirement_rows, statements


@public_read
def instrument_list(request):
    instruments = (  # 3 queries: the instruments with their number of contributions, leads, requirements
        Instrument.objects.with_leads_and_contribution_count()
        .prefetch_related("force_requirements")
        .order_by("name", "slug")
    )
    figures = Instrument.objects.contribution_figures()  # 1 query
    rows = [
        {
            "instrument": instrument,
            "requirements": [
                requirement_rows(requirement, figures.get(instrument.pk) or no_contributions())
                for requirement in instrument.force_requirements.all()
            ],
        }
        for instrument in instruments
    ]
    return render(request, "commitments/instrument_list.html", {"rows": rows})


# A role's heading over its parties, in the singular or plural the language needs.
ROLE_HEADINGS = {
    InstrumentRole.LEAD: lambda n: npgettext("instrument role heading", "Lead", "Leads", n),
    InstrumentRole.PARTICIPANT: lambda n: npgettext("instrument role heading", "Participant", "Participants", n),
    InstrumentRole.CONTRIBUTOR: lambda n: npgettext("instrument role heading", "Contributor", "Contributors", n),
    InstrumentRole.SUPPORTER: lambda n: npgettext("instrument role heading", "Supporter", "Supporters", n),
}


def role_heading(role: str, label, count: int) -> str:
    """'Lead' or 'Leads', 'Contributors': a role's short name for `count` parties."""
    heading = ROLE_HEADINGS.get(role)
    return heading(count) if heading else short_label(label)


@public_read
def instrument_detail(request, slug: str):
    instrument = get_object_or_404(  # 6 queries: the instrument, parties, texts, requirements, citations, history
        Instrument.objects.with_related().prefetch_related(
            Prefetch(
                "status_changes",
                queryset=InstrumentStatusChange.objects.select_related("source").order_by("sequence"),
            )
        ),
        slug=slug,
    )
    parties = sorted(instrument.parties.all(), key=lambda party: party.state.name)
    roles = [
        {"role": role, "label": label, "parties": members, "heading": role_heading(role, label, len(members))}
        for role, label in InstrumentRole.choices
        if (members := [p for p in parties if p.role == role])
    ]
    citations = list(instrument.citations.all())
    figures = instrument.contribution_figures()  # 1 query
    requirements = [requirement_rows(r, figures) for r in instrument.force_requirements.all()]
    context = {
        "instrument": instrument,
        "roles": [row for row in roles if row["parties"]],
        "mandate_citations": [c for c in citations if c.field == "mandate"],
        "citations": citations,
        "figures": figures,
        "contributions": instrument.contributions.with_related().order_by(*NEWEST_STATUS_FIRST),  # 3 queries
        "requirements": requirements,
        "requirement_chart": requirement_chart(instrument, requirements, figures) if requirements else "",
        "declarations": sorted(instrument.declarations.all(), key=lambda d: (d.date is None, d.date, d.slug)),
        "statements": statements(Statement.objects.about(instrument)),  # 2 queries
        "admin_url": admin_link(request, instrument),
    }
    return render(request, "commitments/instrument_detail.html", context)


def requirement_chart(instrument, requirements: list[dict], figures: dict):
    """The troops contributed in numbers against each requirement, on one scale."""
    pledged = requirements[0]["pledged_text"]
    bars = [
        charts.Bar(
            label=_("Contributed in numbers"), low=figures["troops_low"], high=figures["troops_high"], text=pledged
        )
    ]
    for row in requirements:
        requirement = row["requirement"]
        label = _("Required") if len(requirements) == 1 else _("Required: %(title)s") % {"title": requirement.title}
        bars.append(
            charts.Bar(
                label=label,
                low=requirement.troops_min,
                high=requirement.troops_max,
                text=troops(requirement.troops_min, requirement.troops_max) or _("no figure given"),
            )
        )
    return charts.bar_chart(
        "chart-requirement",
        bars,
        title=_("Troops contributed to %(instrument)s against its requirement")
        % {"instrument": localised(instrument, "name")[0]},
        description=_("Contributed in numbers: %(pledged)s.") % {"pledged": pledged}
        + " "
        + "; ".join(
            _("Required (%(title)s): %(required)s")
            % {"title": row["requirement"].title, "required": row["required_text"]}
            for row in requirements
        ),
    )
