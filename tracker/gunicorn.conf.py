"""gunicorn's settings for the web service (`bin/start-web` passes `-c tracker/gunicorn.conf.py`).

Why not gunicorn's defaults: its default `sync` worker tells the master it is alive only between
requests, so a request longer than `timeout` (30 s) has its worker killed in the middle. A full
CSV export is one such request: at a million pledges the worker was killed ~160,000 rows in and
the client, already sent `200`, got a short file. The `gthread` worker serves each request in a
thread while its main thread keeps telling the master it is alive, so `timeout` bounds a worker
that hangs, not a response that takes long; a streamed export runs to its end. Should a worker
still die mid-stream (killed, out of memory), the chunked response ends without its last chunk,
which HTTP clients report as an error, and the export's `X-Row-Count` header says how many rows
a complete file has (docs/exports.md, "Streaming and memory").

Every setting can be changed from the environment (README, "Configuration")."""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, not {value}")
    return value


bind = f"0.0.0.0:{_int('PORT', 8000)}"
# Worker processes; each serves THREADS requests at once.
workers = _int("WEB_CONCURRENCY", 3)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
# Seconds a worker may go silent (hung, not merely busy with a long response) before the master
# replaces it; with gthread a long export does not count against it.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection stays open (a proxy in front usually pools them).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
accesslog = "-"
# gunicorn's control socket (for `gunicornc`) is not used here; off, so that two servers on one
# machine (tests, a benchmark beside the service) do not fight over the same socket file.
control_socket_disable = True
