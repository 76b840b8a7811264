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


@register.filter
def eur(value) -> str:
    """A euro sum as a reader takes it in at a glance: €2.0 bn, €350 m, €12,500."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if abs(value) >= 1_000_000_000:
        return f"€{value / 1_000_000_000:.1f} bn"
    if abs(value) >= 1_000_000:
        millions = value / 1_000_000
        return f"€{millions:.1f} m" if millions < 100 else f"€{millions:.0f} m"
    return f"€{grouped(value)}"


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

    Stands in for `Pledge.quantity_summary()` (written alongside the admin) until both meet."""
    parts = []
    if pledge.troops_min is not None or pledge.troops_max is not None:
        parts.append(troops(pledge.troops_min, pledge.troops_max))
    if pledge.amount is not None:
        if pledge.currency == "EUR" or pledge.amount_eur is None:
            parts.append(eur(pledge.amount) if pledge.currency == "EUR" else money(pledge.amount, pledge.currency))
        else:
            parts.append(f"{money(pledge.amount, pledge.currency)} ({eur(pledge.amount_eur)})")
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
