"""How the public pages write numbers, dates and quantities for people.

A vague quantity stays words: nothing here turns "thousands of troops" into a number."""

import datetime
from decimal import Decimal

from django import template

from ..choices import DatePrecision, MonitoringRole, Status

register = template.Library()

EN_DASH = "–"


def grouped(number) -> str:
    """12500 -> '12,500' (no decimals shown when there are none)."""
    value = Decimal(number)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def compact_money(amount, currency: str) -> str:
    """'€2.0 bn', '$500.0 m', 'NOK 250,000': the scale a reader takes in at a glance (the same
    wording as the admin's quantity summary)."""
    amount = Decimal(amount)
    symbol = CURRENCY_SYMBOLS.get(currency)
    prefix = symbol if symbol else f"{currency} "
    if abs(amount) >= 1_000_000_000:
        return f"{prefix}{amount / 1_000_000_000:,.1f} bn"
    if abs(amount) >= 1_000_000:
        return f"{prefix}{amount / 1_000_000:,.1f} m"
    return f"{prefix}{amount:,.0f}"


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
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        if low == high:
            return f"{low:,} troops"
        return f"{low:,}{EN_DASH}{high:,} troops"
    if low is not None:
        return f"at least {low:,} troops"
    return f"up to {high:,} troops"


@register.filter
def quantity_summary(pledge) -> str:
    """What a pledge promises in one phrase: '15,000–30,000 troops', '€2.0 bn', 'lead monitoring
    role', 'thousands (unquantified)'. Empty when the pledge gives no quantity at all.

    Uses `Pledge.quantity_summary()` where the model has it (written alongside the admin); the
    same wording is built here until both branches meet."""
    method = getattr(pledge, "quantity_summary", None)
    if callable(method):
        return method()
    parts = []
    if pledge.troops_min is not None or pledge.troops_max is not None:
        parts.append(troops(pledge.troops_min, pledge.troops_max))
    if pledge.amount is not None:
        amount = compact_money(pledge.amount, pledge.currency)
        if pledge.currency != "EUR" and pledge.amount_eur is not None:
            amount += f" ({eur(pledge.amount_eur)})"
        parts.append(amount)
    if pledge.monitoring_role:
        role = f"{MonitoringRole(pledge.monitoring_role).label.lower()} monitoring role"
        parts.append(f"{role} ({pledge.monitoring_means})" if pledge.monitoring_means else role)
    if pledge.quantity_text:
        parts.append(f"{pledge.quantity_text} (unquantified)")
    return "; ".join(parts)


@register.filter
def short_label(label) -> str:
    """'Proposed (in a draft or a proposal; not agreed by the pledger)' -> 'Proposed'."""
    return str(label).split(" (")[0]


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
