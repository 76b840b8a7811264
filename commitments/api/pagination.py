"""Keyset ("cursor") pagination: each page is one indexed range query, never a COUNT(*) or an
OFFSET, so page 20,000 of a million rows costs what page 1 costs.

Rows are ordered by one field and then by id, which makes the order total and stable: a row
inserted or changed while a client pages through is neither skipped twice nor shown twice in
the same position. NULLs sort last in both directions, on PostgreSQL and SQLite alike. The
cursor is opaque to clients (base64 JSON of the ordering, the last row's value and id)."""

import base64
import binascii
import datetime
import decimal
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


def encode_cursor(payload: list) -> str:
    def plain(value):
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()  # full microseconds: DjangoJSONEncoder would cut them
        if isinstance(value, decimal.Decimal):
            return str(value)
        return value

    raw = json.dumps([plain(value) for value in payload], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, length: int, param: str = "cursor") -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, list) or len(payload) != length:
        raise exceptions.ValidationError({param: ["Invalid cursor: use the `next` link of a previous page."]})
    return payload


def one_value(request, name: str, default=None):
    """A parameter that takes one value; given twice it is a 400, not a silent choice of the last."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise exceptions.ValidationError({name: [f"Give {name} once: it takes one value ({len(values)} were given)."]})
    return values[0] if values else default


def positive_int(request, name: str, default: int, maximum: int) -> int:
    raw = one_value(request, name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not 1 <= int(raw) <= maximum:
        raise exceptions.ValidationError({name: [f"A whole number from 1 to {maximum}."]})
    return int(raw)


class KeysetPagination(BasePagination):
    """Forward paging by `next` link. The view names its default ordering field
    (`keyset_ordering`, default "id") and may let clients choose another with `?ordering=` from
    `ordering_fields` ("-field" for descending; id always breaks ties)."""

    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def ordering(self, request, view) -> tuple[str, bool]:
        default = getattr(view, "keyset_ordering", "id")
        allowed = getattr(view, "ordering_fields", ())
        raw = one_value(request, "ordering", "") if allowed else ""
        if not raw:
            raw = default
        if "," in raw:
            raise exceptions.ValidationError({"ordering": ["Order by one field at a time; id always breaks ties."]})
        field = raw.removeprefix("-")
        if raw != default and field not in allowed:
            raise exceptions.ValidationError({"ordering": [f"Choose one of: {', '.join(allowed)}."]})
        return field, raw.startswith("-")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = positive_int(request, self.page_size_query_param, self.page_size, self.max_page_size)
        field, descending = self.ordering(request, view)
        self.field = field
        expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        queryset = queryset.order_by(expression, "-pk" if descending else "pk")

        raw_cursor = one_value(request, self.cursor_query_param)
        if raw_cursor:
            ordering, value, pk = decode_cursor(raw_cursor, 3)
            if ordering != ("-" if descending else "") + field or not isinstance(pk, int) or not 0 <= pk < 2**63:
                raise exceptions.ValidationError(
                    {"cursor": ["This cursor belongs to another ordering: start again without a cursor."]}
                )
            if value is not None:
                try:
                    value = self.model_field(queryset, field).to_python(value)
                except (DjangoValidationError, TypeError, ValueError):
                    raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None
            queryset = queryset.filter(self.after(field, value, pk, descending))

        rows = list(queryset[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.next_cursor = None
        if self.has_next:
            last = rows[-1]
            self.next_cursor = encode_cursor([("-" if descending else "") + field, getattr(last, field), last.pk])
        return rows

    @staticmethod
    def model_field(queryset, name):
        annotation = queryset.query.annotations.get(name)
        return annotation.output_field if annotation is not None else queryset.model._meta.get_field(name)

    @staticmethod
    def after(field: str, value, pk: int, descending: bool) -> Q:
        """Rows that come after (value, pk) in the order: beyond the value, or equal with a later
        id, then (NULLs being last) every NULL; after a NULL, only NULLs with a later id."""
        beyond, pk_beyond = ("lt", "lt") if descending else ("gt", "gt")
        if value is None:
            return Q(**{f"{field}__isnull": True, f"pk__{pk_beyond}": pk})
        return (
            Q(**{f"{field}__{beyond}": value})
            | Q(**{field: value, f"pk__{pk_beyond}": pk})
            | Q(**{f"{field}__isnull": True})
        )

    def get_next_link(self):
        if not self.next_cursor:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "The next page; null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
