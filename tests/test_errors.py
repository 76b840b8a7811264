"""Failures as their reader needs them: JSON under /api/ and /healthz and a plain page elsewhere; 503
with Retry-After while the database cannot be reached, 500 with a request id otherwise; the id on
the response and on the log lines. Found by an adversarial run: API and /healthz failures during a
database outage were HTML 500 pages."""

import logging

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from commitments.api import views as api_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(settings):
    settings.PUBLIC_READ = True
    return Client(raise_request_exception=False)


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, sql, params=None):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(CursorWrapper, "execute", refuse)


@pytest.mark.parametrize("url", ["/api/pledges/", "/api/reports/summary.json", "/healthz", "/healthz?deep=1"])
def test_an_outage_is_a_json_503_with_retry_after(client, database_down, url):
    response = client.get(url)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert "database cannot be reached" in body["detail"] and body["request_id"] == response["X-Request-ID"]


def test_an_outage_on_a_page_is_a_plain_page_without_a_traceback(client, database_down):
    response = client.get("/pledges/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Briefly unavailable" in page and response["X-Request-ID"] in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_any_other_failure_is_a_500_with_the_request_id_in_the_answer_and_the_log(client, monkeypatch, caplog):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api_views.StateViewSet, "list", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/states/", HTTP_X_REQUEST_ID="req-0123456789")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side; the request id says where to look.",
        "request_id": "req-0123456789",
    }
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == "req-0123456789" and record.exc_info[0] is RuntimeError


def test_every_response_carries_a_request_id_and_a_bad_one_sent_is_replaced(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="trace-abcdef12")["X-Request-ID"] == "trace-abcdef12"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"
