"""The register's integrity checks: what must hold between records that no single constraint can
say. Run by `manage.py check_data` (CI runs it on the seeded database) and by `/healthz?deep=1`
for monitoring. Each check reads the database and yields a `Problem` per breach; none writes.

- status: a pledge's or an instrument's status and its date are those of its latest status change
  (none: not yet assessable, no date);
- history: status changes are numbered 1, 2, 3… and each starts where the last ended;
- versions: a pledge's version is the number of its audit records (every write leaves exactly
  one and raises the version by one), so an ETag is never reused;
- quotes: every quoted phrase occurs in its source's text, where the tracker has it (`Source.text`,
  or the seed report under SEED_DIR);
- pledgers: every pledge has at least one pledger;
- shares: no orphan shares: every share leads, through `part_of`, to a top-level pledge;
- statements: every statement is about something (a pledge, instrument, declaration or meeting).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext

from . import audit
from .models import (
    Attendance,
    AttendanceReport,
    Citation,
    DeclarationComponent,
    DeclarationParty,
    Instrument,
    InstrumentParty,
    InstrumentStatusChange,
    Pledge,
    Post,
    Source,
    Statement,
    StatusChange,
)
from .models.statements import ABOUT, ABOUT_NOTHING

SOURCED_MODELS = (
    Citation,
    StatusChange,
    InstrumentStatusChange,
    Attendance,
    AttendanceReport,
    DeclarationParty,
    DeclarationComponent,
    InstrumentParty,
    Post,
    Statement,
)
# The records whose status has a dated history (written only by their change_status).
STATUS_MODELS = (Pledge, Instrument)
TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def normalise(text: str) -> str:
    """Whitespace folded and typographic quotes made straight, so a quote copied from either form matches."""
    return re.sub(r"\s+", " ", text.translate(TYPOGRAPHIC)).strip()


@dataclass(frozen=True)
class Problem:
    check: str
    record: str
    message: str

    def __str__(self):
        return f"{self.check}: {self.record}: {self.message}"


def _pledge(pk, slug) -> str:
    return f"pledge {pk} ({slug})"


def _record(model, pk, slug) -> str:
    return f"{model._meta.verbose_name} {pk} ({slug})"


def status_matches_history() -> Iterator[Problem]:
    for model in STATUS_MODELS:
        history = model.STATUS_CHANGE
        latest = history.objects.filter(**{history.SUBJECT: OuterRef("pk")}).order_by("-sequence")
        initial = model._meta.get_field("status").default
        records = model.objects.annotate(
            last_status=Subquery(latest.values("to_status")[:1]),
            last_date=Subquery(latest.values("effective_date")[:1]),
        )
        without_history = Q(last_status__isnull=True) & (~Q(status=initial) | Q(status_changed_on__isnull=False))
        with_history = Q(last_status__isnull=False) & (
            ~Q(status=F("last_status")) | ~Q(status_changed_on=F("last_date")) | Q(status_changed_on__isnull=True)
        )
        rows = records.filter(without_history | with_history).order_by("pk")
        for pk, slug, status, on, last_status, last_date in rows.values_list(
            "pk", "slug", "status", "status_changed_on", "last_status", "last_date"
        ).iterator():
            if last_status is None:
                said = gettext("it has no status history")
            else:
                said = gettext("its latest status change says %(status)s on %(date)s") % {
                    "status": last_status,
                    "date": last_date,
                }
            message = gettext("status %(status)s on %(date)s, but %(said)s.")
            yield Problem("status", _record(model, pk, slug), message % {"status": status, "date": on, "said": said})


def history_is_a_chain() -> Iterator[Problem]:
    for model in STATUS_MODELS:
        history = model.STATUS_CHANGE
        subject = history.SUBJECT
        initial = model._meta.get_field("status").default
        rows = history.objects.order_by(f"{subject}_id", "sequence").values_list(
            f"{subject}_id", f"{subject}__slug", "sequence", "from_status", "to_status"
        )
        previous = None
        for pk, slug, sequence, from_status, to_status in rows.iterator():
            first = previous is None or previous[0] != pk
            expected_number = 1 if first else previous[1] + 1
            expected_from = initial if first else previous[2]
            if sequence != expected_number:
                message = gettext("status change %(sequence)s should be %(expected)s.")
                yield Problem(
                    "history", _record(model, pk, slug), message % {"sequence": sequence, "expected": expected_number}
                )
            if from_status != expected_from:
                yield Problem(
                    "history",
                    _record(model, pk, slug),
                    gettext("status change %(sequence)s starts from %(status)s, but the status was %(expected)s.")
                    % {"sequence": sequence, "status": from_status, "expected": expected_from},
                )
            previous = (pk, sequence, to_status)


def versions_match_history() -> Iterator[Problem]:
    records = (
        Pledge.history.filter(id=OuterRef("pk"), history_type__in=[audit.CREATED, audit.CHANGED])
        .order_by()
        .values("id")
        .annotate(n=Count("history_id"))
        .values("n")
    )
    rows = (
        Pledge.objects.annotate(records=Coalesce(Subquery(records), 0))
        .exclude(version=F("records"))
        .order_by("pk")
        .values_list("pk", "slug", "version", "records")
    )
    for pk, slug, version, count in rows.iterator():
        yield Problem(
            "versions",
            _pledge(pk, slug),
            ngettext(
                "version %(version)s, but %(count)s audit record of its writes.",
                "version %(version)s, but %(count)s audit records of its writes.",
                count,
            )
            % {"version": version, "count": count},
        )


def source_texts(seed_dir: Path | None = None) -> dict[int, str]:
    """The text each source's quotes can be checked against, normalised: its stored text, or its
    seed report where SEED_DIR holds it. Sources with neither are left out (not checkable)."""
    seed_dir = Path(seed_dir or settings.SEED_DIR)
    texts = {}
    for pk, text, seed_file in Source.objects.values_list("pk", "text", "seed_file").iterator():
        if text:
            texts[pk] = normalise(text)
        elif seed_file and (seed_dir / seed_file).is_file():
            texts[pk] = normalise((seed_dir / seed_file).read_text(encoding="utf-8"))
    return texts


def quotes_found_in_sources(seed_dir: Path | None = None) -> Iterator[Problem]:
    texts = source_texts(seed_dir)
    if not texts:
        return
    for model in SOURCED_MODELS:
        rows = model.objects.filter(source_id__in=list(texts)).exclude(quote="").order_by("pk")
        for pk, source_id, source_key, quote in rows.values_list("pk", "source_id", "source__key", "quote").iterator():
            if normalise(quote) not in texts[source_id]:
                yield Problem(
                    "quotes",
                    f"{model._meta.verbose_name} {pk}",
                    gettext("quote not found in source %(source)s: %(quote)r") % {"source": source_key, "quote": quote},
                )


def pledges_have_pledgers() -> Iterator[Problem]:
    for pk, slug in Pledge.objects.filter(pledgers__isnull=True).order_by("pk").values_list("pk", "slug"):
        yield Problem("pledgers", _pledge(pk, slug), gettext("no pledger."))


def shares_reach_a_pledge() -> Iterator[Problem]:
    """No orphan shares: following `part_of` from a share ends at a top-level pledge. Shares in a
    circle (A part of B, B part of A) have none, so totals, which count top-level pledges only,
    would lose all of them."""
    parent = dict(Pledge.objects.filter(part_of__isnull=False).values_list("pk", "part_of_id").iterator())
    slugs = {}
    for start in parent:
        seen = [start]
        node = parent[start]
        while node in parent and node not in seen:
            seen.append(node)
            node = parent[node]
        if node in seen:
            if not slugs:
                slugs = dict(Pledge.objects.filter(pk__in=list(parent)).values_list("pk", "slug"))
            circle = " → ".join(slugs[pk] for pk in seen[seen.index(node) :])
            message = gettext("part of a circle of shares: %(circle)s → …") % {"circle": circle}
            yield Problem("shares", _pledge(start, slugs[start]), message)


def statements_are_about_something() -> Iterator[Problem]:
    """A statement is about at least one pledge, instrument, declaration or summit."""
    unattached = Statement.objects.all()
    for name in ABOUT:
        unattached = unattached.filter(**{f"{name}__isnull": True})
    for pk, slug in unattached.order_by("pk").values_list("pk", "slug"):
        yield Problem("statements", f"statement {pk} ({slug})", ABOUT_NOTHING)


def citations_name_real_fields() -> Iterator[Problem]:
    """A citation's `field` is blank (the whole record) or one of its record's citable fields
    (Citation.citable_fields): what the admin offers, the model validates and the pages show."""
    for name in Citation.TARGETS:
        model = Citation._meta.get_field(name).related_model
        citable = [field for field, _label in Citation.citable_fields(model)]
        wrong = Citation.objects.filter(**{f"{name}__isnull": False}).exclude(field="").exclude(field__in=citable)
        for pk, key, field in wrong.order_by("pk").values_list("pk", "key", "field"):
            yield Problem(
                "citation fields",
                f"citation {pk} ({key})",
                gettext("a %(model)s has no field “%(field)s”.") % {"model": model._meta.verbose_name, "field": field},
            )


CHECKS: dict[str, tuple[str, Callable[[], Iterator[Problem]]]] = {
    "status": ("every pledge's status is its latest status change", status_matches_history),
    "history": ("status histories are numbered from 1 and chained", history_is_a_chain),
    "versions": ("every pledge's version counts its audit records", versions_match_history),
    "quotes": ("quotes occur in their source's stored text", quotes_found_in_sources),
    "pledgers": ("every pledge has a pledger", pledges_have_pledgers),
    "shares": ("every share is part of a top-level pledge, directly or through others", shares_reach_a_pledge),
    "statements": (
        "every statement is about a pledge, instrument, declaration or meeting",
        statements_are_about_something,
    ),
    "citations": ("every citation's field is a field of its record", citations_name_real_fields),
}


def run(names=None) -> dict[str, list[Problem]]:
    """{check name: its problems} for the named checks (all by default)."""
    return {name: list(CHECKS[name][1]()) for name in (names or CHECKS)}
