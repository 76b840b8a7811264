"""Audit records written by hand, where django-simple-history's signals cannot do it right.

The signals write one record per `save()` and one per many-to-many step, so a form that saves a
pledge and then its pledgers would leave two or three records for one edit, and bulk writes
(`QuerySet.update`, `bulk_create`) leave none. These helpers write exactly one record per row,
with the row's many-to-many members as they are now, the way the signal handler would."""

from collections import defaultdict
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

CREATED, CHANGED, DELETED = "+", "~", "-"


def record(instances, history_type: str, *, user=None, reason: str = "") -> list:
    """Write one audit record per instance (`CREATED` or `CHANGED`), all with the same time,
    user and reason; return the records. Many-to-many members are copied from the database."""
    instances = list(instances)
    if not instances or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return []
    if history_type not in (CREATED, CHANGED):
        raise ValueError("record() writes creations and changes; deletions are recorded by the delete signal.")
    model = type(instances[0])
    manager = get_history_manager_for_model(model)
    history_model = manager.model
    records = manager.bulk_history_create(
        instances,
        update=history_type == CHANGED,
        default_user=user,
        default_change_reason=reason,
        default_date=timezone.now(),
    )
    for field in history_model._history_m2m_fields:
        _copy_m2m_rows(history_model, field, instances, records)
    from .notifications import events  # a bulk write sends no signal: its webhook events from here

    events.history_written(records)
    return records


@contextmanager
def one_record(obj, *, user=None, reason: str = ""):
    """Save `obj` and its many-to-many members inside the block; the audit trail gets exactly one
    record for all of it when the block ends without an error (a creation if `obj` was not in the
    database when the block began, else a change):

        with audit.one_record(pledge, user=analyst, reason="CSV import"):
            pledge.save()
            pledge.pledgers.set(states)
    """
    history_type = CREATED if obj._state.adding else CHANGED
    obj.skip_history_when_saving = True
    try:
        yield obj
    finally:
        del obj.skip_history_when_saving
    record([obj], history_type, user=user, reason=reason)


def _copy_m2m_rows(history_model, field, instances, records) -> None:
    through = field.remote_field.through
    owner = field.m2m_field_name()  # e.g. "pledge" on the pledge_pledgers table
    m2m_history_model = getattr(history_model, field.name).model
    rows_by_owner = defaultdict(list)
    for row in through.objects.filter(**{f"{owner}__in": [obj.pk for obj in instances]}):
        rows_by_owner[getattr(row, f"{owner}_id")].append(row)
    attnames = [f.attname for f in through._meta.fields]
    m2m_history_model.objects.bulk_create(
        m2m_history_model(history=rec, **{name: getattr(row, name) for name in attnames})
        for obj, rec in zip(instances, records, strict=True)
        for row in rows_by_owner[obj.pk]
    )
