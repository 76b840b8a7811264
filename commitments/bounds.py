"""The bounds every input is held to, wherever it comes from (the API, the admin, the CSV import,
the filters of the API, the pages and the exports): the same check and the same words, so that a
dry run refuses whatever the real run would, and nothing reaches the database that it would refuse.

- Text: no NUL character (PostgreSQL cannot store or compare one).
- Times: a UTC offset among those in use, −12:00 to +14:00 (PostgreSQL refuses ±16:00 and beyond;
  anything past the real ones is a typing mistake), and a date between the register's bounds.
- Numbers: the model fields' own digits and ranges (Django's validators), checked before arithmetic.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

NUL = "\x00"
# The messages in English (the texts tests and callers compare), translated where raised.
NUL_MESSAGE = gettext_noop("Null characters are not allowed.")
EARLIEST_OFFSET = -datetime.timedelta(hours=12)
LATEST_OFFSET = datetime.timedelta(hours=14)
OFFSET_MESSAGE = gettext_noop("A UTC offset lies between −12:00 and +14:00.")
RANGE_MESSAGE = gettext_noop("A time between the years 1 and 9999 in UTC.")


def check_text(value: str) -> None:
    if NUL in value:
        raise ValidationError(gettext(NUL_MESSAGE), code="null_characters_not_allowed")


def check_time(moment: datetime.datetime) -> None:
    """A time the database can store and compare: its UTC offset among those in use, and the
    moment itself within years 1–9999 once moved to UTC."""
    offset = moment.utcoffset()
    if offset is not None and not (EARLIEST_OFFSET <= offset <= LATEST_OFFSET):
        raise ValidationError(gettext(OFFSET_MESSAGE), code="utc_offset")
    if offset is not None:
        try:  # 0001-01-01T00:00+01:00 is a time before year 1 in UTC, which nothing can store
            moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(gettext(RANGE_MESSAGE), code="time_range") from None
