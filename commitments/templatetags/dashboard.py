"""How the public pages write numbers, dates and quantities for people.

A vague quantity stays words: nothing here turns "thousands of troops" into a number."""

import datetime
from decimal import Decimal

from django import template

from ..choices import DatePrecision, Status
from ..formatting import compact_money, troop_range

register = template.Library()


def grouped(number) -> str:
    """12500 -> '12,500' (no decimals shown when there are none)."""
    value = Decimal(number)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


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
    return f"{grouped(value)} {currency}".strip()


@register.filter
def rate(value) -> str:
    """An exchange rate without its padding zeros: Decimal('1.20000000') -> '1.2'."""
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), "f")


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


@register.filter
def on_precision(value, precision=DatePrecision.DAY) -> str:
    """A date written with only as much as is known: '27 March 2025', 'March 2025', '2025',
    'week of 24 March 2025'."""
    if not isinstance(value, datetime.date):
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%B %Y}"
    day = f"{value.day} {value:%B %Y}"
    if precision == DatePrecision.WEEK:
        return f"week of {day}"
    return day
