"""`?release=N` on every list, detail and export endpoint (`ReleaseReadMixin`): what the register
said in release N, read from its snapshot through the same views (commitments/releases/routing.py)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from ..models import Release
from ..releases import routing
from .pagination import one_value

PARAMETER = "release"
NUMBER_MESSAGE = _("A release number: a whole number of 1 or more (GET /api/releases/ lists them).")


def release_number(raw: str, name: str = PARAMETER) -> int:
    """A release number from the request, or a 400 naming the parameter."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) >= 1):
        raise exceptions.ValidationError({name: [NUMBER_MESSAGE]})
    return int(raw)


def find_release(number: int) -> Release:
    release = Release.objects.metadata().filter(number=number).first()
    if release is None:
        raise exceptions.NotFound(
            gettext("There is no release %(number)d: GET /api/releases/ lists the releases.") % {"number": number}
        )
    return release


class ReleaseReadMixin:
    """`?release=N`: the view reads release N's snapshot instead of the live register. Checked after
    authentication, the read rule and the throttles (`initial`), so a visitor who may not read learns
    nothing of the releases; a bad number is a 400, an unknown one a 404, a write a 400. A streamed
    answer (a CSV export) reads the snapshot as it streams."""

    # False: the endpoint cannot answer for a past release (the change feed reads the audit trail,
    # which a release does not hold); `?release=` there is a 400.
    release_readable = True
    release = None
    _release_token = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            return  # a method the view does not offer: its 405, whatever the query says
        raw = one_value(request, PARAMETER)
        if raw is None or raw == "":
            return
        number = release_number(raw)
        if request.method not in permissions.SAFE_METHODS:
            raise exceptions.ValidationError(
                {PARAMETER: [gettext("A release cannot be changed: write to the live register, without ?release=.")]}
            )
        if not self.release_readable:
            raise exceptions.ValidationError(
                {PARAMETER: [gettext("This endpoint answers for the live register only.")]}
            )
        self.release = find_release(number)
        self._release_token = routing.CURRENT.set(routing.open_release(self.release))

    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        finally:
            token, self._release_token = self._release_token, None
            if token is not None:
                alias = routing.CURRENT.get()
                routing.CURRENT.reset(token)
        if token is not None:
            response["X-Release"] = str(self.release.number)
            if getattr(response, "streaming", False) and not hasattr(response, "file_to_stream"):
                response.streaming_content = routing.bound(alias, response.streaming_content)
        return response


RELEASE_PARAMETER = {
    "in": "query",
    "name": PARAMETER,
    "required": False,
    "schema": {"type": "integer", "minimum": 1},
    "description": "Answer as the register stood in this numbered release (`/api/releases/` lists them), not as it "
    "stands now: the same filters, fields and files, read from the release's frozen snapshot. An unknown release "
    "is a 404; writes refuse it.",
}


def document_release_parameter(result, generator, request, public):
    """`?release=` on every read that takes it: the list, detail and export operations (not the
    releases' own addresses, the change feed, the review queue (edits of the live register, never
    in a release), the webhooks (a client's settings, not the register), the schema or the API root)."""
    skip = ("/api/releases/", "/api/changes/", "/api/revisions/", "/api/webhooks/", "/api/schema/", "/api/docs/")
    for path, operations in result.get("paths", {}).items():
        if path.startswith(skip) or path == "/api/":
            continue
        operation = operations.get("get")
        if operation is not None:
            operation.setdefault("parameters", []).append({**RELEASE_PARAMETER, "example": 1})
    return result
