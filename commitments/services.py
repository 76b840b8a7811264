"""The one write path for pledges: the admin, the API, the CSV import and the seed all create,
change, delete and restore pledges through these functions.

Every function here
- validates with the model's own rules (`Pledge.full_clean`: field checks, `clean()`, the named
  constraints) plus the pledger rule, so the same input is refused the same way, with the same
  message, whichever path it comes by;
- writes in one transaction, so a refused write leaves nothing behind;
- leaves exactly one audit record per pledge written (`audit.one_record`), naming the user and
  the reason.

With review on (`REVIEW_REQUIRED`), an edit made by a user is validated in full here and then
stored as a pending `Revision` instead of written (`commitments.review`): `save_pledge` and
`delete_pledge` return the revision, and the caller tells its user so. A reviewer's approval
publishes it through these same functions.

The status is not written here: `Pledge.change_status` is its only writer (one more audit record,
since a status change is a write of its own). `Pledge.planned_status_change` is the same check
without the write, for planners such as the import.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext

from . import audit, review
from .models import Citation, Pledge, Revision, State, StatusChange
from .models.pledges import NO_PLEDGER

# How a status-change request names what `Pledge.change_status` reports under StatusChange's field
# names; None: not the requester's to fix (the pledge, the history step's number). The API's
# request body and the admin's form use these names; the import prefixes them as its columns.
STATUS_CHANGE_NAMES: dict[str, str | None] = {
    "to_status": "status",
    "effective_precision": "precision",
    "effective_date": "effective_date",
    "note": "note",
    "source": "source",
    "quote": "quote",
    "attribution": "attribution",
    "from_status": "status",
    "pledge": None,
    "sequence": None,
}
# How long before a pledge's deletion the rows deleted with it (its cascade) may have been recorded.
CASCADE_WINDOW = datetime.timedelta(minutes=1)


def renamed(error: ValidationError, names: dict[str, str | None] = STATUS_CHANGE_NAMES) -> dict[str | None, list]:
    """A status change's ValidationError as {request field name: [messages]}; None for messages
    about the record as a whole."""
    out: dict[str | None, list] = {}
    for field, messages in error.message_dict.items():
        name = names[field] if field in names else (None if field == NON_FIELD_ERRORS else field)
        out.setdefault(name, []).extend(messages)
    return out


def validate_pledge(pledge: Pledge, pledgers=None, *, exclude=None) -> None:
    """Raise ValidationError ({field: [messages]}) if `pledge` with these pledgers may not be
    saved. `pledgers` None keeps a saved pledge's pledgers; a new pledge must be given some."""
    errors = {}
    try:
        pledge.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = exc.message_dict
    if (pledgers is not None and not list(pledgers)) or (pledgers is None and pledge._state.adding):
        errors.setdefault("pledgers", []).append(NO_PLEDGER)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_pledge(
    pledge: Pledge, *, pledgers=None, user=None, reason: str = "", validate: bool = True, inlines=None
) -> Pledge | Revision | None:
    """Create `pledge` or write its changes, with its pledgers if given: validated, in one
    transaction, with one audit record. `validate=False` only for a caller that has just run
    `validate_pledge` on the same values (the import plans a whole file first).

    With review required for `user` (`review.required`), nothing is written: the edit becomes a pending
    revision, which is returned; None if it changes nothing. `inlines`: the form's inline rows
    (its citations), as `review.inline_rows` gives them, kept in the same revision."""
    if validate:
        validate_pledge(pledge, pledgers)
    if review.required(user):
        m2m = {"pledgers": [state.pk for state in pledgers]} if pledgers is not None else None
        return review.propose_save(pledge, user=user, m2m=m2m, inlines=inlines)
    with audit.one_record(pledge, user=user, reason=reason):
        pledge.save()
        if pledgers is not None:
            pledge.pledgers.set(pledgers)
    return pledge


@transaction.atomic
def delete_pledge(pledge: Pledge, *, user=None) -> Revision | None:
    """Delete a pledge with its status history and citations (one audit record each, by the delete
    signal). A pledge that others are shares of is protected: ProtectedError, nothing deleted.
    With review required for `user`, the deletion becomes a pending revision (returned)."""
    if review.required(user):
        shares = list(pledge.shares.all())
        if shares:  # refused now, as the deletion itself would be: not queued to fail at approval
            raise ProtectedError(gettext("Other pledges are shares of this pledge."), set(shares))
        return review.propose_delete(pledge, user=user)
    pledge._history_user = user
    pledge.delete()


@transaction.atomic
def mark_reviewed(pledge_ids, *, user=None, when: datetime.datetime | None = None) -> int:
    """Set `last_reviewed_at` on many pledges in one UPDATE; one audit record per pledge."""
    when = when or timezone.now()
    ids = list(Pledge.objects.select_for_update().filter(pk__in=list(pledge_ids)).values_list("pk", flat=True))
    Pledge.objects.filter(pk__in=ids).update(last_reviewed_at=when, updated_at=when, version=F("version") + 1)
    audit.record(Pledge.objects.filter(pk__in=ids), audit.CHANGED, user=user, reason="Marked as reviewed")
    return len(ids)


@transaction.atomic
def restore_pledge(record, user=None) -> Pledge:
    """Bring back a deleted pledge as it was when deleted: its fields, its pledgers (from its last
    record before deletion), and the citations and status changes deleted with it. Its version
    goes on from where it stood (an ETag read before the deletion never matches again). One audit
    record per restored row, reason "Restored"."""
    pledge = record.instance
    pledge._state.adding = True
    history = Pledge.history.filter(id=record.id)
    previous = history.exclude(history_type=audit.DELETED).order_by("-history_id").first()
    pledger_ids = list(previous.pledgers.values_list("state_id", flat=True)) if previous else []
    pledger_ids = list(State.objects.filter(pk__in=pledger_ids).values_list("pk", flat=True))  # still there
    pledge.full_clean(exclude=["pledgers"])
    # The audit trail does not keep the version; every earlier save left one record.
    pledge.version = history.exclude(history_type=audit.DELETED).count() + 1
    pledge._writing_status = True  # the status comes back with the status history it rests on
    try:
        with audit.one_record(pledge, user=user, reason="Restored"):
            pledge.save(force_insert=True)
            pledge.pledgers.set(pledger_ids)
    finally:
        pledge._writing_status = False
    for model in (StatusChange, Citation):
        rows = _deleted_with(model, record)
        for row in rows:
            row._state.adding = True
            row.full_clean(validate_unique=False)  # e.g. its source was deleted since
            row.skip_history_when_saving = True
            row.save(force_insert=True)
            del row.skip_history_when_saving
        audit.record(rows, audit.CREATED, user=user, reason="Restored with its pledge")
    return pledge


def _deleted_with(model, record) -> list:
    """Rows of `model` that belonged to the pledge and were deleted with it, as they were. The
    cascade deletes them in the pledge's transaction, just before the pledge; a citation removed
    on its own earlier stays removed."""
    history = model.history.model
    latest = history.objects.filter(pledge_id=record.id).values("id").annotate(last=Max("history_id"))
    deleted = history.objects.filter(
        history_id__in=latest.values("last"),
        history_type=audit.DELETED,
        history_date__gte=record.history_date - CASCADE_WINDOW,
        history_date__lte=record.history_date,
    ).exclude(id__in=model.objects.values("pk"))
    return [row.instance for row in deleted.order_by("id")]
