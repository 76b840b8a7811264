"""Read replica routing (DATABASE_REPLICA_URL, tracker/db_routers.py): safe requests to the public
pages and the read-only API read the register from the replica; the admin, every write, reads
inside a transaction or after a write, and a client's reads for a while after it wrote go to the
primary; `?release=` still reads the release's snapshot; without a replica nothing changes.

The replica here is a second connection to the test database itself (what `"TEST": {"MIRROR":
"default"}` gives a configured replica), so each query shows on the alias that sent it. The
tests commit what they write (transactional_db): a read on the replica connection sees only what
is committed, as on a real standby."""

import json
import warnings

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from commitments import models
from commitments.releases import make_release
from tracker import db_routers
from tracker.db_routers import REPLICA, ReplicaRouter, reading_replica
from tracker.middleware import ReplicaPinningMiddleware

from . import builders as make
from .test_settings import SQLITE, STRONG, run

ROUTERS = ["commitments.releases.routing.ReleaseRouter", "tracker.db_routers.ReplicaRouter"]


@pytest.fixture
def replica(transactional_db, settings):
    """A replica alias beside the default one, with the router and the middleware installed."""
    # Made here, not in settings.DATABASES: the test case allows its own connections only, and one
    # made while it runs (as the release snapshots' are).
    configured = connections.configure_settings(
        {"default": {}, REPLICA: {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}}
    )[REPLICA]
    connections[REPLICA] = connections["default"].__class__(configured, REPLICA)
    settings.DATABASE_ROUTERS = ROUTERS
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],
        "tracker.middleware.ReplicaPinningMiddleware",
        *settings.MIDDLEWARE[1:],
    ]
    settings.PUBLIC_READ = True
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]


def register_tables(queries) -> list[str]:
    """The queries of `queries` that read the register's own tables (not the token, session, user…)."""
    return [q["sql"] for q in queries if "commitments_" in q["sql"] and "commitments_apitoken" not in q["sql"]]


class Reads:
    """The register queries each alias received inside the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections[REPLICA]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @property
    def on_primary(self):
        return register_tables(self.primary.captured_queries)

    @property
    def on_replica(self):
        return register_tables(self.replica.captured_queries)


@pytest.fixture
def pledge(replica):
    return make.pledge("troops-for-reassurance", pledgers=("FR",))


@pytest.mark.parametrize("path", ["/", "/pledges/", "/states/FR/", "/api/pledges/", "/api/states/FR/"])
def test_public_pages_and_api_reads_go_to_the_replica(pledge, client, path):
    with Reads() as reads:
        response = client.get(path)
    assert response.status_code == 200
    assert reads.on_replica and not reads.on_primary, reads.on_primary


def test_a_pledge_read_from_the_replica_is_what_the_primary_holds(pledge, client):
    with Reads() as reads:
        body = client.get(f"/api/pledges/{pledge.pk}/").json()
    assert body["slug"] == "troops-for-reassurance" and reads.on_replica and not reads.on_primary


def test_head_reads_the_replica_too(pledge, client):
    with Reads() as reads:
        assert client.head("/pledges/").status_code == 200
    assert reads.on_replica and not reads.on_primary


def test_the_admin_reads_the_primary(pledge, client):
    client.force_login(make.user(superuser=True))
    with Reads() as reads:
        assert client.get("/admin/commitments/pledge/").status_code == 200
        assert client.get(f"/admin/commitments/pledge/{pledge.pk}/change/").status_code == 200
    assert reads.on_primary and reads.replica.captured_queries == []


def test_a_language_prefix_does_not_open_the_admin_to_the_replica():
    middleware = ReplicaPinningMiddleware(lambda request: None)
    assert middleware.primary_path("/uk/admin/commitments/pledge/")
    assert middleware.primary_path("/en-gb/api/changes/")
    assert not middleware.primary_path("/uk/pledges/")
    assert not middleware.primary_path("/ukraine/admin/")


def test_the_change_feed_reads_the_primary(pledge, client):
    """Its cursor must never pass a change the replica has not replayed yet."""
    with Reads() as reads:
        assert client.get("/api/changes/").status_code == 200
    assert reads.on_primary and reads.replica.captured_queries == []


def test_an_api_write_goes_to_the_primary_and_the_writer_then_reads_the_primary(pledge, settings):
    settings.API_REQUIRE_IF_MATCH = False
    writer = make.token_client(make.user(role="Analyst", staff=False), can_write=True)[0]
    with Reads() as reads:
        response = writer.patch(f"/api/pledges/{pledge.pk}/", {"title": "Troops, renamed"}, format="json")
    assert response.status_code == 200, response.content
    assert reads.on_primary and reads.replica.captured_queries == []
    assert models.Pledge.objects.get(pk=pledge.pk).title == "Troops, renamed"
    # Its next reads (no cookie kept: a script) go to the primary, marked in the cache under its token.
    writer.cookies.clear()
    with Reads() as reads:
        assert writer.get(f"/api/pledges/{pledge.pk}/").json()["title"] == "Troops, renamed"
    assert reads.on_primary and reads.replica.captured_queries == []
    # Another client has not written: it reads the replica.
    reader = make.token_client(make.user(role="Viewer", staff=False), can_write=False)[0]
    with Reads() as reads:
        assert reader.get(f"/api/pledges/{pledge.pk}/").status_code == 200
    assert reads.on_replica and not reads.on_primary


def test_a_browser_that_posted_reads_the_primary_while_its_cookie_lasts(pledge, client, settings):
    settings.DATABASE_REPLICA_LAG_SECONDS = 7
    response = client.post("/admin/login/", {"username": "nobody", "password": "wrong"})
    cookie = response.cookies[ReplicaPinningMiddleware.COOKIE]
    assert cookie["max-age"] == 7 and cookie["httponly"]
    with Reads() as reads:
        assert client.get("/pledges/").status_code == 200
    assert reads.on_primary and reads.replica.captured_queries == []
    client.cookies.pop(ReplicaPinningMiddleware.COOKIE)  # the cookie expired
    with Reads() as reads:
        assert client.get("/pledges/").status_code == 200
    assert reads.on_replica and not reads.on_primary


def test_a_release_read_still_reads_the_snapshot(pledge, client):
    make_release("Release one")
    models.Pledge.objects.filter(pk=pledge.pk).update(title="Changed since the release")
    with Reads() as reads:
        body = client.get("/api/pledges/?release=1").json()
    assert [p["title"] for p in body["results"]] == [pledge.title]
    assert not any("commitments_pledge" in sql for sql in reads.on_replica + reads.on_primary)


def test_deep_healthz_checks_the_replica(replica, client, settings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Overriding setting DATABASES…": only the health check reads it here
        settings.DATABASES = {**settings.DATABASES, REPLICA: replica.settings_dict}
    body = client.get("/healthz?deep=1").json()
    assert body["services"] == {"replica": "ok"}


def test_inside_a_request_reads_after_a_write_and_inside_a_transaction_go_to_the_primary(replica):
    with reading_replica():
        assert db_routers.READS.get().replica
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            models.State.objects.count()
        assert len(on_replica) == 1
        with transaction.atomic(), CaptureQueriesContext(connections[REPLICA]) as on_replica:
            models.State.objects.count()
        assert len(on_replica) == 0, "a transaction reads its own snapshot"
        make.state("FR")
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert models.State.objects.filter(code="FR").exists()
        assert len(on_replica) == 0, "a request that wrote reads what it wrote"


def test_outside_a_request_everything_is_on_the_primary(replica):
    """Management commands, the seed, the worker, migrations: no request, no replica."""
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        models.State.objects.count()
    assert len(on_replica) == 0


def test_users_tokens_and_sessions_are_never_read_from_the_replica(replica):
    router = ReplicaRouter()
    with reading_replica():
        assert router.db_for_read(models.Pledge) == REPLICA
        assert router.db_for_read(models.ApiToken) is None
        from django.contrib.auth.models import User
        from django.contrib.sessions.models import Session

        assert router.db_for_read(User) is None and router.db_for_read(Session) is None


def test_a_record_read_from_the_replica_is_saved_to_the_primary(pledge):
    with reading_replica():
        read = models.State.objects.get(code="FR")
    assert read._state.db == REPLICA
    router = ReplicaRouter()
    assert router.db_for_write(models.State, instance=read) == "default"
    assert router.allow_relation(read, pledge) is True
    assert router.allow_migrate(REPLICA, "commitments") is False
    assert router.allow_migrate("default", "commitments") is None


PRINT = (
    "from django.conf import settings as s; import json; "
    "print(json.dumps([sorted(s.DATABASES), s.DATABASE_ROUTERS, s.MIDDLEWARE[:2], "
    "s.DATABASES.get('replica', {}).get('TEST')]))"
)


def test_without_a_replica_nothing_changes():
    result = run({"DEBUG": "true"}, PRINT)
    assert result.returncode == 0, result.stderr
    databases, routers, middleware, _ = json.loads(result.stdout)
    assert databases == ["default"]
    assert routers == ["commitments.releases.routing.ReleaseRouter"]
    assert "tracker.middleware.ReplicaPinningMiddleware" not in middleware


def test_database_replica_url_adds_the_replica_after_the_release_router():
    result = run(
        {"DEBUG": "true", "DATABASE_URL": SQLITE, "DATABASE_REPLICA_URL": "sqlite:////tmp/replica.sqlite3"}, PRINT
    )
    assert result.returncode == 0, result.stderr
    databases, routers, middleware, test = json.loads(result.stdout)
    assert databases == ["default", "replica"]
    assert routers == ROUTERS, "the release router first: it wins for ?release= reads"
    assert middleware == ["tracker.middleware.RequestIdMiddleware", "tracker.middleware.ReplicaPinningMiddleware"]
    assert test["MIRROR"] == "default"


def test_a_replica_of_another_kind_of_database_is_refused():
    result = run(
        {
            "DEBUG": "false",
            "SECRET_KEY": STRONG,
            "DATABASE_URL": SQLITE,
            "DATABASE_REPLICA_URL": "postgres://reader@replica:5432/tracker",
        },
        PRINT,
    )
    assert result.returncode != 0 and "DATABASE_REPLICA_URL names another kind of database" in result.stderr
