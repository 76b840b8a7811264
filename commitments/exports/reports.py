"""The summary report: totals by state, category, status and summit, and the force requirement gap."""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import models
from ..choices import Category, Status
from .columns import Column

# The troop figures add up as PledgeQuerySet.totals() (the dashboard's headline) adds them, so the
# report and the public pages agree (tested): the low end sums troops_min (an "up to N" pledge adds
# nothing), the high end troops_max or, for an "at least N" pledge, N; a troop pledge is one giving
# a figure, and a pledge in the troops category giving none is counted beside the sums.
_TROOPS = Q(troops_min__isnull=False) | Q(troops_max__isnull=False)
_UNQUANTIFIED = Q(category=Category.TROOPS) & ~_TROOPS
# A money pledge is one in the funding category or giving an amount.
_MONEY = Q(category=Category.FUNDING) | Q(amount__isnull=False)
CENT = Decimal("0.01")
_ZERO_INT = Value(0, output_field=IntegerField())
_ZERO_EUR = Value(Decimal("0.00"), output_field=DecimalField(max_digits=20, decimal_places=2))


def _aggregates() -> dict:
    """The summary figures as aggregate expressions over pledges. Grouped by pledger, each
    (pledge, pledger) pair is one row, so a joint pledge counts once in each pledger's group."""
    # Prefixed, since an annotation may not share a field's name (troops_min).
    figures = {
        "pledges": Count("id"),
        "troop_pledges": Count("id", filter=_TROOPS),
        "troops_min": Coalesce(Sum("troops_min"), _ZERO_INT),
        "troops_max": Coalesce(Sum(Coalesce("troops_max", "troops_min")), _ZERO_INT),
        "troop_pledges_unquantified": Count("id", filter=_UNQUANTIFIED),
        "money_pledges": Count("id", filter=_MONEY),
        "amount_eur": Coalesce(Sum("amount_eur"), _ZERO_EUR),
        "money_pledges_without_eur": Count("id", filter=_MONEY & Q(amount_eur__isnull=True)),
    }
    return {f"fig_{name}": expression for name, expression in figures.items()}


FIGURES = (
    ("pledges", "integer", "Top-level pledges in the group (shares of a larger pledge are left out)."),
    ("troop_pledges", "integer", "Of those, pledges giving a troop figure (the ones in the sums)."),
    ("troops_min", "integer", "Sum of the lower troop figures (an 'up to N' pledge adds nothing)."),
    ("troops_max", "integer", "Sum of the upper troop figures (an 'at least N' pledge adds its N)."),
    (
        "troop_pledges_unquantified",
        "integer",
        "Pledges in the troops category giving no figure ('thousands of troops'): not in the sums.",
    ),
    ("money_pledges", "integer", "Pledges of money (funding category, or giving an amount)."),
    ("amount_eur", "decimal", "Sum of the euro amounts."),
    ("money_pledges_without_eur", "integer", "Money pledges with no euro amount (not in the sum)."),
)
FIGURE_NAMES = tuple(name for name, _, _ in FIGURES)


def _figures(values: dict) -> dict:
    figures = {name: values[f"fig_{name}"] for name in FIGURE_NAMES}
    # SQLite sums decimals as floats and drops the scale; always give cents.
    figures["amount_eur"] = Decimal(str(figures["amount_eur"])).quantize(CENT)
    return figures


def summary(queryset=None) -> dict:
    """Totals by state, category, status and summit, the grand total, and each force
    requirement against the troops pledged.

    `queryset` is the pledges the caller selected (e.g. filtered by PledgeFilterSet); shares are
    always left out, since the pledge they are part of already counts them. A joint pledge
    counts in the row of each of its pledgers, and once in every other row and in the total."""
    selected = models.Pledge.objects.all() if queryset is None else queryset
    pledges = models.Pledge.objects.filter(pk__in=selected.values("pk")).top_level().order_by()

    total = _figures(pledges.aggregate(**_aggregates()))

    by_state = [
        {"key": row["pledgers__code"], "label": row["pledgers__name"], **_figures(row)}
        for row in pledges.values("pledgers__code", "pledgers__name")
        .annotate(**_aggregates())
        .order_by("pledgers__code")
    ]

    def grouped(field: str, choices) -> list[dict]:
        found = {row[field]: row for row in pledges.values(field).annotate(**_aggregates()).order_by(field)}
        empty = {f"fig_{name}": 0 for name in FIGURE_NAMES} | {"fig_amount_eur": Decimal("0.00")}
        return [{"key": code, "label": label, **_figures(found.get(code, empty))} for code, label in choices]

    by_summit = []
    titles = dict(models.Summit.objects.values_list("slug", "title"))
    for row in (
        pledges.values("summit__slug", "summit__date")
        .annotate(**_aggregates())
        .order_by("summit__date", "summit__slug")
    ):
        slug = row["summit__slug"]
        by_summit.append(
            {"key": slug or "", "label": titles[slug] if slug else "(no summit)", **_figures(row)},
        )

    requirements = []
    for req in models.ForceRequirement.objects.select_related("summit").order_by("slug"):
        requirements.append(
            {
                "key": req.slug,
                "label": req.title,
                "requirement_min": req.troops_min,
                "requirement_max": req.troops_max,
                "troops_min": total["troops_min"],
                "troops_max": total["troops_max"],
                "troop_pledges_unquantified": total["troop_pledges_unquantified"],
                # Positive: troops still missing; negative: more pledged than required.
                "gap_min": None if req.troops_min is None else req.troops_min - total["troops_min"],
                "gap_max": None if req.troops_max is None else req.troops_max - total["troops_max"],
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
    Column("section", "code", "total, by_state, by_category, by_status, by_summit or force_requirement."),
    Column("key", "code", "State code, category, status, summit slug or requirement slug; blank for the total."),
    Column("label", "text", "Its name."),
    *(Column(name, kind, description) for name, kind, description in FIGURES),
    Column("requirement_min", "integer", "Force requirement rows: lower end of the troops required."),
    Column("requirement_max", "integer", "Force requirement rows: upper end of the troops required."),
    Column("gap_min", "integer", "requirement_min − troops_min: troops missing at the low end (negative: surplus)."),
    Column("gap_max", "integer", "requirement_max − troops_max: troops missing at the high end (negative: surplus)."),
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
            return value.astimezone(datetime.UTC).isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(report)
