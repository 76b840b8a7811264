"""Sending one delivery: signed, POSTed to the checked address with timeouts and no redirects,
its outcome recorded on the delivery row; a non-2xx answer or a network error is retried with
exponential backoff (`BACKOFF`) until `WEBHOOK_MAX_ATTEMPTS`, then the delivery is given up.

Runs in the worker (`manage.py db_worker`) as the django-tasks task `deliver`; each attempt is its
own task, queued with `run_after` for the retry's time. A task carries the attempt number it is
for, so a stale one (the delivery was replayed, or has succeeded since) does nothing."""

import datetime
import json
import logging

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ..models.webhooks import ERROR_CHARS, RESPONSE_EXCERPT_CHARS, TEST_EVENT, DeliveryState, WebhookDelivery
from . import signing, ssrf

logger = logging.getLogger(__name__)

# The wait after the 1st, 2nd, … failed attempt (the last repeats).
BACKOFF = (
    datetime.timedelta(seconds=30),
    datetime.timedelta(minutes=2),
    datetime.timedelta(minutes=10),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=6),
)
INACTIVE = "The webhook is inactive."
USER_AGENT = "ukraine-guarantees-tracker-webhooks/1"


def backoff(failed_attempts: int) -> datetime.timedelta:
    return BACKOFF[min(failed_attempts, len(BACKOFF)) - 1]


def body_of(delivery: WebhookDelivery) -> str:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def schedule(delivery: WebhookDelivery, at: datetime.datetime | None = None) -> None:
    """Queue the delivery's next attempt (at `at`, else now), once the transaction commits."""
    attempt = delivery.attempts + 1
    pk = delivery.pk

    def enqueue():
        (deliver.using(run_after=at) if at else deliver).enqueue(pk, attempt)

    transaction.on_commit(enqueue)


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the delivery again, with the same event id: a new series of attempts."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.attempts = 0
        delivery.state = DeliveryState.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "state", "next_attempt_at"])
        schedule(delivery)
    return delivery


class Refused(Exception):
    """The target may not be called (the URL no longer passes the address check)."""


def post(url: str, secret: str, event_id: str, body: str) -> tuple[int, str]:
    """POST `body`, signed, to `url`'s checked address; the status and the start of the answer."""
    try:
        target = ssrf.check_url(url)
    except ValidationError as exc:
        raise Refused(" ".join(exc.messages)) from None
    timeout = urllib3.Timeout(connect=settings.WEBHOOK_TIMEOUT, read=settings.WEBHOOK_TIMEOUT)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False)
    host = target.host if ":" not in target.host else f"[{target.host}]"
    default_port = 443 if target.scheme == "https" else 80
    headers = {
        "Host": host if target.port == default_port else f"{host}:{target.port}",
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(secret, event_id, body, timezone.now()),
    }
    with pool:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body.encode(),
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(RESPONSE_EXCERPT_CHARS * 4, decode_content=True)
        finally:
            response.release_conn()
    return response.status, excerpt.decode("utf-8", "replace")[:RESPONSE_EXCERPT_CHARS]


def attempt(delivery_id: int, attempt_number: int) -> WebhookDelivery | None:
    """Make attempt `attempt_number` of the delivery and record it; None if it is stale."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if (
        delivery is None
        or delivery.state in (DeliveryState.SUCCEEDED, DeliveryState.GAVE_UP)
        or delivery.attempts + 1 != attempt_number
    ):
        return None
    webhook = delivery.webhook
    status, excerpt, error = None, "", ""
    if not webhook.active and delivery.event_type != TEST_EVENT:
        error = INACTIVE
    else:
        try:
            status, excerpt = post(webhook.url, webhook.secret, delivery.event_id, body_of(delivery))
        except Refused as exc:
            error = str(exc)
        except urllib3.exceptions.TimeoutError as exc:
            error = f"Timed out: {exc}"
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
    now = timezone.now()
    delivery.attempts = attempt_number
    delivery.last_status_code = status
    delivery.last_error = error[:ERROR_CHARS]
    delivery.response_excerpt = excerpt
    if status is not None and 200 <= status < 300:
        delivery.state = DeliveryState.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif attempt_number >= settings.WEBHOOK_MAX_ATTEMPTS or error == INACTIVE:
        delivery.state = DeliveryState.GAVE_UP
        delivery.next_attempt_at = None
    else:
        if status is not None and not error:
            delivery.last_error = f"HTTP {status}"
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = now + backoff(attempt_number)
    if delivery.state == DeliveryState.GAVE_UP and status is not None and not error:
        delivery.last_error = f"HTTP {status}"
    with transaction.atomic():
        delivery.save()
        if delivery.state == DeliveryState.FAILED:
            schedule(delivery, delivery.next_attempt_at)
    logger.info(
        "Webhook delivery %s (%s) attempt %s: %s",
        delivery.event_id,
        delivery.event_type,
        attempt_number,
        delivery.state,
    )
    return delivery


@task()
def deliver(delivery_id: int, attempt_number: int) -> None:
    """The worker's task: one attempt of one delivery."""
    attempt(delivery_id, attempt_number)
