"""How the public pages write numbers, dates and quantities for people, in the reader's language
(commitments/formatting.py).

A vague quantity stays words: nothing here turns "thousands of troops" into a number."""

import datetime
from decimal import Decimal

from django import template
from django.utils.translation import gettext

from ..choices import DatePrecision, Status
from ..formatting import compact_money, grouped, troop_range, written_date

register = template.Library()


def amount_figure(number) -> str:
    """12500 -> '12,500' (Ukrainian '12 500'); no decimals shown when there are none."""
    value = Decimal(number)
    if value == value.to_integral_value():
        return grouped(int(value))
    return grouped(value, 2)


@register.filter
def eur(value) -> str:
    """A euro sum at a glance: €2.0 bn, €350.0 m, €12,500."""
    if value is None or value == "":
        return ""
    return compact_money(value, "EUR")


@register.filter
def money(value, currency: str = "") -> str:
    """An exact amount in its currency: '2,000,000,000 EUR'."""
    if value is None or value == "":
        return ""
    return f"{amount_figure(value)} {currency}".strip()


@register.filter
def rate(value) -> str:
    """An exchange rate without its padding zeros: Decimal('1.20000000') -> '1.2'."""
    if value is None or value == "":
        return ""
    text = format(Decimal(value).normalize(), "f")
    return grouped(Decimal(text)) if "." not in text else grouped(Decimal(text), len(text.split(".")[1]))


@register.simple_tag
def troops(low, high) -> str:
    """A troop range from its two ends, either of which may be unknown."""
    return troop_range(low, high)


@register.filter
def short_label(label) -> str:
    """'Proposed (in a draft or a proposal; not agreed by the pledger)' -> 'Proposed'."""
    return str(label).split(" (")[0]


@register.filter
def explained(label) -> str:
    """The words in a choice's brackets, or the label: 'Pending (condition not yet met)' ->
    'condition not yet met' (what a reader needs beside the condition, not a code word)."""
    text = str(label)
    return text[text.index(" (") + 2 : -1] if text.endswith(")") and " (" in text else text.lower()


@register.filter
def compact(value, currency: str = "EUR") -> str:
    """An amount at a glance in its own currency: '€2.0 bn', '$500.0 m'."""
    if value is None or value == "":
        return ""
    return compact_money(value, currency)


@register.filter
def field_words(name) -> str:
    """A field name as words: 'quantity_text' -> 'quantity text'."""
    return str(name).replace("_", " ")


@register.filter
def status_label(code) -> str:
    try:
        return short_label(Status(code).label)
    except ValueError:
        return str(code)


@register.filter(expects_localtime=True)
def on_precision(value, precision=DatePrecision.DAY) -> str:
    """A date written with only as much as is known: '27 March 2025', 'March 2025', '2025',
    'week of 24 March 2025' (Ukrainian: '27 березня 2025', 'березень 2025')."""
    if not isinstance(value, datetime.date):
        return ""
    if precision == DatePrecision.YEAR:
        return written_date(value, "year")
    if precision == DatePrecision.MONTH:
        return written_date(value, "month")
    day = written_date(value, "day")
    if precision == DatePrecision.WEEK:
        return gettext("week of %(day)s") % {"day": day}
    return day


@register.filter(expects_localtime=True)
def short_date(value) -> str:
    """A date in a table: '3 Dec 2026' (Ukrainian '3 грудня 2026')."""
    if not isinstance(value, datetime.date):
        return ""
    return written_date(value, "short")
