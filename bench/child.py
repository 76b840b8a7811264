"""The bench's Django-side tasks, each run in its own process against one database (DATABASE_URL),
printing one JSON object on its last line. Called by bench/harness.py, not by hand.

    prepare   superuser and a session for the admin; a state code and a category that exist
    api       API timings in-process: list page vs a bare WSGI app replaying the same SQL through
              psycopg; deep page vs page 1; orderings vs default page 1
    status    statements of one status change through POST /api/pledges/{id}/status/
"""

import datetime
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare() -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from commitments.models import Pledge, State

    users = get_user_model()
    user = users.objects.filter(username="bench-admin").first()
    if user is None:
        user = users.objects.create_superuser("bench-admin", "bench@example.invalid", None)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(7 * 86400)
    session.create()
    state = (
        State.objects.filter(name="France").values_list("code", "name").first()
        or State.objects.values_list("code", "name").first()
    )
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "state_code": state[0],
        "state_name": state[1],
        "pledges": Pledge.objects.count(),
    }


# --------------------------------------------------------------------------------------------
# API, in-process: both WSGI apps called the same way in this process


def call(app, path: str) -> tuple[int, int]:
    """Call a WSGI app as a server would (GET, the whole body read); (status, bytes)."""
    from urllib.parse import urlsplit

    parts = urlsplit(path)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status = []
    body = app(environ, lambda s, headers, exc_info=None: status.append(s))
    size = sum(len(chunk) for chunk in body)
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0]), size


def bare_app(statements: list[str]):
    """A bare WSGI app: the same SQL statements through one psycopg connection, every row they return as JSON."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    conn = psycopg.connect(
        **{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}, autocommit=True
    )

    def app(environ, start_response):
        results = []
        with conn.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    names = [c.name for c in cursor.description]
                    results.append([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])
        body = json.dumps({"results": results}, default=str).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def alternated(apps: dict, runs: int, *, budget: float = 1.0) -> dict[str, list[float]]:
    """{name: per-request seconds of each run}: after a warm-up, `runs` rounds; in each round every
    app serves a batch of requests in turn (batch size from the warm-up, about `budget` s)."""
    batch = {}
    for name, (app, path) in apps.items():
        for _ in range(2):  # warm-up: imports, templates, caches, connection
            status, _size = call(app, path)
            if status != 200:
                raise RuntimeError(f"{name}: {path} answered {status}")
        started = time.perf_counter()
        call(app, path)
        batch[name] = max(1, min(50, int(budget / max(time.perf_counter() - started, 1e-4))))
    times = {name: [] for name in apps}
    for _ in range(runs):
        for name, (app, path) in apps.items():
            started = time.perf_counter()
            for _ in range(batch[name]):
                call(app, path)
            times[name].append((time.perf_counter() - started) / batch[name])
    return times


def api(runs: int, state: str) -> dict:
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commitments.api.pagination import encode_cursor
    from commitments.models import Pledge

    django_app = get_wsgi_application()
    list_path = f"/api/pledges/?state={state}"
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(list_path, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.status_code
    statements = [q["sql"] for q in captured.captured_queries]
    bare = bare_app(statements)
    result = {"list_sql": statements}
    times = alternated({"django": (django_app, list_path), "bare": (bare, "/")}, runs)
    result["list"] = {name: statistics.median(t) for name, t in times.items()}
    result["list_runs"] = times

    # A page deep in the default order (id): the cursor the `next` links would have led to.
    count = Pledge.objects.count()
    position = min(500_000, count // 2)
    pk = Pledge.objects.order_by("pk").values_list("pk", flat=True)[position - 1]
    deep = f"/api/pledges/?cursor={encode_cursor(['id', pk, pk])}"
    result["deep_position"] = position
    pages = {
        "page1": "/api/pledges/",
        "deep": deep,
        "-amount_eur": "/api/pledges/?ordering=-amount_eur",
        "updated_at": "/api/pledges/?ordering=updated_at",
        "status_changed_on": "/api/pledges/?ordering=status_changed_on",
    }
    times = alternated({name: (django_app, path) for name, path in pages.items()}, runs, budget=0.5)
    result["pages"] = {name: statistics.median(t) for name, t in times.items()}
    result["pages_runs"] = times
    return result


def status_change() -> dict:
    """One status change through the API, as an analyst makes it, its SQL statements counted.
    It is a real write (through the write path) to the newest pledge of the small database, and it
    is published at once (REVIEW_REQUIRED off): the issue's target is the write of the change
    itself; with review on the same request is validated and queued, and the approval publishes it
    through this same write."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from commitments.choices import Status
    from commitments.models import Pledge, Source

    pledge = Pledge.objects.order_by("-pk").first()
    new = Status.IN_IMPLEMENTATION if pledge.status != Status.IN_IMPLEMENTATION else Status.STALLED
    source = Source.objects.order_by("pk").first()
    client = APIClient()
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    data = {
        "status": new,
        "effective_date": datetime.date.today().isoformat(),
        "note": "Benchmark: one status change",
        "source": source.key,
    }
    with override_settings(REVIEW_REQUIRED=False), CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/pledges/{pledge.pk}/status/",
            data,
            format="json",
            HTTP_IF_MATCH=f'"pledge-{pledge.pk}-v{pledge.version}"',
        )
    assert response.status_code == 201, response.content
    sql = [q["sql"] for q in captured.captured_queries]
    # Transaction control (BEGIN, COMMIT, savepoints) is counted apart from the statements that
    # read or write rows: a status change is one transaction whatever it holds.
    control = [s for s in sql if s.split(" ", 1)[0].upper() in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}]
    return {"statements": len(sql) - len(control), "transaction_control": len(control), "sql": sql}


def main() -> int:
    task = sys.argv[1]
    setup()
    if task == "prepare":
        result = prepare()
    elif task == "api":
        result = api(int(sys.argv[2]), sys.argv[3])
    elif task == "status":
        result = status_change()
    else:
        raise SystemExit(f"unknown task {task}")
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    sys.exit(main())
