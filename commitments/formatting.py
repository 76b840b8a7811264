"""How amounts, troop ranges and dates are written for people, the same in the admin, the public
pages and anywhere else, in the reader's language (docs/i18n.md): the separators are Django's
formats of the active language (English 12,500.5; Ukrainian 12 500,5 with a non-breaking space),
the month names Django's translations. A vague quantity stays words: nothing here turns
"thousands" into a number. Files and the API keep machine values (ISO dates, plain numbers)."""

import datetime
from decimal import Decimal

from django.utils import dateformat, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

# Django date formats per language (django.utils.dateformat; the names are Django's translations):
# "F" is a month's name, "E" its form after a day ("3 грудня 2026", where "F" says "грудень").
DATE_PATTERNS = {
    "en": {"day": "j F Y", "short": "j M Y", "month": "F Y", "short_month": "M Y", "month_name": "M", "year": "Y"},
    "uk": {"day": "j E Y", "short": "j E Y", "month": "F Y", "short_month": "M Y", "month_name": "M", "year": "Y"},
}


def language() -> str:
    """The active language's base code ('en', 'uk')."""
    return (translation.get_language() or "en").split("-")[0]


def grouped(number, decimals: int | None = None) -> str:
    """A number with the active language's separators, always grouped: 12500 -> '12,500' or
    '12 500'; `decimals` rounds to that many places (half to even, as Python's format does:
    Django's number_format only cuts)."""
    if decimals is not None:
        number = Decimal(number).quantize(Decimal(1).scaleb(-decimals))
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def written_date(value: datetime.date, style: str = "day") -> str:
    """A date in words in the active language: style 'day' ('3 December 2026', '3 грудня 2026'),
    'short' ('3 Dec 2026'), 'month' ('December 2026'), 'short_month' ('Dec 2026'), 'month_name'
    ('Dec'), 'year'."""
    patterns = DATE_PATTERNS.get(language(), DATE_PATTERNS["en"])
    return dateformat.format(value, patterns[style])


def compact_money(amount, currency: str) -> str:
    """'€2.0 bn', '$500.0 m', 'NOK 250,000': the scale a reader takes in at a glance."""
    amount = Decimal(amount)
    symbol = CURRENCY_SYMBOLS.get(currency)
    prefix = symbol if symbol else f"{currency} "
    if abs(amount) >= 1_000_000_000:
        return prefix + gettext("%(number)s bn") % {"number": grouped(amount / 1_000_000_000, 1)}
    if abs(amount) >= 1_000_000:
        return prefix + gettext("%(number)s m") % {"number": grouped(amount / 1_000_000, 1)}
    return f"{prefix}{grouped(amount, 0)}"


def troop_range(low, high) -> str:
    """A troop range from its two ends, either of which may be unknown: '15,000–30,000 troops'."""
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        if low == high:
            return ngettext("%(number)s troop", "%(number)s troops", low) % {"number": grouped(low)}
        return ngettext("%(low)s–%(high)s troop", "%(low)s–%(high)s troops", high) % {
            "low": grouped(low),
            "high": grouped(high),
        }
    if low is not None:
        return ngettext("at least %(number)s troop", "at least %(number)s troops", low) % {"number": grouped(low)}
    return ngettext("up to %(number)s troop", "up to %(number)s troops", high) % {"number": grouped(high)}


def short_label(label) -> str:
    """A choice's label without its explanation in brackets: 'Proposed (in a draft…)' → 'Proposed'.
    Lists show it; the whole label goes beside it as help (a title, the filter's legend)."""
    return str(label).split(" (")[0]
