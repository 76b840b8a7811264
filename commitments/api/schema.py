"""OpenAPI details drf-spectacular cannot infer: the token scheme, the error responses every
operation can give and the conditional GETs (If-None-Match, 304), so that clients (and the
schemathesis run in the tests) know every status code the API may answer with."""

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


def allow_empty_value(parameter: dict) -> None:
    """`?date_before=` means "not given", as an empty form field does (the public pages share the
    FilterSets), not "a malformed date"; say so in the schema of typed query parameters."""
    schema = parameter.get("schema", {})
    typed = (
        schema.get("format") in ("date", "date-time")
        or schema.get("type") in ("integer", "number", "boolean")
        or "enum" in schema  # a single choice; several (an array) must each be a valid choice
    )
    if parameter.get("in") == "query" and typed:
        parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
    elif parameter.get("in") == "query" and parameter.get("name") == "ordering" and "enum" in schema.get("items", {}):
        schema["items"]["enum"] = [*schema["items"]["enum"], ""]  # `ordering=`: the default order


def document_errors(result, generator, request, public):
    """Adds the error responses; while PUBLIC_READ is on, also says reads need no credentials."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = dict(EVERY_OPERATION)
            if method in ("post", "put", "patch", "delete"):
                codes.update(WRITES)
            if any(parameter.get("name") == "If-Match" for parameter in operation.get("parameters", [])):
                codes.update(PRECONDITION)
            if "requestBody" in operation:
                codes.update(BODIES)
            for parameter in operation.get("parameters", []):
                allow_empty_value(parameter)
            if method in ("get", "head") and settings.PUBLIC_READ and {} not in operation.get("security", [{}]):
                operation["security"].append({})
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result


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
    """The schema of a view that answers If-None-Match (views.ConditionalGetMixin): its GET
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
                "description": "Not Modified: the answer is unchanged since the ETag given in If-None-Match; no body."
            }
        return operation
