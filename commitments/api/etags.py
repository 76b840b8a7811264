"""ETags and conditional GETs of the API's JSON answers (If-None-Match, 304)."""

import hashlib
import json

from django.http import HttpResponseNotModified
from django.utils import translation
from rest_framework import status
from rest_framework.response import Response

from .schema import ConditionalGetSchema


def content_etag(data) -> str:
    """A digest of the answer and of its language: the words of an answer (labels, messages) follow
    the language (docs/i18n.md), so one language's tag never validates the other's copy."""
    body = json.dumps([translation.get_language(), data], sort_keys=True, default=str)
    digest = hashlib.sha256(body.encode()).hexdigest()
    return f'"{digest[:32]}"'


def none_match(header: str | None, etag: str) -> bool:
    """If-None-Match holds the current ETag (RFC 9110 §13.1.2: weak comparison, so `W/"x"` matches
    `"x"`; `*` matches any current representation)."""
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


class ConditionalGetMixin:
    """Every JSON answer to a GET carries an ETag, and a client sending it back in If-None-Match
    gets `304 Not Modified` with no body while the representation is unchanged.

    The ETag is a digest of the representation (records, list pages, the change feed, the root),
    except where the view set one already: a pledge's, its `version` (what If-Match compares) and
    a digest of the body (`pledge_etag`). A list page's ETag costs its queries and one hash of what it would
    send: cheaper than an ETag from `max(updated_at)` and a count, which would need a query per
    list and would miss what a page shows of other records (a summit's hosts, a pledge's citations,
    sources without `updated_at`); the 304 saves the transfer, not the queries. The browsable
    pages (HTML) are left alone: they show the signed-in user too."""

    schema = ConditionalGetSchema()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != status.HTTP_200_OK
            or not isinstance(response, Response)
            or response.data is None
            or getattr(response.accepted_renderer, "format", None) != "json"
        ):
            return response
        if not response.has_header("ETag"):
            response["ETag"] = content_etag(response.data)
        if none_match(request.headers.get("If-None-Match"), response["ETag"]):
            unchanged = HttpResponseNotModified()
            for header in ("ETag", "Vary", "Cache-Control"):  # RFC 9110 §15.4.5: what a 200 would carry
                if response.has_header(header):
                    unchanged[header] = response[header]
            return unchanged
        return response
