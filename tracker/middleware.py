"""A request id on every request, every response and every log line written while handling it, so
an error a user reports ("request id 3f2a…") leads to its log lines; the Content-Security-Policy
header, with the exceptions a page's renderer declares; the language of every answer; and, with a
read replica, whether a request may read it."""

import contextvars
import hashlib
import logging
import re
import uuid

import csp.middleware
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

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


# `?lang=` names a language by its short code; "en" is the register's English (en-gb).
LANG_PARAMETER = "lang"
LANG_CODES = {"en": "en-gb", "en-gb": "en-gb", "uk": "uk"}


def language_from_query(request) -> tuple[str | None, bool]:
    """The language `?lang=` asks for: (code, True) for a supported one, (None, False) for a bad
    value, (None, True) when the parameter is absent or empty."""
    raw = request.GET.get(LANG_PARAMETER)
    if raw is None or raw == "":
        return None, True
    code = LANG_CODES.get(raw.strip().lower())
    return code, code is not None


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (the language cookie set by the switcher, then Accept-Language,
    then LANGUAGE_CODE), with `?lang=en|uk` deciding before all of them on any request. A value
    other than those is a 400 naming the parameter on the API, and ignored on the pages (a shared
    link with a stray parameter still opens). URLs carry no language prefix (docs/i18n.md).

    Every answer says its language (Content-Language) and varies on what chose it: Accept-Language
    (LocaleMiddleware's) and Cookie (the switcher's cookie), so a cache never serves one
    language's body for the other; an answer chosen by `?lang=` has its own URL."""

    def process_request(self, request):
        super().process_request(request)  # cookie, Accept-Language: also the language of a 400 below
        code, valid = language_from_query(request)
        if not valid and request.path_info.startswith("/api/"):
            message = gettext("Unknown language “%(value)s”: use one of %(choices)s.") % {
                "value": request.GET.get(LANG_PARAMETER),
                "choices": ", ".join(sorted(set(LANG_CODES) - {"en-gb"})),
            }
            return JsonResponse({LANG_PARAMETER: [message]}, status=400)
        if code is not None:
            translation.activate(code)
            request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response


LANG_SCHEMA_PARAMETER = {
    "in": "query",
    "name": LANG_PARAMETER,
    "required": False,
    "schema": {"type": "string", "enum": ["en", "uk"]},
    "example": "uk",
    "description": "The language of the answer's words (error messages, labels): `en` (English, the default) or "
    "`uk` (Ukrainian). Without it, Accept-Language decides. Values (dates, numbers, codes) are the same in both; "
    "another value is a 400 naming `lang`.",
}


def document_lang_parameter(result, generator, request, public):
    """drf-spectacular postprocessing hook: `?lang=` on every operation of the API."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in ("get", "put", "patch", "post", "delete", "head", "options"):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == LANG_PARAMETER and p.get("in") == "query" for p in parameters):
                    parameters.append(dict(LANG_SCHEMA_PARAMETER))
    return result
