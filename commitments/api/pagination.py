"""Keyset ("cursor") pagination: each page is one indexed range query, never a COUNT(*) or an
OFFSET, so page 20,000 of a million rows costs what page 1 costs.

Rows are ordered by one field and then by id, which makes the order total and stable: a row
inserted or changed while a client pages through is neither skipped twice nor shown twice in
the same position. NULLs sort last in both directions, on PostgreSQL and SQLite alike. The
cursor is opaque to clients (base64 JSON of the ordering, the last row's value and id).

The page after a cursor is a row comparison, `(field, id) > (value, id)` (`<` descending), which
PostgreSQL reads as the bounds of a scan of the `(field, id)` index (migration 0008 has one for
every ordering a list allows): the page at row 500,000 reads 51 index entries, as page 1 does.
An `OR field IS NULL` beside it would turn the bound into a filter over every row before the
cursor, so a nullable field's NULLs are read by a second query only once its values run out:
`field IS NULL AND id > last id`, again an index range."""

import base64
import binascii
import datetime
import decimal
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, Expression, F, Q, Value, prefetch_related_objects
from django.utils.translation import gettext
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
        raise exceptions.ValidationError({param: [gettext("Invalid cursor: use the `next` link of a previous page.")]})
    return payload


def one_value(request, name: str, default=None):
    """A parameter that takes one value; given twice it is a 400, not a silent choice of the last."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        message = gettext("Give %(name)s once: it takes one value (%(count)d were given).")
        raise exceptions.ValidationError({name: [message % {"name": name, "count": len(values)}]})
    return values[0] if values else default


def positive_int(request, name: str, default: int, maximum: int) -> int:
    raw = one_value(request, name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not 1 <= int(raw) <= maximum:
        raise exceptions.ValidationError(
            {name: [gettext("A whole number from 1 to %(maximum)d.") % {"maximum": maximum}]}
        )
    return int(raw)


class RowComparison(Expression):
    """`(a, b) > (x, y)` (or `<`): true when the row of expressions comes after the row of values in
    lexicographic order. A condition in its own right (`queryset.filter(RowComparison(...))`);
    PostgreSQL and SQLite (3.15 and later) both compare row values, and PostgreSQL uses a
    comparison over an index's leading columns as the index condition of a range scan."""

    conditional = True
    output_field = BooleanField()
    OPERATORS = (">", "<")

    def __init__(self, lhs, operator: str, rhs):
        super().__init__()
        if operator not in self.OPERATORS or len(lhs) != len(rhs) or not lhs:
            raise ValueError("A row comparison needs two rows of the same length and > or <.")
        self.lhs, self.operator, self.rhs = list(lhs), operator, list(rhs)

    def get_source_expressions(self):
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, exprs):
        self.lhs, self.rhs = list(exprs[: len(self.lhs)]), list(exprs[len(self.lhs) :])

    def as_sql(self, compiler, connection):
        parts, params = [], []
        for row in (self.lhs, self.rhs):
            compiled = [compiler.compile(expression) for expression in row]
            parts.append(", ".join(sql for sql, _ in compiled))
            params.extend(param for _, row_params in compiled for param in row_params)
        return f"({parts[0]}) {self.operator} ({parts[1]})", params


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
            raise exceptions.ValidationError(
                {"ordering": [gettext("Order by one field at a time; id always breaks ties.")]}
            )
        field = raw.removeprefix("-")
        if raw != default and field not in allowed:
            raise exceptions.ValidationError(
                {"ordering": [gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}]}
            )
        return field, raw.startswith("-")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = positive_int(request, self.page_size_query_param, self.page_size, self.max_page_size)
        field, descending = self.ordering(request, view)
        self.field = field
        pk_name = queryset.model._meta.pk.name
        by_pk = field in (pk_name, "pk")
        nullable = not by_pk and self.nullable(queryset, field)
        queryset = queryset.order_by(*self.order(field, descending, nullable, by_pk))

        raw_cursor = one_value(request, self.cursor_query_param)
        value = pk = None
        if raw_cursor:
            ordering, value, pk = decode_cursor(raw_cursor, 3)
            if ordering != ("-" if descending else "") + field or not isinstance(pk, int) or not 0 <= pk < 2**63:
                raise exceptions.ValidationError(
                    {"cursor": [gettext("This cursor belongs to another ordering: start again without a cursor.")]}
                )
            if value is not None:
                try:
                    value = self.model_field(queryset, field).to_python(value)
                except (DjangoValidationError, TypeError, ValueError):
                    raise exceptions.ValidationError({"cursor": [gettext("Invalid cursor.")]}) from None
            if value is None and not nullable:
                raise exceptions.ValidationError({"cursor": [gettext("Invalid cursor.")]})

        wanted = self.page_size + 1
        if not raw_cursor:
            rows = list(queryset[:wanted])
        elif by_pk:
            rows = list(queryset.filter(**{f"pk__{'lt' if descending else 'gt'}": pk})[:wanted])
        elif value is None:
            rows = list(queryset.filter(self.nulls_after(field, pk, descending))[:wanted])
        else:
            after = RowComparison(
                [F(field), F("pk")],
                "<" if descending else ">",
                [Value(value, output_field=self.model_field(queryset, field)), Value(pk)],
            )
            if not nullable:
                rows = list(queryset.filter(after)[:wanted])
            else:
                # Once the field's values run out on this page, its NULLs follow from the first;
                # the related rows of both parts are then loaded together, as for any page.
                lookups = queryset._prefetch_related_lookups
                bare = queryset.prefetch_related(None)
                rows = list(bare.filter(after)[:wanted])
                if len(rows) < wanted:
                    rows += list(bare.filter(**{f"{field}__isnull": True})[: wanted - len(rows)])
                prefetch_related_objects(rows, *lookups)
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.next_cursor = None
        if self.has_next:
            last = rows[-1]
            self.next_cursor = encode_cursor([("-" if descending else "") + field, getattr(last, field), last.pk])
        return rows

    @staticmethod
    def order(field: str, descending: bool, nullable: bool, by_pk: bool) -> list:
        """The ORDER BY an index serves: `(field, id)` read forwards or backwards for a field
        without NULLs; for a nullable one NULLs last in both directions, which is `ASC` order's
        own place for them in PostgreSQL and the `DESC NULLS LAST` indexes of migration 0008."""
        if by_pk:
            return ["-pk" if descending else "pk"]
        if not nullable:
            return [f"-{field}", "-pk"] if descending else [field, "pk"]
        expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        return [expression, "-pk" if descending else "pk"]

    @classmethod
    def nullable(cls, queryset, name) -> bool:
        # An annotation may be NULL whatever its output field says (a subquery finding no row).
        return name in queryset.query.annotations or cls.model_field(queryset, name).null

    @staticmethod
    def model_field(queryset, name):
        annotation = queryset.query.annotations.get(name)
        return annotation.output_field if annotation is not None else queryset.model._meta.get_field(name)

    @staticmethod
    def nulls_after(field: str, pk: int, descending: bool) -> Q:
        """After a NULL (NULLs being last): only NULLs with a later id."""
        return Q(**{f"{field}__isnull": True, f"pk__{'lt' if descending else 'gt'}": pk})

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
