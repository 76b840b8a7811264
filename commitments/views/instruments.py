"""The instruments the pledges build: their list, and one page per instrument with its status
timeline, parties, contributions, force requirement against quantified contributions, texts,
statements and sources."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .. import charts
from ..choices import InstrumentRole
from ..models import Instrument, InstrumentStatusChange, Statement
from ..templatetags.dashboard import troops
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
        {"role": role, "label": label, "parties": [p for p in parties if p.role == role]}
        for role, label in InstrumentRole.choices
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
        charts.Bar(label="Contributed in numbers", low=figures["troops_low"], high=figures["troops_high"], text=pledged)
    ]
    for row in requirements:
        requirement = row["requirement"]
        label = "Required" if len(requirements) == 1 else f"Required: {requirement.title}"
        bars.append(
            charts.Bar(
                label=label,
                low=requirement.troops_min,
                high=requirement.troops_max,
                text=troops(requirement.troops_min, requirement.troops_max) or "no figure given",
            )
        )
    return charts.bar_chart(
        "chart-requirement",
        bars,
        title=f"Troops contributed to {instrument.name} against its requirement",
        description=f"Contributed in numbers: {pledged}. "
        + "; ".join(f"Required ({row['requirement'].title}): {row['required_text']}" for row in requirements),
    )
