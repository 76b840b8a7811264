"""Request body parsing: JSON only, size-limited before it is read into memory."""

import io

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class LimitedJSONParser(JSONParser):
    """DRF reads the body stream itself, bypassing Django's DATA_UPLOAD_MAX_MEMORY_SIZE check on
    `request.body`; this parser applies that limit, so a huge body is refused, not buffered."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge(f"Request body larger than {limit} bytes.")
        return super().parse(io.BytesIO(body), media_type, parser_context)
