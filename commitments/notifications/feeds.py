"""Atom feeds of the published changes (Django's syndication framework): all of them, a state's
(the state, the pledges it made, the instruments it is a party to), a pledge's and an
instrument's. The latest 50 entries, newest first.

They read the audit trail through the same reader as the recent-changes page and the API's change
feed (`views.changes.audit_entries`, `described`), so a pending revision, which writes nothing to
the live tables' trail, is in no feed until a reviewer approves it. A status move is told in words
("Status of “…”: Announced → Under way (effective 5 May 2025), per …"), read from the record's
status history. The feeds follow the register's read rule (`access.may_read`), as the pages do."""

from collections import defaultdict

from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..api.changes import STREAMS
from ..choices import DatePrecision
from ..models import Instrument, InstrumentStatusChange, Pledge, State, StatusChange
from ..views.changes import audit_entries, described
from ..views.common import public_read

ENTRIES = 50
TAG_DATE = "2025"  # the tag URIs' date (RFC 4151): fixed, so an id never changes
# The streams of records with a status history: (stream number, history model, subject field).
STATUS_STREAMS = {1: (StatusChange, "pledge_id"), 7: (InstrumentStatusChange, "instrument_id")}
CHANGE_WORDS = {
    "created": _("%(kind)s “%(name)s” added"),
    "updated": _("%(kind)s “%(name)s” changed"),
    "deleted": _("%(kind)s “%(name)s” removed"),
}
KIND_WORDS = {
    "pledge": _("Pledge"),
    "party": _("Party"),
    "meeting": _("Summit"),
    "declaration": _("Declaration"),
    "source": _("Source"),
    "instrument": _("Instrument"),
    "person": _("Person"),
    "post": _("Post"),
    "statement": _("Statement"),
}


def status_name(model, status: str) -> str:
    """'Announced' for "announced": the choice's label up to its explanation."""
    choices = dict(model._meta.get_field("status").choices)
    return str(choices.get(status, status)).split(" (")[0]


def effective(change) -> str:
    fmt = {DatePrecision.YEAR: "Y", DatePrecision.MONTH: "F Y"}.get(change.effective_precision, "j F Y")
    return formats.date_format(change.effective_date, fmt)


def status_words(change, title: str) -> str:
    subject_model = type(change.subject) if change.subject is not None else Pledge
    values = {
        "title": title,
        "from": status_name(subject_model, change.from_status),
        "to": status_name(subject_model, change.to_status),
        "date": effective(change),
        "source": str(change.source) if change.source_id else gettext("an unnamed source"),
    }
    return gettext("Status of “%(title)s”: %(from)s → %(to)s (effective %(date)s), per %(source)s") % values


def details(entries: list[dict]) -> dict:
    """{(stream, history id): {"author": …, "status_change": …}} for the entries: one query per
    kind of audit row among them, and one per status history for the status moves."""
    streams = {stream.number: stream for stream in STREAMS}
    wanted = defaultdict(set)
    for entry in entries:
        wanted[entry["stream"]].add(entry["hid"])
    found = {}
    moves = defaultdict(list)  # status stream -> [(key, subject id, from, to, effective, at)]
    for number, hids in wanted.items():
        history = streams[number].model.history.model
        rows = history.objects.filter(history_id__in=hids)
        fields = ["history_id", "history_user__username", "history_date"]
        if number in STATUS_STREAMS:
            earlier = history.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
                "-history_date", "-history_id"
            )
            rows = rows.annotate(before=Subquery(earlier.values("status")[:1]))
            fields += ["id", "status", "status_changed_on", "before", "history_type"]
        for row in rows.values(*fields):
            key = (number, row["history_id"])
            found[key] = {"author": row["history_user__username"] or "", "status_change": None}
            if number in STATUS_STREAMS and row["history_type"] == "~" and row["before"] not in (None, row["status"]):
                moves[number].append(
                    (key, row["id"], row["before"], row["status"], row["status_changed_on"], row["history_date"])
                )
    for number, rows in moves.items():
        model, subject = STATUS_STREAMS[number]
        changes = defaultdict(list)
        for change in model.objects.filter(**{f"{subject}__in": {row[1] for row in rows}}).select_related(
            "source", subject.removesuffix("_id")
        ):
            changes[getattr(change, subject)].append(change)
        for key, subject_id, before, after, on, at in rows:
            # The step this audit row recorded: that move, on that date, entered by then (the latest such).
            matching = [
                change
                for change in changes[subject_id]
                if (change.from_status, change.to_status, change.effective_date) == (before, after, on)
                and change.recorded_at <= at
            ]
            if matching:
                found[key]["status_change"] = max(matching, key=lambda change: change.sequence)
    return found


class ChangesFeed(Feed):
    """Every published change."""

    feed_type = Atom1Feed
    scope_name = "changes"

    def __call__(self, request, *args, **kwargs):
        self.host = request.get_host().split(":")[0]
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return None

    def scope(self, obj) -> dict | None:
        return None

    def title(self, obj):
        return gettext("Security guarantees for Ukraine: all changes")

    def subtitle(self, obj):
        return gettext("The latest changes published in the register.")

    def link(self, obj):
        return reverse("pages:changes")

    def feed_guid(self, obj):
        return f"tag:{self.host},{TAG_DATE}:feeds/{self.scope_name}"

    def feed_url(self, obj):
        return None  # Django then uses the request's URL for the rel="self" link

    def items(self, obj):
        entries = list(audit_entries(self.scope(obj))[:ENTRIES])
        extra = details(entries)
        rows = described(entries)
        for entry, row in zip(entries, rows, strict=True):
            row.update(extra.get((entry["stream"], entry["hid"]), {"author": "", "status_change": None}))
            row["key"] = (entry["stream"], entry["hid"])
        return rows

    def item_title(self, item):
        if item["status_change"] is not None:
            return status_words(item["status_change"], item["name"])
        kind = KIND_WORDS.get(item["kind"], item["kind"])
        return CHANGE_WORDS[item["change"]] % {"kind": kind, "name": item["name"]}

    def item_description(self, item):
        change = item["status_change"]
        if change is not None:
            return change.note
        return self.item_title(item)

    def item_link(self, item):
        return item["href"] or reverse("pages:changes")

    def item_guid(self, item):
        stream, hid = item["key"]
        return f"tag:{self.host},{TAG_DATE}:change/{stream}/{hid}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item["at"]

    def item_pubdate(self, item):
        return item["at"]

    def item_author_name(self, item):
        return item["author"] or None


class StateFeed(ChangesFeed):
    """A state's changes: the state's own record, the pledges it made (alone or with others) and
    the instruments it is a party to."""

    scope_name = "states"

    def get_object(self, request, code):
        return get_object_or_404(State, code=code)

    def scope(self, state):
        return {
            "state": {state.pk},
            "pledge": set(Pledge.objects.filter(pledgers=state).values_list("pk", flat=True)),
            "instrument": set(Instrument.objects.filter(parties__state=state).values_list("pk", flat=True)),
        }

    def feed_guid(self, state):
        return f"tag:{self.host},{TAG_DATE}:feeds/states/{state.code}"

    def title(self, state):
        return gettext("Security guarantees for Ukraine: changes for %(state)s") % {"state": state}

    def link(self, state):
        return reverse("pages:state", args=[state.code])


class PledgeFeed(ChangesFeed):
    def get_object(self, request, pk):
        return get_object_or_404(Pledge, pk=pk)

    def scope(self, pledge):
        return {"pledge": {pledge.pk}}

    def feed_guid(self, pledge):
        return f"tag:{self.host},{TAG_DATE}:feeds/pledges/{pledge.pk}"

    def title(self, pledge):
        return gettext("Security guarantees for Ukraine: changes of the pledge “%(title)s”") % {"title": pledge}

    def link(self, pledge):
        return reverse("pages:pledge", args=[pledge.pk])


class InstrumentFeed(ChangesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Instrument, slug=slug)

    def scope(self, instrument):
        return {"instrument": {instrument.pk}}

    def feed_guid(self, instrument):
        return f"tag:{self.host},{TAG_DATE}:feeds/instruments/{instrument.slug}"

    def title(self, instrument):
        return gettext("Security guarantees for Ukraine: changes of the instrument “%(title)s”") % {"title": instrument}

    def link(self, instrument):
        return reverse("pages:instrument", args=[instrument.slug])


def view(feed_class):
    """The feed as a view, under the read rule: a new feed object per request (it keeps the
    request's host for its ids, which a shared object would mix between threads)."""

    def serve(request, *args, **kwargs):
        return feed_class()(request, *args, **kwargs)

    serve.__name__ = serve.__qualname__ = f"{feed_class.__name__}_view"
    return public_read(serve)


changes_feed = view(ChangesFeed)
state_feed = view(StateFeed)
pledge_feed = view(PledgeFeed)
instrument_feed = view(InstrumentFeed)

FEED_ROUTES = {
    "state": ("feeds:state", "code"),
    "pledge": ("feeds:pledge", "pk"),
    "instrument": ("feeds:instrument", "slug"),
}


def feed_links(request) -> dict:
    """Template context: the Atom feeds a page offers (<link rel="alternate"> in base.html): all
    changes on every page, and the record's own on a state's, a pledge's or an instrument's page."""
    links = [{"title": gettext("All changes (Atom)"), "href": reverse("feeds:changes")}]
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "pages" and match.url_name in FEED_ROUTES:
        name, kwarg = FEED_ROUTES[match.url_name]
        if kwarg in match.kwargs:
            links.append(
                {"title": gettext("Changes of this page (Atom)"), "href": reverse(name, args=[match.kwargs[kwarg]])}
            )
    return {"feed_links": links}
