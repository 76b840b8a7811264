"""OpenAPI details drf-spectacular cannot infer: the token scheme, the error responses every
operation can give and the conditional GETs (If-None-Match, 304), so that clients (and the
schemathesis run in the tests) know every status code the API may answer with."""

import re

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` with a message, or field names with their lists of messages "
    "(`non_field_errors` for messages about the whole request).",
    "additionalProperties": True,
}
EVERY_OPERATION = {
    "400": "Invalid parameters or body: the messages say what to correct.",
    "401": "Not signed in: send `Authorization: Token <key>` (or sign in for the browsable API).",
    "403": "Signed in, but not allowed: a read-only token, or an account without the permission.",
    "404": "No such record.",
    "429": "Too many requests: wait for the number of seconds in Retry-After.",
    "503": "The database cannot be reached just now (a restart, a failover): try again after the number of "
    "seconds in Retry-After. The body has `detail` and the `request_id`.",
}
WRITES = {
    "409": "The change conflicts with other records (e.g. a pledge that has shares cannot be deleted).",
    "412": "If-Match did not match the current ETag: the pledge changed since it was read.",
}
# Writes to an existing pledge (PUT, PATCH, DELETE, status change): they take If-Match.
PRECONDITION = {
    "428": "If-Match is missing: send the ETag of `GET /api/pledges/{id}/` (API_REQUIRE_IF_MATCH).",
}
BODIES = {
    "413": "Request body too large.",
    "415": "Unsupported media type: send application/json.",
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "commitments.api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; a token is read-only or read-write. Issued in the admin (API tokens).",
        }


# Response headers, declared where the API sends them.
ETAG = {
    "description": "The version of what the answer shows: send it back in If-Match (pledge writes) or "
    "If-None-Match (a 304 when nothing changed).",
    "schema": {"type": "string"},
}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}
LOCATION = {
    "description": "The address of the record created.",
    "required": True,
    "schema": {"type": "string", "format": "uri"},
}


# Operations that need a signed-in owner whatever PUBLIC_READ says: a client's own webhooks.
PRIVATE = ("/api/webhooks/",)


def declare_headers(path: str, method: str, operation: dict) -> None:
    """ETag on every detail read and every answer about one pledge written (writes that take
    If-Match), Location on a 201 from a collection (a record created), Retry-After on 429 and 503,
    and a 304 on reads that take If-None-Match."""
    responses = operation.get("responses", {})
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    detail_read = method == "get" and path.endswith("}/")
    created = method == "post" and "{" not in path
    for code in ("200", "201"):
        if code in responses and (detail_read or created or "If-Match" in names):
            responses[code].setdefault("headers", {})["ETag"] = {**ETAG, "required": True}
        elif code in responses and method == "get" and "If-None-Match" in names:
            responses[code].setdefault("headers", {})["ETag"] = ETAG  # a list's, where the API gives one
    if "201" in responses and created:
        responses["201"].setdefault("headers", {})["Location"] = LOCATION
    for code in ("429", "503"):
        if code in responses:
            responses[code].setdefault("headers", {})["Retry-After"] = RETRY_AFTER
    if method == "get" and "If-None-Match" in names:
        responses.setdefault(
            "304",
            {
                "description": "Not modified: If-None-Match named the current ETag; use the copy you have.",
                "headers": {"ETag": {**ETAG, "required": True}},
            },
        )


# Model help texts written for the tracker's editors, as API users read them.
API_WORDING = {
    "Stable identifier used by fixtures, URLs and imports (lower-case letters, digits, hyphens).": (
        "Stable identifier, used in the record's address (lower-case letters, digits, hyphens)."
    ),
}


def reword(node) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str) and value in API_WORDING:
                node[key] = API_WORDING[value]
            else:
                reword(value)
    elif isinstance(node, list):
        for value in node:
            reword(value)


def one_schema_for_blank_strings(node) -> None:
    """drf-spectacular declares a formatted text field that may be blank (a source's `url`) as
    `oneOf: [{format: uri}, {maxLength: 0}]`; `""` matches both (a validator ignores an unknown
    format), and oneOf then fails. "A URL, or empty" is `anyOf`."""
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and {"type": "string", "maxLength": 0} in branches:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            one_schema_for_blank_strings(value)
    elif isinstance(node, list):
        for value in node:
            one_schema_for_blank_strings(value)


def one_ordering_field(parameter: dict) -> None:
    """`ordering` takes one field (`-` for descending): django-filter's OrderingFilter declares a
    comma-separated list, which the API refuses (OneFieldOrderingFilter)."""
    schema = parameter.get("schema", {})
    if parameter.get("in") == "query" and parameter.get("name") == "ordering" and schema.get("type") == "array":
        parameter["schema"] = schema["items"]
        parameter.pop("style", None)
        parameter.pop("explode", None)


def allow_empty_value(parameter: dict) -> None:
    """`?date_before=` means "not given", as an empty form field does (the public pages share the
    FilterSets), not "a malformed date"; say so in the schema of typed query parameters."""
    schema = parameter.get("schema", {})
    typed = (
        schema.get("format") in ("date", "date-time")
        or schema.get("type") in ("integer", "number", "boolean")
        or "enum" in schema  # a single choice; several (an array) must each be a valid choice
    )
    if parameter.get("in") == "query" and typed and "anyOf" not in schema:
        parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


def document_errors(result, generator, request, public):
    """Adds the error responses; while PUBLIC_READ is on, also says reads need no credentials."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = dict(EVERY_OPERATION)
            if method in ("post", "put", "patch", "delete"):
                codes.update(WRITES)
            if any(parameter.get("name") == "If-Match" for parameter in operation.get("parameters", [])):
                codes.update(PRECONDITION)
            if "requestBody" in operation:
                codes.update(BODIES)
            for parameter in operation.get("parameters", []):
                one_ordering_field(parameter)
                allow_empty_value(parameter)
                document_parameter(parameter)
            public_read = settings.PUBLIC_READ and not path.startswith(PRIVATE)
            if method in ("get", "head") and public_read and {} not in operation.get("security", [{}]):
                operation["security"].append({})
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": reference})
            declare_headers(path, method, operation)
    one_schema_for_blank_strings(result)
    reword(result)
    return result


# Examples of query parameters, by name: values the register holds (the seeded one included), so
# that a client trying one gets rows back. A parameter without an entry takes the first value of
# its enumeration, or a value of its type (a date, a time, true, a number within its bounds).
PARAMETER_EXAMPLES = {
    "state": "FR",
    "summit": "paris-summit-2026-01-06",
    "declaration": "paris-declaration-2026-01-06",
    "instrument": "multinational-force-for-ukraine",
    "person": "emmanuel-macron",
    "pledge": 1,
    "q": "force",
    "ordering": "-updated_at",
    "category": "troops",
    "status": "announced",
    "as_of": "2026-06-30",
    "since": "2025-01-01T00:00:00Z",
    "updated_since": "2025-01-01T00:00:00Z",
    "page_size": 20,
    "bom": "1",
    "source": "seed-000-cow-and-us-endorse-guarantees",
    "force_requirement": "multinational-force-size-2026",
    "field": "condition",
    "author": "ana",
    "model": "pledge",
}
# "Date between (date_after/_before)", the label of a range filter, read for each of its halves.
RANGE_LABEL = re.compile(r"\s*\((\w+)_after/_before\)")


def type_example(schema: dict):
    """A value of the parameter's type, for a parameter the examples table does not name."""
    branches = schema.get("anyOf") or [schema]
    schema = next((b for b in branches if b.get("maxLength") != 0), branches[0])
    items = schema.get("items", schema)
    if items.get("enum"):
        return next((value for value in items["enum"] if value != ""), "")
    if items.get("format") == "date":
        return "2025-03-01"
    if items.get("format") == "date-time":
        return "2025-03-01T00:00:00Z"
    if items.get("type") == "boolean":
        return True
    if items.get("type") == "integer":
        return max(items.get("minimum", 1), min(20, items.get("maximum", 20)))
    return None


def document_parameter(parameter: dict) -> None:
    """Every query parameter with a description and an example (a test walks the schema for ones
    without). `cursor` has no example: its only values are the ones `next` links carry."""
    if parameter.get("in") != "query":
        return
    name = parameter["name"]
    description = parameter.get("description", "")
    if RANGE_LABEL.search(description):
        half = "on or after" if name.endswith("_after") else "on or before"
        label = RANGE_LABEL.sub("", description).rstrip(".").removesuffix(" between")
        parameter["description"] = f"{label}: {half} this date (YYYY-MM-DD)."
    if name == "cursor" or "example" in parameter or "examples" in parameter:
        return
    schema = parameter.get("schema", {})
    example = PARAMETER_EXAMPLES.get(name)
    choices = [
        value for branch in schema.get("anyOf", [schema]) for value in branch.get("items", branch).get("enum", [])
    ]
    if example is None or (choices and example not in choices):
        example = type_example(schema)
    if example in ("", None):
        return
    is_list = schema.get("type") == "array"
    parameter["example"] = [example] if is_list and not isinstance(example, list) else example


# OpenAPI links: what a client (and schemathesis's stateful phase) can do next with the pledge an
# answer is about, the id taken from the created pledge's body or from the address just used, and
# If-Match from the ETag the answer carries.
PLEDGE_OPERATIONS = {
    "pledges_retrieve": "Read the pledge (and its ETag).",
    "pledges_partial_update": "Change some of its fields.",
    "pledges_update": "Replace it.",
    "pledges_status_create": "Change its status.",
    "pledges_history_list": "Its status history.",
    "pledges_destroy": "Delete it.",
}
PLEDGE_ANSWERS = (  # (operation, status code, where the pledge's id is)
    ("pledges_create", "201", "$response.body#/id"),
    ("pledges_retrieve", "200", "$request.path.id"),
    ("pledges_partial_update", "200", "$request.path.id"),
    ("pledges_update", "200", "$request.path.id"),
    ("pledges_status_create", "201", "$request.path.id"),
)


def link_pledge_operations(result, generator, request, public):
    operations = {
        operation.get("operationId"): operation
        for path in result.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict)
    }
    for source, code, pledge_id in PLEDGE_ANSWERS:
        response = operations.get(source, {}).get("responses", {}).get(code)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for target, description in PLEDGE_OPERATIONS.items():
            if target not in operations:
                continue
            parameters = {"id": pledge_id}
            if any(p.get("name") == "If-Match" for p in operations[target].get("parameters", [])):
                parameters["header.If-Match"] = "$response.header.ETag"
            links[target] = {"operationId": target, "parameters": parameters, "description": description}
    return result


class ConditionalGetSchema(AutoSchema):
    """The schema of a view that answers If-None-Match (etags.ConditionalGetMixin): its GET
    operations take the header and may answer 304."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self.method == "GET":
            operation.setdefault("parameters", []).append(
                {
                    "in": "header",
                    "name": "If-None-Match",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "The ETag of the answer as last read (its `ETag` header): while the answer is "
                    "unchanged, it is 304 Not Modified with no body. Several tags may be given, comma-separated.",
                }
            )
            operation.setdefault("responses", {})["304"] = {
                "description": "Not Modified: the answer is unchanged since the ETag given in If-None-Match; no body.",
                "headers": {"ETag": {**ETAG, "required": True}},
            }
        return operation
