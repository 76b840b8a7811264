"""Status with a dated history, for every record that has one (pledges, instruments).

A record's `status` is written only by its `change_status`, which writes the history row (a
`StatusChangeBase` subclass) and the current status in one transaction, under a row lock; a
rejected change leaves both untouched. `planned_status_change` is the same check without the
write, for planners (the CSV import, the seed)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import audit
from ..choices import DatePrecision
from . import checks
from .base import NaturalKeyModel, Source, Sourced, long_date, sane_date


class StatusChangeBase(Sourced, NaturalKeyModel):
    """One step in a record's life: from which status to which, when it took effect in the world
    (with the precision known), when and by whom it was recorded, why, and on what source.
    Subclasses add the record (a foreign key named by `SUBJECT`, related name `status_changes`)
    and give `from_status` / `to_status` their choices."""

    SUBJECT = ""

    sequence = models.PositiveIntegerField(help_text=_("1 for the first change of this record, then 2, 3, …"))
    from_status = models.CharField(max_length=20, help_text=_("Status before the change."))
    to_status = models.CharField(max_length=20, help_text=_("Status after the change."))
    effective_date = models.DateField(help_text=_("When the change took effect in the world."))
    effective_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    recorded_at = models.DateTimeField(default=timezone.now, help_text=_("When the change was entered in the tracker."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the history outlives a removed account
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who entered it; blank for changes loaded from the seed fixtures."),
    )
    note = models.TextField(help_text=_("Why the status changed."))

    class Meta:
        abstract = True

    @property
    def subject(self):
        return getattr(self, self.SUBJECT)

    def validate_constraints(self, exclude=None):
        # The history's check constraints (a move to another status, a note, a sane date) read
        # only the row's own values: evaluated in memory, not by a SELECT each (issue 12).
        checks.validate_constraints(self, exclude)

    def __str__(self):
        return f"{self.subject}: {self.from_status} → {self.to_status} ({self.effective_date})"


# The message of each history's unique sequence, by the record it is about.
SEQUENCE_TAKEN = {
    "pledge": _("This pledge already has a status change with this number."),
    "instrument": _("This instrument already has a status change with this number."),
}


def status_change_constraints(prefix: str, subject: str) -> list:
    """The rules of a status history, as named constraints (`prefix` names them)."""
    return [
        models.UniqueConstraint(
            fields=[subject, "sequence"],
            name=f"{prefix}_sequence_unique",
            violation_error_message=SEQUENCE_TAKEN[subject],
        ),
        models.CheckConstraint(
            condition=~Q(from_status=models.F("to_status")),
            name=f"{prefix}_changes_status",
            violation_error_message=_("A status change must move to a different status."),
        ),
        models.CheckConstraint(
            condition=~Q(note=""),
            name=f"{prefix}_has_note",
            violation_error_message=_("Say why the status changed."),
        ),
        sane_date("effective_date", prefix),
    ]


class StatusHistoryQuerySet(models.QuerySet):
    """Reading a status history: what the records' statuses were on a given day."""

    def as_of(self, date: datetime.date):
        """The records as they stood in the world on `date`: each gets `as_of_status` and
        `as_of_status_changed_on` from its latest status change effective on or before that date.
        Records whose first status change took effect later (not yet made then) are left out.
        One query: the status history is read through correlated subqueries, not per row."""
        history = self.model.STATUS_CHANGE
        latest = history.objects.filter(**{history.SUBJECT: models.OuterRef("pk")}, effective_date__lte=date).order_by(
            "-effective_date", "-sequence"
        )
        return self.annotate(
            as_of_status=models.Subquery(latest.values("to_status")[:1]),
            as_of_status_changed_on=models.Subquery(latest.values("effective_date")[:1]),
        ).filter(as_of_status__isnull=False)


class StatusHistory(models.Model):
    """A record whose `status` (a field the subclass defines, editable=False) and `status_changed_on`
    are written only by `change_status`. `STATUS_CHANGE` is the history model."""

    STATUS_CHANGE: type[StatusChangeBase]

    status_changed_on = models.DateField(
        null=True, blank=True, editable=False, help_text=_("When the current status took effect in the world.")
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not kwargs.get("raw"):
            self.check_status_not_written()
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "status" in field_names:
            instance._loaded_status = instance.__dict__["status"]
        return instance

    def check_status_not_written(self) -> None:
        """Raise if `status` was changed other than by `change_status` (call it in `save`)."""
        initial = type(self)._meta.get_field("status").default
        # A row loaded without its status (a deferred field) cannot have had it changed here.
        loaded = getattr(self, "_loaded_status", initial if self._state.adding else self.status)
        if self.status != loaded and not getattr(self, "_writing_status", False):
            name = type(self).__name__
            raise ValueError(f"{name}.status is changed only through {name}.change_status().")

    def status_label(self, status: str | None = None) -> str:
        """'announced' for Status.ANNOUNCED: the choice's label up to its explanation, in lower case."""
        choices = dict(type(self)._meta.get_field("status").choices)
        return str(choices.get(status or self.status, status)).split(" (")[0].lower()

    def planned_status_change(
        self,
        status: str,
        *,
        effective_date: datetime.date | None,
        source: Source | None,
        note: str,
        precision: str = DatePrecision.DAY,
        quote: str = "",
        attribution: str = "",
        user=None,
        last: "StatusChangeBase | None",
        locked: bool = False,
    ) -> tuple[StatusChangeBase, dict[str, str | list[str]]]:
        """The status rules, without writing anything: the history row a change to `status` would
        add, and the errors that refuse it ({} when none), named after the history's fields.

        `last` is the record's latest status change (None if it has none). `change_status` calls
        this under its row lock; the CSV import's planner calls it for a whole file before writing
        anything, so both refuse the same changes with the same words.

        `locked`: the record's row is locked and `last` read under that lock (`change_status`):
        the history step's number cannot be taken meanwhile, and the record, the source and the
        user given as saved rows are there, so those checks are left to the database's own
        constraints rather than made again as SELECTs."""
        history = self.STATUS_CHANGE
        change = history(
            **{history.SUBJECT: self if self.pk else None},
            sequence=(last.sequence + 1) if last else 1,
            from_status=self.status,
            to_status=status,
            effective_date=effective_date,
            effective_precision=precision,
            recorded_by=user,
            note=note,
            source=source,
            quote=quote,
            attribution=attribution,
        )
        errors: dict[str, str | list[str]] = {}
        if status == self.status:
            errors["to_status"] = gettext("The %(record)s is already %(status)s.") % {
                "record": self._meta.verbose_name,
                "status": self.status_label(),
            }
        if last and effective_date and effective_date < last.effective_date:
            errors["effective_date"] = gettext(
                "The previous change took effect on %(date)s; a later change cannot take effect before it. "
                "Correct the history instead."
            ) % {"date": long_date(last.effective_date)}
        if effective_date and effective_date > timezone.localdate():
            errors["effective_date"] = gettext("A status change cannot take effect in the future.")
        try:
            # A same-status change already has its own message; the constraint would say it twice.
            # A record not yet written (a new row of an import) has no history row to number.
            exclude = [] if self.pk else [history.SUBJECT, "sequence"]
            if locked:
                # Saved rows, found by the caller (a record locked, a source and a user read):
                # Django would check each exists with one more SELECT.
                exclude += [
                    name
                    for name, row in ((history.SUBJECT, self), ("source", source), ("recorded_by", user))
                    if row is not None and row.pk is not None
                ]
            change.full_clean(
                exclude=exclude or None,
                validate_unique=not locked,
                validate_constraints="to_status" not in errors,
            )
        except ValidationError as exc:
            errors = {**exc.message_dict, **errors}
        return change, errors

    def change_status(
        self,
        status: str,
        *,
        effective_date: datetime.date,
        source: Source,
        note: str,
        precision: str = DatePrecision.DAY,
        quote: str = "",
        attribution: str = "",
        user=None,
        reason: str = "",
    ) -> StatusChangeBase:
        """Record that the record moved to `status` on `effective_date`, as `source` says.

        The only writer of `status`. The history row and the current status are written in one
        transaction, under a lock on the record's row, so two analysts changing the same record
        are serialised; a rejected change raises ValidationError and leaves both untouched. The
        record's audit trail gets one record, by `user`, with `reason` (or "Status changed to …").

        With review required for `user` (`commitments.review.required`), the change is checked by
        the same rules and stored as a pending revision instead (returned, a `Revision`): the
        status history stays as published until a reviewer approves it."""
        values = {
            "effective_date": effective_date,
            "source": source,
            "note": note,
            "precision": precision,
            "quote": quote,
            "attribution": attribution,
            "user": user,
        }
        from .. import review

        if review.required(user):
            return review.queue_status_change(self, status, values)
        # A caller that has locked the row itself, in the transaction it is still in (the API's
        # write views), passes that instance: locking it again would be one more query, and a
        # savepoint of our own two more, for nothing (its transaction makes the change all or
        # nothing, and a refusal is raised before anything is written).
        if getattr(self, "_locked_for_update", False) and transaction.get_connection().in_atomic_block:
            return self._write_status_change(self, status, values, reason)
        with transaction.atomic():
            locked = type(self)._default_manager.select_for_update().get(pk=self.pk)
            return self._write_status_change(locked, status, values, reason)

    def _write_status_change(self, locked: "StatusHistory", status: str, values: dict, reason: str):
        """`change_status` once `locked` (this record's row) is locked in the current transaction."""
        user = values["user"]
        change, errors = locked.planned_status_change(
            status, **values, last=locked.status_changes.order_by("-sequence").first(), locked=True
        )
        if errors:
            raise ValidationError(errors)
        # Every refusal is above: from here on only writes, all of them or none with the
        # transaction they are in (a failed write dooms it), with no savepoint of their own.
        if not reason:
            # The audit trail is the register's own record: in its language, whatever the reader's.
            with translation.override(settings.LANGUAGE_CODE):
                reason = f"Status changed to {locked.status_label(status)}"
        with transaction.atomic(savepoint=False):
            change.save()
            locked.status = status
            locked.status_changed_on = values["effective_date"]
            locked._writing_status = True
            if user is not None:
                locked._history_user = user
            locked._change_reason = reason
            try:
                # The audit record written by hand, not by the save signal: the signal reads the
                # fields the trail leaves out (the version) back from the row it has just written.
                with audit.one_record(locked, user=user, reason=reason):
                    locked.save()
            finally:
                locked._writing_status = False
        # Keep the caller's instance in step with the row.
        for field in ("status", "status_changed_on", "version", "updated_at"):
            if hasattr(locked, field):
                setattr(self, field, getattr(locked, field))
        self._loaded_status = self.status
        return change
