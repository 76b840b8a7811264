"""The figures behind the overview's history and comparison charts, each read in one query and
shaped in Python so the same functions serve the seed's 32 pledges and 10,000.

- `status_over_time`: how many pledges stood in each status at the end of each period, replayed
  from the status history (`StatusChange`), top-level pledges only (as the totals count them).
- `party_by_category`: top-level pledges per party and category, a joint pledge in each of its
  pledgers' columns."""

import datetime
from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext

from .choices import Category, Status
from .formatting import written_date
from .models import Pledge, StatusChange

# The period of the time axis: months while they fit, then quarters, then years.
MONTHS_AT_MOST = 18
QUARTERS_AT_MOST = 24


def _period_start(day: datetime.date, months: int) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // months * months + 1, 1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _label(start: datetime.date, months: int) -> str:
    if months == 1:
        return written_date(start, "short_month")
    if months == 3:
        return gettext("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    return str(start.year)


def periods(first: datetime.date, last: datetime.date) -> tuple[int, list[datetime.date]]:
    """The period length in months (1, 3 or 12) and the start of every period from `first`'s to `last`'s."""
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    months = 1 if span <= MONTHS_AT_MOST else 3 if span <= QUARTERS_AT_MOST * 3 else 12
    starts, current = [], _period_start(first, months)
    while current <= last:
        starts.append(current)
        current = _add_months(current, months)
    return months, starts


def status_over_time(changes) -> dict:
    """`changes`: (pledge id, effective date, new status) in the order they happened. Returns
    `rows` (a label and the count per status of `statuses` at the end of each period, every
    period from the first change to the last), `statuses` (the labels, in the order of `Status`,
    only those ever reached) and `pledges` (how many pledges the history covers)."""
    changes = list(changes)
    if not changes:
        return {"rows": [], "statuses": [], "codes": [], "pledges": 0}
    months, starts = periods(changes[0][1], changes[-1][1])
    reached = {status for _, _, status in changes}
    codes = [status for status in Status.values if status in reached]
    current: dict[int, str] = {}
    rows, position = [], 0
    for start in starts:
        end = _add_months(start, months)
        while position < len(changes) and changes[position][1] < end:
            pledge, _, status = changes[position]
            current[pledge] = status
            position += 1
        counts = Counter(current.values())
        rows.append((_label(start, months), [counts.get(code, 0) for code in codes]))
    labels = [Status(code).label.split(" (")[0] for code in codes]
    return {"rows": rows, "statuses": labels, "codes": codes, "pledges": len(current)}


def status_changes_in_order(pledges=None):
    """The status history of the top-level pledges as `status_over_time` reads it (one query)."""
    pledges = pledges if pledges is not None else Pledge.objects.all()
    return (
        StatusChange.objects.filter(pledge__in=pledges.top_level().values("pk"))
        .order_by("effective_date", "pledge_id", "sequence")
        .values_list("pledge_id", "effective_date", "to_status")
    )


def party_by_category(pledges=None, *, most_parties: int = 10) -> dict:
    """Top-level pledges per party and category (one query): `parties` [(code, name)], the
    `most_parties` with most pledges; `categories` [(code, label)] that any of them pledged in;
    `counts` {(party index, category index): n}; `left_out`, how many parties are not shown."""
    pledges = pledges if pledges is not None else Pledge.objects.all()
    cells = (
        pledges.top_level()
        .values("pledgers__code", "pledgers__name", "category")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    by_party: dict[tuple[str, str], dict[str, int]] = {}
    for cell in cells:
        if cell["pledgers__code"] is None:
            continue
        by_party.setdefault((cell["pledgers__code"], cell["pledgers__name"]), {})[cell["category"]] = cell["n"]
    ranked = sorted(by_party, key=lambda party: (-sum(by_party[party].values()), party[1]))
    shown = ranked[:most_parties]
    used = {category for party in shown for category in by_party[party]}
    categories = [(code, label) for code, label in Category.choices if code in used]
    counts = {
        (p, c): by_party[party][code]
        for p, party in enumerate(shown)
        for c, (code, _) in enumerate(categories)
        if by_party[party].get(code)
    }
    return {"parties": shown, "categories": categories, "counts": counts, "left_out": len(ranked) - len(shown)}
