"""A request id on every request, every response and every log line written while handling it, so
an error a user reports ("request id 3f2a…") leads to its log lines; the Content-Security-Policy
header, with the exceptions a page's renderer declares; and, with a read replica, whether a request
may read it."""

import contextvars
import hashlib
import logging
import re
import uuid

import csp.middleware

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# An id sent by a proxy or a client (X-Request-ID) is kept when it is a plain token, else replaced.
SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request.request_id = sent if SANE_ID.fullmatch(sent) else uuid.uuid4().hex
        token = REQUEST_ID.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record ("-" outside a request). Records get it when they are
    made (the record factory below), so every handler sees it; the filter keeps a record made
    before this module was imported from breaking the format."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class DatabaseOutageFilter(logging.Filter):
    """A request that failed because the database could not be reached is logged as one warning line
    (it is answered 503, and a restart makes hundreds), not as an error with a traceback."""

    def filter(self, record):
        from django.db import InterfaceError, OperationalError

        if (
            record.name == "django.request"
            and record.exc_info
            and isinstance(record.exc_info[1], OperationalError | InterfaceError)
        ):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            path = record.args[-1] if record.args else "?"
            record.msg, record.args = "Database unavailable (503) for %s: %s", (path, record.exc_info[1])
            record.exc_info = record.exc_text = None
        return True


_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs):
    record = _make_record(*args, **kwargs)
    record.request_id = REQUEST_ID.get()
    return record


logging.setLogRecordFactory(_record_with_request_id)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's Content-Security-Policy header, where a REST framework response also takes the
    `csp_update` of the renderer that wrote it (commitments/api/renderers.py): the exception goes
    with the page that needs it, not with every response."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        update = getattr(getattr(response, "accepted_renderer", None), "csp_update", None)
        if update and not report_only:
            parts.update = {**(parts.update or {}), **update}
        return parts


class ReplicaPinningMiddleware:
    """Whether this request may read the read replica (tracker/db_routers.py), installed only when
    DATABASE_REPLICA_URL is set: GET and HEAD of the public pages and the read-only API may; the
    admin, the change feed (its cursor must never pass a change the replica has not replayed yet),
    the health check (it checks each database itself) and every write may not.

    Reads after a write: a client that sent a write (any other method) reads the primary for
    DATABASE_REPLICA_LAG_SECONDS afterwards, so it never reads back less than it wrote. A browser
    is told by a cookie; a token client (which may keep no cookies) by a mark in the shared cache
    under a hash of its Authorization header. Without a reachable cache, it reads the primary."""

    COOKIE = "tracker_wrote"
    PRIMARY_PATHS = ("/admin/", "/api/changes/", "/healthz")
    SAFE_METHODS = ("GET", "HEAD")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        from . import db_routers

        safe = request.method in self.SAFE_METHODS
        allowed = safe and not self.primary_path(request.path) and not self.wrote_recently(request)
        with db_routers.reading_replica(allowed):
            response = self.get_response(request)
        if not safe:
            lag = settings.DATABASE_REPLICA_LAG_SECONDS
            response.set_cookie(
                self.COOKIE, "1", max_age=lag, secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax"
            )
            if key := self.pin_key(request):
                self._cache_call("set", key, 1, lag)
        return response

    def primary_path(self, path: str) -> bool:
        """Whether `path` (with or without a language prefix such as /uk/) always reads the primary."""
        from django.conf import settings

        for code, _ in settings.LANGUAGES:
            if path.startswith(f"/{code}/"):
                path = path[len(code) + 1 :]
                break
        return path.startswith(self.PRIMARY_PATHS)

    def wrote_recently(self, request) -> bool:
        if request.COOKIES.get(self.COOKIE):
            return True
        key = self.pin_key(request)
        if key is None:
            return False
        return self._cache_call("get", key) is not False  # marked, or the cache cannot tell

    @staticmethod
    def pin_key(request) -> str | None:
        credentials = request.headers.get("Authorization")
        if not credentials:
            return None
        return "replica-pin:" + hashlib.sha256(credentials.encode()).hexdigest()[:32]

    @staticmethod
    def _cache_call(method, *args):
        """The cache's answer; None when the cache cannot be reached (logged)."""
        from django.core.cache import cache

        from commitments import caching

        if caching.paused():
            return None
        try:
            if method == "get":
                return cache.get(args[0], False)
            return cache.set(*args)
        except caching.cache_errors() as error:
            caching.pause()
            logging.getLogger(__name__).warning("Replica routing: the cache cannot be reached (%s)", error)
            return None
