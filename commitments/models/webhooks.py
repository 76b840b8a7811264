"""Webhooks: a client's URL that is told of published changes, and the record of every delivery.

A webhook belongs to the user who registered it; its secret (`whsec_…`, the Standard Webhooks
format) signs every delivery and is readable by its owner only. A delivery is one event for one
webhook: its `event_id` is the `webhook-id` header, the same on every attempt and on a replay, so a
receiver can tell a repeat. docs/notifications.md describes the events, the payload and retries."""

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
SECRET_BYTES = 32
# Enough of a receiver's answer to tell what went wrong, never a whole page.
RESPONSE_EXCERPT_CHARS = 1000
ERROR_CHARS = 500

# What the change feed knows (commitments.api.changes.STREAMS): each kind of record created,
# updated or deleted; a status move of a pledge or an instrument in words; a release made.
RESOURCES = ("pledge", "state", "summit", "declaration", "source", "instrument", "person", "post", "statement")
CHANGES = ("created", "updated", "deleted")
STATUS_EVENTS = ("pledge.status_changed", "instrument.status_changed")
EVENT_TYPES = (
    *(f"{resource}.{change}" for resource in RESOURCES for change in CHANGES),
    *STATUS_EVENTS,
    "release.published",
)
TEST_EVENT = "webhook.test"
ALL_EVENTS = "*"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def wants(events: list[str], event_type: str) -> bool:
    """Whether a webhook subscribed to `events` gets `event_type` ("*" is every type, "pledge.*"
    every type of a pledge; the test event goes to every webhook it is sent to)."""
    if event_type == TEST_EVENT:
        return True
    resource = event_type.split(".")[0]
    return ALL_EVENTS in events or event_type in events or f"{resource}.*" in events


def event_choices() -> list[str]:
    """Every value `events` may hold: a type, a kind's wildcard ("pledge.*") or "*"."""
    kinds = sorted({event.split(".")[0] for event in EVENT_TYPES})
    return [ALL_EVENTS, *(f"{kind}.*" for kind in kinds), *EVENT_TYPES]


class Webhook(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # a webhook acts for its owner; without the owner it means nothing
        related_name="webhooks",
        verbose_name=_("owner"),
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("Where the events are sent (POST). HTTPS, on a public address."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(
        _("events"),
        default=list,
        help_text=_('The event types wanted, e.g. ["pledge.status_changed", "instrument.*"]; "*" is all.'),
    )
    secret = models.CharField(_("secret"), max_length=100, default=new_secret, editable=False)
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive webhooks are sent nothing."))
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.description or self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed, will retry")
    GAVE_UP = "gave_up", _("gave up")


class WebhookDelivery(models.Model):
    # What its owner reads of a delivery, in this order (the admin's page and the API's record).
    SHOWN_FIELDS = (
        "event_id",
        "event_type",
        "payload",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "response_excerpt",
        "next_attempt_at",
        "delivered_at",
        "created",
    )

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook"))
    event_id = models.CharField(
        _("event id"),
        max_length=64,
        default=new_event_id,
        editable=False,
        help_text=_("The webhook-id header: the same on every attempt and on a replay."),
    )
    event_type = models.CharField(_("event type"), max_length=50)
    payload = models.JSONField(_("payload"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    state = models.CharField(
        pgettext_lazy("where a revision or delivery stands", "state"),
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
    )
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=ERROR_CHARS, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["webhook", "-created"], name="delivery_webhook_created")]

    def __str__(self):
        return f"{self.event_type} {self.event_id} → {self.webhook_id}"
