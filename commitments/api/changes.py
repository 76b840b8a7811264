"""The change feed: every create, update and delete of the API's records, in the order they were
recorded, read from the django-simple-history audit trail (so deletions are included and
nothing extra is written on each save).

All audit tables are read in one UNION query ordered by (recorded at, stream, history id), a
total order; a cursor is the last entry's position in it. A row that belongs to a record and
changes what the record's address shows is reported as an update of that record: a citation of a
pledge, an instrument, a meeting or a text, an instrument's parties and force requirements, a
meeting's attendance and head counts, a text's parties and components, a person's posts. (A status
change saves its record, so it is an update already.)

The newest `API_CHANGES_SETTLE_SECONDS` are held back: an audit row carries the time its
transaction wrote it, not the time it committed, so a slow transaction can commit a row older
than one a client has already seen. Waiting a moment before serving lets such rows land first."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from rest_framework import exceptions

from .. import bounds
from .. import models as tracker
from .pagination import decode_cursor, encode_cursor

CHANGE_NAMES = {"+": "created", "~": "updated", "-": "deleted"}


@dataclass(frozen=True)
class Stream:
    number: int  # the sort key between tables: numbers compare alike in every database
    resource: str
    model: type
    lookup: str  # the field whose value goes in the resource's URL (a path through the parent for a part)
    object_id: str = "id"
    as_update: bool = False  # entries change their parent (e.g. the pledge), whatever happened to them

    def queryset(self):
        rows = self.model.history.model.objects.order_by()  # no per-table order inside a UNION
        if self.object_id != "id":
            rows = rows.filter(**{f"{self.object_id}__isnull": False})
        if "__" in self.lookup:
            rows = rows.filter(**{f"{self.lookup}__isnull": False})  # the parent still exists
        return rows.annotate(
            stream=Value(self.number, output_field=models.IntegerField()),
            resource=Value(self.resource, output_field=models.CharField()),
            object_id=Cast(F(self.object_id), models.BigIntegerField()),
            lookup=Cast(F(self.lookup), models.CharField(max_length=100)),
            change=Value("~", output_field=models.CharField()) if self.as_update else F("history_type"),
            at=F("history_date"),
            hid=F("history_id"),
        ).values("stream", "resource", "object_id", "lookup", "change", "at", "hid")


# The numbers are in clients' cursors: a new stream takes a new number, never an old one's.
STREAMS = (
    Stream(1, "pledge", tracker.Pledge, "id"),
    Stream(2, "pledge", tracker.Citation, "pledge_id", object_id="pledge_id", as_update=True),
    Stream(3, "state", tracker.State, "code"),
    Stream(4, "summit", tracker.Summit, "slug"),
    Stream(5, "declaration", tracker.Declaration, "slug"),
    Stream(6, "source", tracker.Source, "key"),
    Stream(7, "instrument", tracker.Instrument, "slug"),
    # A part's lookup is read through its parent (a join): a part of a deleted parent is left out,
    # the parent's own deletion being the entry that matters.
    Stream(8, "instrument", tracker.InstrumentParty, "instrument__slug", object_id="instrument_id", as_update=True),
    Stream(9, "instrument", tracker.Citation, "instrument__slug", object_id="instrument_id", as_update=True),
    Stream(10, "instrument", tracker.ForceRequirement, "instrument__slug", object_id="instrument_id", as_update=True),
    Stream(11, "person", tracker.Person, "slug"),
    Stream(12, "post", tracker.Post, "slug"),
    Stream(13, "person", tracker.Post, "person__slug", object_id="person_id", as_update=True),
    Stream(14, "statement", tracker.Statement, "slug"),
    Stream(15, "summit", tracker.Attendance, "summit__slug", object_id="summit_id", as_update=True),
    Stream(
        16, "declaration", tracker.DeclarationParty, "declaration__slug", object_id="declaration_id", as_update=True
    ),
    Stream(17, "summit", tracker.AttendanceReport, "summit__slug", object_id="summit_id", as_update=True),
    Stream(18, "summit", tracker.Citation, "summit__slug", object_id="summit_id", as_update=True),
    Stream(
        19, "declaration", tracker.DeclarationComponent, "declaration__slug", object_id="declaration_id", as_update=True
    ),
    Stream(20, "declaration", tracker.Citation, "declaration__slug", object_id="declaration_id", as_update=True),
)


def parse_since(raw: str | None) -> tuple[datetime.datetime, int, int] | None:
    """`since` is a cursor from a previous `next` link, or an ISO 8601 time or date (changes at
    or after it)."""
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        raise exceptions.ValidationError({"since": [gettext("Not a valid date or time.")]}) from None
    if moment is not None:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return bounded(moment), 0, 0
    at, stream, hid = decode_cursor(raw, 3, param="since")
    try:
        moment = parse_datetime(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None or not isinstance(stream, int) or not isinstance(hid, int) or not 0 <= hid < 2**63:
        raise exceptions.ValidationError(
            {"since": [gettext("Invalid cursor: use the `next` link of a previous page.")]}
        )
    return bounded(moment), stream, hid


def bounded(moment: datetime.datetime) -> datetime.datetime:
    """The time, if the database can compare it (`bounds.check_time`); else a 400 on `since`."""
    try:
        bounds.check_time(moment)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"since": exc.messages}) from None
    return moment


def after(position, stream: Stream) -> Q:
    at, stream_number, hid = position
    if stream.number > stream_number:
        return Q(history_date__gte=at)
    if stream.number < stream_number:
        return Q(history_date__gt=at)
    return Q(history_date__gt=at) | Q(history_date=at, history_id__gt=hid)


def read_changes(position, limit: int) -> list[dict]:
    """Up to `limit` entries after `position` (None: from the beginning), in one query."""
    settled = timezone.now() - datetime.timedelta(seconds=settings.API_CHANGES_SETTLE_SECONDS)
    parts = []
    for stream in STREAMS:
        rows = stream.queryset().filter(history_date__lte=settled)
        if position is not None:
            rows = rows.filter(after(position, stream))
        parts.append(rows)
    union = parts[0].union(*parts[1:], all=True).order_by("at", "stream", "hid")
    entries = list(union[:limit])
    for entry in entries:
        entry["change"] = CHANGE_NAMES[entry["change"]]
    return entries


def cursor_after(entry: dict) -> str:
    return encode_cursor([entry["at"], entry["stream"], entry["hid"]])
