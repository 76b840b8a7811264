"""Recent changes: the published register's audit trail, newest first, a page at a time.

It reads the same audit streams as the API's change feed (`api.changes.STREAMS`): a citation,
a party or a head count reported as a change of the record it belongs to. With review on, a
pending edit is not in the audit trail of the live tables (docs/review.md), so it is not here
until a reviewer approves it. Queries are bounded: one to count, one for the page's entries, one
per kind of record on the page for their names."""

from collections import defaultdict

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ..api.changes import STREAMS
from ..models import Declaration, Instrument, Person, Pledge, Post, Source, State, Statement, Summit
from ..templatetags.content import TRANSLATED_FIELDS, localised
from .common import public_read

CHANGES_PER_PAGE = 50

# resource -> (model, the field the stream's lookup holds, what to read, the kind in words)
RECORDS = {
    "pledge": (Pledge.objects.all(), "id", pgettext_lazy("kind of record", "pledge")),
    "state": (State.objects.all(), "code", pgettext_lazy("kind of record", "party")),
    "summit": (Summit.objects.all(), "slug", pgettext_lazy("kind of record", "meeting")),
    "declaration": (Declaration.objects.all(), "slug", pgettext_lazy("kind of record", "declaration")),
    "source": (Source.objects.all(), "key", pgettext_lazy("kind of record", "source")),
    "instrument": (Instrument.objects.all(), "slug", pgettext_lazy("kind of record", "instrument")),
    "person": (Person.objects.all(), "slug", pgettext_lazy("kind of record", "person")),
    "post": (Post.objects.select_related("state", "person"), "slug", pgettext_lazy("kind of record", "post")),
    "statement": (
        Statement.objects.select_related("speaker", "state"),
        "slug",
        pgettext_lazy("kind of record", "statement"),
    ),
}
# The audit trail's change codes in the page's words (the API says created/updated/deleted).
CHANGE_WORDS = {"+": gettext_lazy("created"), "~": gettext_lazy("updated"), "-": gettext_lazy("deleted")}


def address(resource: str, record) -> str:
    """The public page of a record ('' where it has none of its own)."""
    match resource:
        case "pledge" | "summit" | "declaration":
            return reverse(f"pages:{resource}", args=[record.pk])
        case "state":
            return reverse("pages:state", args=[record.code])
        case "source":
            return reverse("pages:source", args=[record.key])
        case "instrument" | "person":
            return reverse(f"pages:{resource}", args=[record.slug])
        case "post":
            return reverse("pages:person", args=[record.person.slug]) if record.person_id else ""
    return ""


def audit_entries(scope: dict[str, set[int]] | None = None):
    """Every published change, newest first, as one UNION query (not yet run). `scope`
    ({resource: record ids}) keeps only the changes of those records (the Atom feeds of a state, a
    pledge, an instrument)."""
    parts = []
    for stream in STREAMS:
        rows = stream.queryset()
        if scope is not None:
            if not scope.get(stream.resource):
                continue
            rows = rows.filter(object_id__in=scope[stream.resource])
        parts.append(rows)
    if not parts:
        return STREAMS[0].queryset().none()
    return parts[0].union(*parts[1:], all=True).order_by("-at", "-stream", "-hid")


def described(entries: list[dict]) -> list[dict]:
    """The entries with each record's name and page: one query per kind of record among them."""
    wanted = defaultdict(set)
    for entry in entries:
        wanted[entry["resource"]].add(entry["lookup"])
    found = {}
    for resource, lookups in wanted.items():
        queryset, field, _ = RECORDS[resource]
        if field == "id":
            lookups = {int(value) for value in lookups}
        for record in queryset.filter(**{f"{field}__in": lookups}):
            found[resource, str(getattr(record, field))] = record
    former = former_names([entry for entry in entries if (entry["resource"], entry["lookup"]) not in found])
    rows = []
    for entry in entries:
        record = found.get((entry["resource"], entry["lookup"]))
        kind = RECORDS[entry["resource"]][2]
        rows.append(
            {
                "at": entry["at"],
                "kind": kind,
                "change": CHANGE_WORDS[entry["change"]],
                "name": record_name(record)
                if record
                else former.get((entry["stream"], entry["hid"]), f"{kind} {entry['lookup']}"),
                "href": address(entry["resource"], record) if record else "",
                "gone": record is None,
            }
        )
    return rows


def record_name(record) -> str:
    """A record as the page names it: a pledge, meeting, text, instrument or party in the reader's
    language where it has a version in it (docs/i18n.md), anything else as it names itself."""
    fields = TRANSLATED_FIELDS.get(type(record).__name__)
    return localised(record, fields[0])[0] if fields else str(record)


def former_names(entries: list[dict]) -> dict:
    """The title or name a removed record had in its audit row: one query per table among them."""
    streams = {stream.number: stream for stream in STREAMS}
    wanted = defaultdict(set)
    for entry in entries:
        wanted[entry["stream"]].add(entry["hid"])
    names = {}
    for number, hids in wanted.items():
        history = streams[number].model.history.model
        field = next((name for name in ("title", "name") if hasattr(history, name)), None)
        if field is None:
            continue
        for hid, name in history.objects.filter(history_id__in=hids).values_list("history_id", field):
            names[number, hid] = name
    return names


@public_read
def recent_changes(request):
    paginator = Paginator(audit_entries(), CHANGES_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return render(
            request, "commitments/changes.html", {"error": _("The page number must be a whole number.")}, status=400
        )
    except EmptyPage:
        raise Http404(_("There is no such page of changes.")) from None
    return render(request, "commitments/changes.html", {"page": page, "rows": described(list(page.object_list))})
