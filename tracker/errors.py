"""What a failure looks like to the person or program that met it: JSON under /api/ and /healthz, a
plain page elsewhere; 503 with Retry-After while the database cannot be reached (a restart, a
failover: try again shortly), 500 with the request id otherwise. Never a traceback."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

RETRY_AFTER_SECONDS = 5


def database_unavailable(exc) -> bool:
    """An error reaching or keeping a connection to the database (refused, closed, timed out)."""
    return isinstance(exc, (OperationalError, InterfaceError))


def wants_json(request) -> bool:
    return request.path.startswith(("/api/", "/healthz")) or "application/json" in request.headers.get("Accept", "")


def server_error(request):
    """handler500: called by Django inside the `except` of the failure, so the error is at hand."""
    exc = sys.exc_info()[1]
    request_id = getattr(request, "request_id", "")
    if database_unavailable(exc):
        status, detail = 503, "The database cannot be reached just now; try again in a few seconds."
    else:
        status, detail = 500, "Something went wrong on our side; the request id says where to look."
    if wants_json(request):
        response = JsonResponse({"detail": detail, "request_id": request_id}, status=status)
    else:
        page = loader.get_template("error.html").render({"status": status, "detail": detail, "request_id": request_id})
        response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
