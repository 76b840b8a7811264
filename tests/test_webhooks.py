"""Webhooks (docs/notifications.md): events queued after the commit, delivered by the worker to a
local test receiver, signed (Standard Webhooks), retried with backoff, recorded, replayable from
the admin and the API; URLs checked against private addresses; each user sees only their own."""

import datetime
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook as Verifier

from commitments.choices import Status
from commitments.models import DeliveryState, Pledge, Webhook, WebhookDelivery
from commitments.notifications import delivery as sending
from commitments.notifications import ssrf

from . import builders as make

ON = datetime.date(2025, 5, 5)


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread: records every request, answers with the next of
    `answers` (a status code, or "slow" to wait past the timeout), 200 once they run out."""

    def __init__(self):
        self.requests = []
        self.answers = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                answer = receiver.answers.pop(0) if receiver.answers else 200
                if answer == "slow":
                    time.sleep(2.5)
                    answer = 200
                try:
                    self.send_response(answer)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(f"answer {answer}".encode())
                except OSError:
                    pass  # the client gave up (a timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/hook?x=1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def local(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT = 1


def run_queue(*, now=None) -> int:
    """Run the tasks due (as the worker does: claimed, then run by the worker's own run_task); tasks
    scheduled later than `now` (default: the present) are left. Returns how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        due = DBTaskResult.objects.ready()
        if now is not None:
            due = DBTaskResult.objects.filter(status="READY", run_after__lte=now) | due
        row = due.order_by("run_after").first()
        if row is None:
            return ran
        row.claim("test")
        worker.run_task(row)
        row.refresh_from_db()
        assert row.status == "SUCCESSFUL", row.exception_class_path
        ran += 1


def hook(owner, url, events=("*",), **fields) -> Webhook:
    return Webhook.objects.create(owner=owner, url=url, events=list(events), **fields)


def verify(webhook, request) -> dict:
    return Verifier(webhook.secret).verify(request["body"], request["headers"])


def test_a_status_change_is_delivered_signed_after_the_commit(
    local, receiver, analyst, django_capture_on_commit_callbacks
):
    webhook = hook(analyst, receiver.url, ["pledge.status_changed"])
    pledge = make.pledge(title="Air policing")
    source = make.source()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            make.move(pledge, Status.ANNOUNCED, ON, source=source, user=analyst)
            assert not WebhookDelivery.objects.exists(), "nothing before the commit"
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "pledge.status_changed" and delivery.state == DeliveryState.PENDING
    assert run_queue() == 1
    [request] = receiver.requests
    assert request["path"] == "/hook?x=1"
    body = verify(webhook, request)
    assert request["headers"]["webhook-id"] == delivery.event_id
    assert body["type"] == "pledge.status_changed"
    assert body["data"]["id"] == pledge.pk and body["data"]["api_url"] == f"/api/pledges/{pledge.pk}/"
    assert body["data"]["from_status"] == Status.NOT_ASSESSABLE and body["data"]["to_status"] == Status.ANNOUNCED
    assert body["data"]["effective_date"] == "2025-05-05" and body["data"]["source"]["key"] == source.key
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.last_status_code == 200
    assert delivery.attempts == 1 and delivery.delivered_at is not None and delivery.response_excerpt == "answer 200"


def test_events_are_filtered_by_type_and_merged_per_transaction(
    local, receiver, analyst, django_capture_on_commit_callbacks
):
    hook(analyst, receiver.url, ["pledge.*"])
    hook(analyst, receiver.url, ["instrument.created"])
    inactive = hook(analyst, receiver.url, ["*"], active=False)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            pledge = make.pledge()  # created, then its pledgers set: one "created" event
            pledge.title = "Renamed"
            pledge.save()
    types = list(WebhookDelivery.objects.values_list("event_type", flat=True))
    assert types == ["pledge.created"]
    assert not inactive.deliveries.exists()


def test_a_rolled_back_write_sends_nothing(local, receiver, analyst, django_capture_on_commit_callbacks):
    hook(analyst, receiver.url)
    pledge = make.pledge()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                make.move(pledge, Status.ANNOUNCED, ON, user=analyst)
                raise RuntimeError("abandon")
        except RuntimeError:
            pass
    assert callbacks == [] or not WebhookDelivery.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert Pledge.objects.get(pk=pledge.pk).status == Status.NOT_ASSESSABLE


def test_a_failed_attempt_is_retried_with_backoff(local, receiver, analyst, django_capture_on_commit_callbacks):
    webhook = hook(analyst, receiver.url, ["pledge.updated"])
    pledge = make.pledge()
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        pledge.title = "Changed"
        pledge.save()
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        before = timezone.now()
        assert run_queue() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    assert before + datetime.timedelta(seconds=29) < delivery.next_attempt_at < timezone.now() + sending.BACKOFF[0]
    assert run_queue() == 0, "the retry waits for its time"
    queued = DBTaskResult.objects.get(status="READY")
    assert queued.run_after == delivery.next_attempt_at
    with django_capture_on_commit_callbacks(execute=True):
        assert run_queue(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 2 and delivery.last_status_code == 200
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == delivery.event_id
    assert verify(webhook, second)["type"] == "pledge.updated"


def test_backoff_grows_and_the_last_attempt_gives_up(local, analyst, settings, django_capture_on_commit_callbacks):
    assert [sending.backoff(n).total_seconds() for n in range(1, 7)] == [30, 120, 600, 3600, 21600, 21600]
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens: a network error
    webhook = hook(analyst, url, ["pledge.created"])
    with django_capture_on_commit_callbacks(execute=True):
        make.pledge()
    delivery = webhook.deliveries.get()
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.last_status_code is None
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    with django_capture_on_commit_callbacks(execute=True):
        run_queue(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.GAVE_UP and delivery.attempts == 2 and delivery.next_attempt_at is None
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_timeout_is_recorded(local, receiver, analyst, django_capture_on_commit_callbacks):
    hook(analyst, receiver.url, ["pledge.created"])
    receiver.answers = ["slow"]
    with django_capture_on_commit_callbacks(execute=True):
        make.pledge()
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.last_status_code is None
    assert delivery.last_error.startswith("Timed out")


def test_a_pending_revision_sends_nothing_until_approved(
    local, receiver, review_on, analyst, reviewer, django_capture_on_commit_callbacks
):
    hook(analyst, receiver.url, ["pledge.status_changed", "pledge.updated"])
    pledge = make.pledge()
    with django_capture_on_commit_callbacks(execute=True):
        revision = make.move(pledge, Status.ANNOUNCED, ON, user=analyst)
    assert not WebhookDelivery.objects.exists()
    from commitments import review

    with django_capture_on_commit_callbacks(execute=True):
        review.approve(revision, reviewer)
    assert sorted(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "pledge.status_changed",
        "pledge.updated",
    ]


def test_the_real_worker_command_delivers(transactional_db, local, receiver):
    from commitments.notifications import events

    owner = make.user("owner")
    webhook = hook(owner, receiver.url)
    row = events.send_test(webhook)
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0, reload=False)
    finally:  # the worker sets its own (graceful shutdown); the test run keeps pytest's
        for number, handler in handlers.items():
            signal.signal(number, handler)
    row.refresh_from_db()
    assert row.state == DeliveryState.SUCCEEDED
    assert verify(webhook, receiver.requests[0])["type"] == "webhook.test"


# --- Addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.1/", "https://10.0.0.1/", "https://[::1]/"])
def test_private_addresses_are_refused_at_registration(db, settings, analyst, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    client, _ = make.token_client(analyst, can_write=True)
    answer = client.post("/api/webhooks/", {"url": url, "events": ["*"]}, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["url"]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 (a test value)
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert ssrf.is_public(address) is public


def test_plain_http_is_refused_in_production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.DEBUG = False
    with pytest.raises(Exception, match="HTTPS"):
        ssrf.check_url("http://example.org/")


def test_delivery_checks_the_address_again(db, settings, receiver, analyst, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    hook(analyst, receiver.url, ["pledge.created"])
    with django_capture_on_commit_callbacks(execute=True):
        make.pledge()
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.DEBUG = True  # plain HTTP allowed: the address is what is refused
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.state == DeliveryState.FAILED and "not public" in delivery.last_error


# --- The API --------------------------------------------------------------------------------


def test_the_api_registers_lists_and_hides_others_webhooks(db, local, receiver, analyst):
    other = make.user("olga", "Analyst")
    theirs = hook(other, receiver.url)
    client, _ = make.token_client(analyst, can_write=True)
    answer = client.post(
        "/api/webhooks/",
        {"url": receiver.url, "events": ["pledge.status_changed"], "description": "mine"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert created["secret"].startswith("whsec_") and created["owner"] == "ana"
    listed = client.get("/api/webhooks/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [created["id"]]
    assert client.get(f"/api/webhooks/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/webhooks/{theirs.pk}/", {"active": False}, format="json").status_code == 404
    assert client.get(f"/api/webhooks/{theirs.pk}/deliveries/").status_code == 404


def test_the_api_refuses_bad_events_and_anonymous_clients(db, local, receiver, analyst, public):
    client, _ = make.token_client(analyst, can_write=True)
    answer = client.post("/api/webhooks/", {"url": receiver.url, "events": ["pledge.eaten"]}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["events"]
    answer = client.post("/api/webhooks/", {"url": "not a url", "events": []}, format="json")
    assert answer.status_code == 400 and set(answer.json()) == {"url", "events"}
    assert Client().get("/api/webhooks/").status_code in (401, 403)
    viewer = make.user("vic", "Viewer")
    viewer_client, _ = make.token_client(viewer, can_write=True)
    assert viewer_client.get("/api/webhooks/").status_code == 403
    assert (
        viewer_client.post("/api/webhooks/", {"url": receiver.url, "events": ["*"]}, format="json").status_code == 403
    )


def test_replay_through_the_api_resends_with_the_same_id(
    db, local, receiver, analyst, django_capture_on_commit_callbacks
):
    webhook = hook(analyst, receiver.url, ["pledge.created"])
    with django_capture_on_commit_callbacks(execute=True):
        make.pledge()
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    delivery = WebhookDelivery.objects.get()
    client, _ = make.token_client(analyst, can_write=True)
    rows = client.get(f"/api/webhooks/{webhook.pk}/deliveries/").json()
    assert [row["event_id"] for row in rows] == [delivery.event_id] and rows[0]["state"] == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/api/webhooks/{webhook.pk}/deliveries/{delivery.pk}/replay/")
    assert answer.status_code == 202 and answer.json()["state"] == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == delivery.event_id
    assert first["body"] == second["body"]
    read_only, _ = make.token_client(analyst, can_write=False)
    assert read_only.post(f"/api/webhooks/{webhook.pk}/deliveries/{delivery.pk}/replay/").status_code == 403


# --- The admin ------------------------------------------------------------------------------


def test_the_admin_replays_and_sends_a_test_event(db, local, receiver, analyst, django_capture_on_commit_callbacks):
    webhook = hook(analyst, receiver.url, ["pledge.created"])
    other = hook(make.user("olga", "Analyst"), receiver.url)
    browser = Client()
    browser.force_login(analyst)
    changelist = browser.get(reverse("admin:commitments_webhook_changelist"))
    assert changelist.status_code == 200
    assert f"/admin/commitments/webhook/{webhook.pk}/change/" in changelist.content.decode()
    assert f"/admin/commitments/webhook/{other.pk}/change/" not in changelist.content.decode()
    page = browser.get(reverse("admin:commitments_webhook_change", args=[webhook.pk])).content.decode()
    assert webhook.secret in page
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            reverse("admin:commitments_webhook_changelist"),
            {"action": "send_test_event", "_selected_action": [webhook.pk]},
        )
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    test_delivery = WebhookDelivery.objects.get(event_type="webhook.test")
    assert test_delivery.state == DeliveryState.SUCCEEDED
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(
            reverse("admin:commitments_webhookdelivery_changelist"),
            {"action": "replay", "_selected_action": [test_delivery.pk]},
        )
    assert answer.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    assert [request["headers"]["webhook-id"] for request in receiver.requests] == [test_delivery.event_id] * 2


def test_the_admin_refuses_a_private_url(db, settings, analyst):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    browser = Client()
    browser.force_login(analyst)
    answer = browser.post(
        reverse("admin:commitments_webhook_add"), {"url": "https://127.0.0.1/hook", "events": ["*"], "active": "on"}
    )
    assert answer.status_code == 200
    assert "not public" in answer.context["adminform"].form.errors["url"][0]
    assert not Webhook.objects.exists()


def test_a_write_through_the_api_is_an_event(db, local, receiver, analyst, django_capture_on_commit_callbacks):
    webhook = hook(analyst, receiver.url, ["pledge.created", "state.*"])
    make.state("FR", "France")
    client, _ = make.token_client(analyst, can_write=True)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/pledges/",
            {"slug": "api-made", "title": "Made through the API", "category": "troops", "pledgers": ["FR"]},
            format="json",
        )
    assert answer.status_code == 201, answer.json()
    [delivery] = webhook.deliveries.all()
    assert delivery.event_type == "pledge.created"
    assert delivery.payload["data"]["api_url"] == f"/api/pledges/{answer.json()['id']}/"
    rows = client.get(f"/api/webhooks/{webhook.pk}/deliveries/?state=pending&event_type=pledge.created").json()
    assert [row["id"] for row in rows] == [delivery.pk]
    wrong = client.get(f"/api/webhooks/{webhook.pk}/deliveries/?state=lost")
    assert wrong.status_code == 400 and list(wrong.json()) == ["state"]
