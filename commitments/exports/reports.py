"""The summary report: totals by state, category, status and summit, and the force requirement gap."""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop

from .. import models
from ..choices import Category, Status
from ..models.instruments import requirement_gap
from .columns import Column

# Every figure comes from PledgeQuerySet (totals, totals_by, totals_by_pledger), the one place
# that computes totals, so the report, the overview and the state pages agree (tested). Only the
# column names differ, and they stay: they are a promise to the report writers' spreadsheets.
FIGURES = (
    ("pledges", "integer", gettext_noop("Top-level pledges in the group (shares of a larger pledge are left out).")),
    ("troop_pledges", "integer", gettext_noop("Of those, pledges giving a troop figure (the ones in the sums).")),
    (
        "troops_min",
        "integer",
        gettext_noop("Sum of the lower troop figures ('up to N' adds 0); blank when no pledge gives a troop figure."),
    ),
    (
        "troops_max",
        "integer",
        gettext_noop(
            "Sum of the upper troop figures; blank when no pledge gives a troop figure, or when one gives only a "
            "lower one ('at least N': no upper bound is known)."
        ),
    ),
    (
        "troop_pledges_unquantified",
        "integer",
        gettext_noop("Pledges in the troops category giving no figure ('thousands of troops'): not in the sums."),
    ),
    ("money_pledges", "integer", gettext_noop("Pledges of money (funding category, or giving an amount).")),
    ("amount_eur", "decimal", gettext_noop("Sum of the euro amounts; blank when no pledge gives one.")),
    ("money_pledges_without_eur", "integer", gettext_noop("Money pledges with no euro amount (not in the sum).")),
)
FIGURE_NAMES = tuple(name for name, _, _ in FIGURES)
# Summary column -> PledgeQuerySet figure, where the names differ.
FROM_QUERYSET = {"troops_min": "troops_low", "troops_max": "troops_high", "amount_eur": "eur"}
NO_PLEDGES = {name: 0 for name in FIGURE_NAMES} | {"troops_min": None, "troops_max": None, "amount_eur": None}


def _figures(values: dict | None) -> dict:
    """A group's figures under the summary's column names; a group without pledges has counts of
    0 and unknown sums."""
    if values is None:
        return {**NO_PLEDGES, "eur_pledges": 0, "troop_pledges_open_ended": 0}
    figures = {name: values[FROM_QUERYSET.get(name, name)] for name in FIGURE_NAMES}
    figures["eur_pledges"] = values["eur_pledges"]
    figures["troop_pledges_open_ended"] = values["troop_pledges_open_ended"]
    return figures


def summary(queryset=None) -> dict:
    """Totals by state, category, status and summit, the grand total, and each force
    requirement against the troops pledged.

    `queryset` is the pledges the caller selected (e.g. filtered by PledgeFilterSet); shares are
    always left out, since the pledge they are part of already counts them. A joint pledge
    counts in the row of each of its pledgers, and once in every other row and in the total."""
    pledges = models.Pledge.objects.all() if queryset is None else queryset

    everything = pledges.totals()
    total = _figures(everything)
    by_state = [
        {"key": row["code"], "label": row["name"], **_figures(row)}
        for row in sorted(pledges.totals_by_pledger(), key=lambda row: row["code"])
    ]

    def grouped(field: str, choices) -> list[dict]:
        found = pledges.totals_by(field)
        # The choices' labels are translatable (lazy): the report holds the text, in the active language.
        return [{"key": code, "label": str(label), **_figures(found.get(code))} for code, label in choices]

    summits = {s.slug: s for s in models.Summit.objects.order_by("date", "slug")}
    found = pledges.totals_by("summit__slug")
    by_summit = [
        {"key": slug, "label": summit.title, **_figures(found[slug])}
        for slug, summit in summits.items()
        if slug in found
    ]
    if None in found:
        by_summit.append({"key": "", "label": "(no summit)", **_figures(found[None])})

    requirements = []
    for req in models.ForceRequirement.objects.select_related("instrument").order_by("slug"):
        # A requirement an instrument must meet is set against the pledges that contribute to that
        # instrument; one of no instrument against every pledge selected.
        figures = pledges.filter(contributes_to=req.instrument_id).totals() if req.instrument_id else everything
        gap = requirement_gap(req, figures)
        requirements.append(
            {
                "key": req.slug,
                "label": req.title,
                "instrument": req.instrument.slug if req.instrument_id else "",
                "requirement_min": req.troops_min,
                "requirement_max": req.troops_max,
                **_figures(figures),
                "gap_min": gap["gap_min"],
                "gap_max": gap["gap_max"],
            }
        )

    return {
        "generated_at": timezone.now(),
        "currency": "EUR",
        "total": total,
        "by_state": by_state,
        "by_category": grouped("category", Category.choices),
        "by_status": grouped("status", Status.choices),
        "by_summit": by_summit,
        "force_requirements": requirements,
    }


SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("section", "code", gettext_noop("total, by_state, by_category, by_status, by_summit or force_requirement.")),
    Column(
        "key",
        "code",
        gettext_noop("State code, category, status, summit slug or requirement slug; blank for the total."),
    ),
    Column("label", "text", gettext_noop("Its name.")),
    *(Column(name, kind, description) for name, kind, description in FIGURES),
    Column("requirement_min", "integer", gettext_noop("Force requirement rows: lower end of the troops required.")),
    Column("requirement_max", "integer", gettext_noop("Force requirement rows: upper end of the troops required.")),
    Column(
        "gap_min",
        "integer",
        gettext_noop(
            "requirement_min − troops_min: troops missing at the low end (negative: surplus); blank when either is."
        ),
    ),
    Column(
        "gap_max",
        "integer",
        gettext_noop(
            "requirement_max − troops_max: troops missing at the high end (negative: surplus); blank when either is."
        ),
    ),
    Column("eur_pledges", "integer", gettext_noop("Pledges giving a euro amount: the ones in amount_eur.")),
    Column(
        "troop_pledges_open_ended",
        "integer",
        gettext_noop(
            "Pledges giving only a lower troop figure ('at least N'): while there is one, troops_max is blank."
        ),
    ),
    Column(
        "instrument",
        "code",
        gettext_noop(
            "Force requirement rows: slug of the instrument that must meet it, whose contributing pledges the row "
            "counts; blank: the requirement is set against every pledge selected."
        ),
    ),
)


def summary_rows(report: dict) -> Iterator[list]:
    """The summary as one table (SUMMARY_COLUMNS), section by section."""
    names = [c.name for c in SUMMARY_COLUMNS]

    def row(section: str, values: dict) -> list:
        return [section if n == "section" else values.get(n) for n in names]

    yield row("total", {"key": "", "label": "All pledges (each counted once)", **report["total"]})
    for section in ("by_state", "by_category", "by_status", "by_summit"):
        for values in report[section]:
            yield row(section, values)
    for values in report["force_requirements"]:
        yield row("force_requirement", values)


def summary_json(report: dict) -> dict:
    """The summary with decimals as strings (exact) and the time in ISO 8601."""

    def plain(value):
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(report)
