"""How amounts and troop ranges are written for people, the same in the admin, the public pages and
anywhere else. A vague quantity stays words: nothing here turns "thousands" into a number."""

from decimal import Decimal

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def compact_money(amount, currency: str) -> str:
    """'€2.0 bn', '$500.0 m', 'NOK 250,000': the scale a reader takes in at a glance."""
    amount = Decimal(amount)
    symbol = CURRENCY_SYMBOLS.get(currency)
    prefix = symbol if symbol else f"{currency} "
    if abs(amount) >= 1_000_000_000:
        return f"{prefix}{amount / 1_000_000_000:,.1f} bn"
    if abs(amount) >= 1_000_000:
        return f"{prefix}{amount / 1_000_000:,.1f} m"
    return f"{prefix}{amount:,.0f}"


def troop_range(low, high) -> str:
    """A troop range from its two ends, either of which may be unknown: '15,000–30,000 troops'."""
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        return f"{low:,} troops" if low == high else f"{low:,}–{high:,} troops"
    if low is not None:
        return f"at least {low:,} troops"
    return f"up to {high:,} troops"


def short_label(label) -> str:
    """A choice's label without its explanation in brackets: 'Proposed (in a draft…)' → 'Proposed'.
    Lists show it; the whole label goes beside it as help (a title, the filter's legend)."""
    return str(label).split(" (")[0]
