"""Errors as JSON with a status the client can act on, never a 500 for bad input."""

import math

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


def field_messages(error: DjangoValidationError, renames: dict[str, str | None] | None = None) -> dict | list:
    """A model ValidationError as DRF's error body: {field: [messages]}, non-field messages under
    `non_field_errors`. `renames` maps model field names to the request's (None: not a request
    field, reported under `non_field_errors`), e.g. `services.STATUS_CHANGE_NAMES`."""
    key = api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(error, "error_dict"):
        return {key: error.messages}
    renames = {NON_FIELD_ERRORS: None, **(renames or {})}
    body: dict[str, list] = {}
    for field, messages in error.message_dict.items():
        body.setdefault(renames.get(field, field) or key, []).extend(messages)
    return body


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Request body too large.")
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The change conflicts with other records.")
    default_code = "conflict"


class Throttled(exceptions.Throttled):
    """429 with the wait in the request's language. DRF's own puts the number into its English
    sentence before looking the sentence up, so no catalogue can translate it; this one keeps the
    number a placeholder. The English text is DRF's, word for word."""

    def __init__(self, wait=None):
        detail = gettext("Request was throttled.")
        if wait is not None:
            wait = math.ceil(wait)
            detail = " ".join(
                (
                    detail,
                    ngettext("Expected available in %(wait)d second.", "Expected available in %(wait)d seconds.", wait)
                    % {"wait": wait},
                )
            )
        exceptions.APIException.__init__(self, detail)
        self.wait = wait  # DRF's handler sends it as Retry-After


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # DRF reads JSON through request.body, where Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE.
        exc = PayloadTooLarge(
            gettext("Request body larger than %(limit)s bytes.") % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_messages(exc))
    elif isinstance(exc, ProtectedError):
        names = sorted({str(obj) for obj in exc.protected_objects})[:5]
        exc = Conflict(gettext("Other records still depend on this one: %(records)s.") % {"records": "; ".join(names)})
    elif isinstance(exc, exceptions.Throttled) and not isinstance(exc, Throttled):
        exc = Throttled(exc.wait)
    elif isinstance(exc, IntegrityError):
        # The serializers validate constraints first; this is a concurrent write that won the race.
        exc = Conflict(gettext("The change conflicts with a record written meanwhile; reload and try again."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    set_rollback()
    return response
