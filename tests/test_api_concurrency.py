"""Issue 13 B and H: writes say which version they change, and writes racing each other or a
delete end in a clear 4xx, never a lost edit or a 500.

- Without If-Match, PUT, PATCH, DELETE and a status change are refused with 428 (RFC 6585),
  unless the deployment turns API_REQUIRE_IF_MATCH off.
- Writers that read, change and write back with If-Match lose no edit: a writer that lost the
  race gets 412 and tries again on a fresh read.
- A write racing a delete of the same pledge is a 404 (the pledge is found and locked in one
  query), not a 500 from a row that vanished between the lookup and the lock.
"""

import threading

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from commitments import models, services

from . import builders as make

STATUS_BODY = {"status": "announced", "effective_date": "2025-01-01", "note": "n"}


def write(client, method: str, pledge, **headers):
    """One write of each kind to the pledge, as an API client sends it."""
    url = f"/api/pledges/{pledge.pk}/"
    if method == "status":
        return client.post(f"{url}status/", {**STATUS_BODY, "source": make.source().key}, format="json", **headers)
    if method == "put":
        data = {"slug": pledge.slug, "title": "Replaced", "category": "troops", "pledgers": ["FR"]}
        return client.put(url, data, format="json", **headers)
    if method == "patch":
        return client.patch(url, {"title": "Patched"}, format="json", **headers)
    return client.delete(url, **headers)


@pytest.fixture
def root(db):
    return make.user(superuser=True)


@pytest.fixture
def api(root):
    return make.token_client(root, can_write=True)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete", "status"])
def test_a_write_without_if_match_is_428_and_changes_nothing(api, method):
    pledge = make.pledge("hubs", pledgers=("FR",))
    records = models.Pledge.history.count()
    response = write(api, method, pledge)
    assert response.status_code == 428, response.content
    detail = response.json()["detail"]
    assert "If-Match" in detail and "ETag" in detail and "GET /api/pledges/{id}/" in detail
    pledge.refresh_from_db()
    assert (pledge.title, pledge.version, pledge.status) == ("Pledge hubs", 1, "not_assessable")
    assert models.Pledge.history.count() == records


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete", "status"])
def test_a_deployment_may_allow_unconditional_writes(api, settings, method):
    settings.API_REQUIRE_IF_MATCH = False
    pledge = make.pledge("hubs", pledgers=("FR",))
    assert write(api, method, pledge).status_code in (200, 201, 204)
    stale = {"HTTP_IF_MATCH": '"pledge-0-v0"'}
    if method != "delete":  # a stale If-Match is still refused
        assert write(api, method, pledge, **stale).status_code == 412


@pytest.mark.django_db
def test_the_schema_says_if_match_is_required_and_428_can_be_the_answer(api):
    schema = api.get("/api/schema/?format=json").json()
    for path, method in (
        ("/api/pledges/{id}/", "put"),
        ("/api/pledges/{id}/", "patch"),
        ("/api/pledges/{id}/", "delete"),
        ("/api/pledges/{id}/status/", "post"),
    ):
        operation = schema["paths"][path][method]
        if_match = next(p for p in operation["parameters"] if p["name"] == "If-Match")
        assert if_match["required"] is True and if_match["in"] == "header"
        assert "428" in operation["responses"]
    assert "428" not in schema["paths"]["/api/pledges/"]["post"]["responses"]  # a create has no version


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: SQLite serialises whole writes, so no such race exists"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["put", "patch", "status", "delete"])
def test_a_write_racing_a_delete_is_a_404(api, root, method):
    """The deleter holds the pledge's row lock when the write arrives; the write waits, and once
    the delete commits, finds no pledge: 404. (Before, the write found the row, then lost it
    before its lock: DoesNotExist, a 500.)"""
    pledge = make.pledge("hubs", pledgers=("FR",))
    etag = make.if_match(pledge)
    locked, release = threading.Event(), threading.Event()

    def deleter():
        try:
            with transaction.atomic():
                services.delete_pledge(models.Pledge.objects.select_for_update().get(pk=pledge.pk), user=root)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=deleter)
    thread.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()  # the write below is waiting for the lock by then
    response = write(api, method, pledge, **etag)
    thread.join()
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"
    assert not models.Pledge.objects.filter(pk=pledge.pk).exists()


def read_modify_writes(root, pledge, writers: int, edits: int) -> dict:
    """`writers` clients, in threads, each with a token of its own, append `edits` marks to the
    pledge's description: read it, change it, write it back with If-Match, and read again after
    a 412. Returns the marks written, the 412s met and any other answer than 200 (a writer whose
    read fails gives up that edit)."""
    keys = [models.ApiToken.issue(root, name=f"writer {n}", can_write=True)[1] for n in range(writers)]
    conflicts, errors = [], []

    def writer(number: int):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[number]}")
        try:
            for edit in range(edits):
                mark = f"[{number}.{edit}]"
                while True:
                    read = client.get(f"/api/pledges/{pledge.pk}/")
                    if read.status_code != 200:
                        response = read
                        break
                    response = client.patch(
                        f"/api/pledges/{pledge.pk}/",
                        {"description": read.json()["description"] + mark},
                        format="json",
                        HTTP_IF_MATCH=read["ETag"],
                    )
                    if response.status_code != 412:
                        break
                    conflicts.append(mark)
                if response.status_code != 200:
                    errors.append((mark, response.status_code))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    marks = {f"[{n}.{e}]" for n in range(writers) for e in range(edits)}
    pledge.refresh_from_db()
    return {"marks": marks, "conflicts": conflicts, "errors": errors}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_read_modify_writes_lose_no_edit(root):
    """Every mark is in the description at the end, once, and the version counts every write."""
    writers, edits = 6, 4
    pledge = make.pledge("hubs", pledgers=("FR",), description="")
    run = read_modify_writes(root, pledge, writers, edits)
    pledge.refresh_from_db()
    assert not run["errors"]
    assert {mark for mark in run["marks"] if mark in pledge.description} == run["marks"]
    assert len(pledge.description) == sum(map(len, run["marks"]))  # each mark once
    assert pledge.version == 1 + writers * edits
