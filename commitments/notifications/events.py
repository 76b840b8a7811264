"""The events of published writes, queued for the webhooks after the transaction commits.

Every published write leaves an audit record (django-simple-history): a save or a delete through
its signal, a bulk or hand-written record through `commitments.audit.record`, which calls
`history_written`. So every path (the admin, the API, the CSV import, a review's approval,
`change_status`) is seen here, in one place, and a pending revision, which writes no audit record
of the live tables, sends nothing until it is approved. A status move is seen when its history
row (`StatusChange`, `InstrumentStatusChange`) is saved, which only `change_status` does.

Nothing is sent from inside the transaction: each event is handed to `transaction.on_commit`, so
a rolled-back write (or savepoint) sends nothing. The events of one transaction are merged: a
record created and then updated in it is one `created` event; a record updated five times, one
`updated`. Deliveries are then created for the active webhooks that want the event and handed to
the task queue (`delivery.deliver`)."""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from simple_history.signals import post_create_historical_record

from ..api.changes import CHANGE_NAMES, STREAMS
from ..models import Instrument, InstrumentStatusChange, Pledge, Release, StatusChange
from ..models.webhooks import TEST_EVENT, Webhook, WebhookDelivery, wants

logger = logging.getLogger(__name__)

STREAMS_BY_MODEL: dict[type, list] = {}
for _stream in STREAMS:
    STREAMS_BY_MODEL.setdefault(_stream.model, []).append(_stream)


@dataclass
class Event:
    type: str
    resource: str
    object_id: int
    lookup: str | None = None  # None: read from the parent record when sent (`lookup_path`)
    lookup_path: str = ""
    data: dict = field(default_factory=dict)

    @property
    def key(self):
        return (self.resource, self.object_id, self.type.split(".")[1] == "status_changed")


class _Batch:
    """The events of one transaction: what was sent already (to merge repeats), and the active
    webhooks, read once when its first event is sent."""

    def __init__(self):
        self.seen: dict[tuple, set[str]] = {}
        self.webhooks: list[Webhook] | None = None

    def emit(self, event: Event) -> None:
        change = event.type.split(".")[1]
        before = self.seen.setdefault(event.key, set())
        if change in before or (change == "updated" and "created" in before):
            return
        before.add(change)
        if self.webhooks is None:
            self.webhooks = list(Webhook.objects.filter(active=True).only("id", "events"))
        targets = [webhook for webhook in self.webhooks if wants(webhook.events, event.type)]
        if targets:
            enqueue(event.type, payload(event), targets)


class _Callback:
    """An on_commit callback of ours: one event of a batch."""

    def __init__(self, batch: _Batch, event: Event):
        self.batch, self.event = batch, event

    def __call__(self):
        self.batch.emit(self.event)


def add(event: Event) -> None:
    """Send `event` once the current transaction commits (at once outside one)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        try:
            _Batch().emit(event)
        except Exception:
            logger.exception("Could not queue the webhook deliveries of %s", event.type)
        return
    # The transaction's batch is the one of its callbacks still to run: a savepoint rolled back
    # takes its callbacks with it, and with them its events.
    batch = next((func.batch for _, func, _ in reversed(connection.run_on_commit) if isinstance(func, _Callback)), None)
    # robust: a failure to queue is logged, never raised to a caller whose write has committed.
    transaction.on_commit(_Callback(batch or _Batch(), event), robust=True)


def enqueue(event_type: str, body: dict, webhooks) -> list[WebhookDelivery]:
    """One delivery per webhook, each queued for the worker."""
    from .delivery import schedule

    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook_id=webhook.pk, event_type=event_type, payload=body) for webhook in webhooks
    )
    for delivery in deliveries:
        if delivery.pk is None:  # a database that does not return the keys of a bulk insert
            delivery = WebhookDelivery.objects.get(event_id=delivery.event_id)
        schedule(delivery)
    return deliveries


def send_test(webhook: Webhook) -> WebhookDelivery:
    """Queue a `webhook.test` event to `webhook` (sent even if it is inactive)."""
    body = {
        "type": TEST_EVENT,
        "timestamp": timezone.now().isoformat(),
        "data": {"webhook": webhook.pk, "message": "A test event: the webhook and its signature work."},
    }
    return enqueue(TEST_EVENT, body, [webhook])[0]


def payload(event: Event) -> dict:
    lookup = event.lookup
    if lookup is None and event.lookup_path:
        model = {"instrument": Instrument, "pledge": Pledge}.get(event.resource)
        field_name = event.lookup_path.split("__")[1]
        if model is None:
            from django.apps import apps

            model = apps.get_model("commitments", event.resource)
        lookup = model.objects.filter(pk=event.object_id).values_list(field_name, flat=True).first()
    data = {"resource": event.resource, "id": event.object_id, "lookup": lookup}
    if lookup is not None:
        try:
            data["api_url"] = reverse(f"api:{event.resource}-detail", args=[lookup])
        except NoReverseMatch:
            pass
    data.update(event.data)
    return {"type": event.type, "timestamp": timezone.now().isoformat(), "data": data}


def history_written(records) -> None:
    """Audit records just written (by a save, a delete, `audit.record`): their events."""
    for record in records:
        model = getattr(record, "instance_type", None)
        for stream in STREAMS_BY_MODEL.get(model, ()):
            object_id = getattr(record, stream.object_id, None)
            if object_id is None:
                continue
            change = "updated" if stream.as_update else CHANGE_NAMES[record.history_type]
            direct = "__" not in stream.lookup
            add(
                Event(
                    type=f"{stream.resource}.{change}",
                    resource=stream.resource,
                    object_id=object_id,
                    lookup=str(getattr(record, stream.lookup)) if direct else None,
                    lookup_path="" if direct else stream.lookup,
                )
            )


@receiver(post_create_historical_record, dispatch_uid="notifications-history")
def _on_history(sender, history_instance, **kwargs):
    history_written([history_instance])


def _on_status_change(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    subject = instance.subject
    resource = "pledge" if isinstance(subject, Pledge) else "instrument"
    lookup = str(subject.pk) if resource == "pledge" else subject.slug
    source = instance.source
    add(
        Event(
            type=f"{resource}.status_changed",
            resource=resource,
            object_id=subject.pk,
            lookup=lookup,
            data={
                "title": str(subject),
                "from_status": instance.from_status,
                "to_status": instance.to_status,
                "effective_date": instance.effective_date.isoformat(),
                "effective_precision": instance.effective_precision,
                "sequence": instance.sequence,
                "source": {"key": source.key, "title": str(source)} if source is not None else None,
                "note": instance.note,
            },
        )
    )


for _model in (StatusChange, InstrumentStatusChange):
    post_save.connect(_on_status_change, sender=_model, dispatch_uid=f"notifications-status-{_model.__name__}")


@receiver(post_save, sender=Release, dispatch_uid="notifications-release")
def _on_release(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        add(
            Event(
                type="release.published",
                resource="release",
                object_id=instance.pk,
                lookup=str(instance.number),
                data={"number": instance.number, "title": instance.title},
            )
        )
