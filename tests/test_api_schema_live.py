"""Every endpoint of /api/schema/, called on the seeded register, answers as the schema says.

A client no one here wrote (openapi-core) validates each live response against the schema the
API serves: status code, headers and body. The walk is generic: it reads the operations from the
schema, so an endpoint added later is called too. For each operation: the plain call; each query
parameter with its documented example; a bad value of a typed parameter (400); details with real
keys from their list and with a made-up one (404); reads while the database is unreachable (503);
writes without credentials (401), with a read-only token (403), without and with a wrong If-Match
(428, 412); a 304 where If-None-Match is declared; reads over the rate limit (429). Each answer must match the schema (0
mismatches), and a response header the API sends (ETag, Location, Retry-After) must be declared."""

import collections
import json
import pathlib
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from commitments import models, services
from commitments.releases import make_release

from . import builders as make

pytestmark = pytest.mark.django_db

SUMMARY = pathlib.Path(__file__).resolve().parent.parent / "test-artifacts" / "schema-live-summary.json"
DECLARED_HEADERS = ("ETag", "Location", "Retry-After")
# Filters whose example names a record by its database id, which differs between databases:
# the walk gives them a real one.
ID_PARAMETERS = {"pledge": lambda: models.Pledge.objects.order_by("pk").values_list("pk", flat=True).first()}
# A path parameter after the first (which is read from its list): a real value.
PATH_VALUES = {"delivery_id": lambda: models.WebhookDelivery.objects.values_list("pk", flat=True).first()}


class Walk:
    def __init__(self, spec: dict, clients: dict):
        self.spec = spec
        self.openapi = OpenAPI.from_dict(spec)
        self.clients = clients
        self.mismatches: list[str] = []
        self.seen: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)

    def call(self, method, pattern, path, *, query=None, headers=None, who="reader", data=None, expect=None):
        """One request; its response validated against the operation `pattern` of the schema."""
        query = query or []
        headers = headers or {}
        client = self.clients[who]
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(client, method)(
            path, data=self.query_data(query) if data is None else data, **kwargs, **extra
        )
        label = f"{method.upper()} {pattern}"
        self.seen[label][response.status_code] += 1
        self.validate(method, pattern, path, query, headers, response, label)
        if expect is not None and response.status_code not in expect:
            self.mismatches.append(f"{label} {query}: status {response.status_code}, expected {expect}")
        return response

    def path_parameters(self, pattern) -> list:
        return [
            parameter
            for operation in self.spec["paths"][pattern].values()
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "path"
        ]

    @staticmethod
    def query_data(query):
        data = collections.defaultdict(list)
        for name, value in query:
            data[name].append(value)
        return dict(data)

    def validate(self, method, pattern, path, query, headers, response, label):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        response.body = body  # a streamed file can be read once: kept for the caller
        content_type = response.headers.get("Content-Type", "").split(";")[0]
        if content_type.startswith("text/"):
            body = body.decode("utf-8")  # a text file is read as text, as a client does
        request = MockRequest(
            "http://testserver", method, path, path_pattern=pattern, args=_multi(query), headers=headers
        )
        answer = MockResponse(
            body, status_code=response.status_code, headers=dict(response.headers), content_type=content_type
        )
        try:
            self.openapi.validate_response(request, answer)
        except Exception as exc:  # every kind of mismatch openapi-core reports
            reason = "; ".join(str(e) for e in getattr(exc, "schema_errors", []) or [exc])
            cause = exc.__cause__
            if cause is not None:
                reason += " / " + "; ".join(str(e)[:300] for e in getattr(cause, "schema_errors", []) or [cause])
            self.mismatches.append(f"{label} {query} -> {response.status_code}: {reason[:600]}")
        operation = self.spec["paths"][pattern][method]
        declared = operation["responses"].get(str(response.status_code), {}).get("headers", {})
        for name in DECLARED_HEADERS:
            if response.has_header(name) and name not in declared:
                self.mismatches.append(f"{label} -> {response.status_code}: header {name} sent but not declared")


def _multi(query):
    from werkzeug.datastructures import MultiDict

    return MultiDict(query)


def example_values(parameter) -> list:
    example = parameter.get("example")
    if parameter["name"] in ID_PARAMETERS:
        example = ID_PARAMETERS[parameter["name"]]()
    if example is None:
        return []
    return [
        str(v).lower() if isinstance(v, bool) else str(v) for v in (example if isinstance(example, list) else [example])
    ]


def typed(parameter) -> bool:
    """A parameter a made-up word cannot satisfy: a date, a number, a boolean, a choice."""
    schema = parameter.get("schema", {})
    branches = schema.get("anyOf", [schema])
    return any(
        b.get("format") in ("date", "date-time")
        or b.get("type") in ("integer", "boolean")
        or "enum" in b
        or "enum" in b.get("items", {})
        for b in branches
    )


@pytest.fixture
def walk(seeded, settings):
    settings.PUBLIC_READ = True
    settings.API_CHANGES_SETTLE_SECONDS = 0
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "token": None}}
    cache.clear()
    writer = make.user("schema-writer", superuser=True)
    _, write_key = models.ApiToken.issue(writer, name="write", can_write=True)
    _, read_key = models.ApiToken.issue(writer, name="read", can_write=False)
    # The reader is an analyst: the review queue and `?include=pending` are theirs to read (an
    # anonymous reader's 401/403 there is tested in tests/test_review_api.py). One pending revision
    # by another analyst, for the queue's detail and its decisions.
    analyst = make.user("schema-reader", "Analyst")
    author = make.user("schema-author", "Analyst")
    # The reader's webhook with one delivery, for /api/webhooks/…; a spare one for the DELETE.
    webhook = models.Webhook.objects.create(owner=analyst, url="https://example.org/hook", events=["*"])
    models.Webhook.objects.create(owner=analyst, url="https://example.org/spare", events=["*"], description="spare")
    models.WebhookDelivery.objects.create(webhook=webhook, event_type="webhook.test", payload={"type": "webhook.test"})
    settings.REVIEW_REQUIRED = True
    pledge = models.Pledge.objects.order_by("pk").first()
    pledge.title = "Renamed for review by the schema walk"
    services.save_pledge(pledge, user=author)
    settings.REVIEW_REQUIRED = False
    reader, failing = Client(), Client(raise_request_exception=False)
    reader.force_login(analyst)
    failing.force_login(analyst)
    clients = {
        "reader": reader,
        "anonymous": Client(),
        "writer": Client(HTTP_AUTHORIZATION=f"Token {write_key}"),
        "read-only": Client(HTTP_AUTHORIZATION=f"Token {read_key}"),
        "failing": failing,
    }
    spec = clients["reader"].get("/api/schema/?format=json").json()
    # A release of the seeded register: its addresses, and `?release=1` on every read.
    make_release("Schema walk")
    return Walk(spec, clients)


def detail_path(walk, pattern, list_cache) -> str | None:
    """`pattern` with its path parameter taken from the first row of the list it belongs to."""
    prefix, _, rest = pattern.partition("{")
    name = rest.partition("}")[0]
    if prefix not in list_cache:
        response = walk.clients["reader"].get(prefix)
        rows = response.json().get("results", []) if response.status_code == 200 else []
        list_cache[prefix] = rows[0] if rows else None
    row = list_cache[prefix]
    if row is None or name not in row:
        return None
    path = pattern.replace("{" + name + "}", str(row[name]))
    # Any further path parameter (a diff's other side) takes its documented example.
    for parameter in walk.path_parameters(pattern):
        if "{" + parameter["name"] + "}" in path and parameter["name"] in PATH_VALUES:
            path = path.replace("{" + parameter["name"] + "}", str(PATH_VALUES[parameter["name"]]()))
        elif "{" + parameter["name"] + "}" in path:
            example = next(iter(parameter.get("examples", {}).values()), {}).get("value", parameter.get("example"))
            path = path.replace("{" + parameter["name"] + "}", str(example))
    return path


def made_up(pattern) -> str:
    prefix, _, rest = pattern.partition("{")
    return prefix + "no-such-record-9999" + rest.partition("}")[2]


def walk_reads(walk, pattern, operation, path):
    parameters = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    with CaptureQueriesContext(connection) as queries:
        first = walk.call("get", pattern, path, expect={200})
    needs_database = len(queries) > 0  # now: each later request empties the log
    # On a detail, a filter such as as_of may rightly find nothing (404: no status by that date).
    found = {200, 404} if "{" in pattern else {200}
    for parameter in parameters:
        values = example_values(parameter)
        if values:
            walk.call("get", pattern, path, query=[(parameter["name"], v) for v in values], expect=found)
        if typed(parameter):
            walk.call("get", pattern, path, query=[(parameter["name"], "not-a-value")], expect={400})
    # An answer with an ETag, asked again with it: a 304 where the schema says If-None-Match is
    # read (and, where it does not, a 304 would be reported as undeclared).
    etag = first.headers.get("ETag")
    if etag:
        declared = any(p["in"] == "header" and p["name"] == "If-None-Match" for p in operation.get("parameters", []))
        walk.call("get", pattern, path, headers={"If-None-Match": etag}, expect={304} if declared else {200, 304})
    if needs_database:  # an answer that needs the database is a 503 while it is unreachable
        with mock.patch("django.db.models.sql.compiler.SQLCompiler.execute_sql", side_effect=OperationalError("down")):
            walk.call("get", pattern, path, who="failing", expect={503})


def walk_writes(walk, pattern, method, operation, path):
    """Refused writes: no credentials, a read-only token, an empty body; for a write that takes
    If-Match, without it (428) and with a stale one (412, whatever the body: the precondition
    is checked first)."""
    body = {}
    walk.call(method, pattern, path, who="anonymous", data=body, expect={401})
    walk.call(method, pattern, path, who="read-only", data=body, expect={403})
    if pattern.startswith("/api/revisions/"):
        # A decision with an empty body: approve publishes (200), then the others find it decided
        # (400); withdrawing another's revision is refused (403).
        walk.call(method, pattern, path, who="writer", data=body, expect={200, 400, 403})
    elif pattern.startswith("/api/webhooks/{id}/"):
        # A webhook's writes take an empty body: a partial update changes nothing (200), a replay
        # or a test event is queued (202), a delete removes (204: the spare, so the walk goes on).
        expected = {"put": {400}, "patch": {200}, "post": {202}, "delete": {204}}[method]
        if method == "delete":
            path = f"/api/webhooks/{models.Webhook.objects.get(description='spare').pk}/"
        walk.call(method, pattern, path, who="writer", data=body, expect=expected)
    elif any(p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", [])):
        walk.call(method, pattern, path, who="writer", data=body, expect={428})
        walk.call(method, pattern, path, who="writer", data=body, headers={"If-Match": '"stale"'}, expect={412})
    else:
        walk.call(method, pattern, path, who="writer", data=body, expect={400})


def walk_throttled(walk, settings, lists):
    """Over the rate limit, every read answers 429 with Retry-After (anonymous reads: one a minute)."""
    reads = {
        pattern: detail_path(walk, pattern, lists) if "{" in pattern else pattern
        for pattern, operations in walk.spec["paths"].items()
        # The review queue and webhooks are never read anonymously (401 before any rate is counted).
        if "get" in operations and not pattern.startswith(("/api/revisions/", "/api/webhooks/"))
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "token": None}}
    for pattern, path in reads.items():
        cache.clear()
        walk.clients["anonymous"].get(path)
        walk.call("get", pattern, path, who="anonymous", expect={429})
    cache.clear()


def test_every_endpoint_answers_as_its_schema_says(walk, settings):
    lists: dict = {}
    for pattern, operations in walk.spec["paths"].items():
        for method, operation in operations.items():
            path = detail_path(walk, pattern, lists) if "{" in pattern else pattern
            assert path is not None, f"{pattern}: no record to call it with in the seeded register"
            if method == "get":
                walk_reads(walk, pattern, operation, path)
                if "{" in pattern:
                    walk.call("get", pattern, made_up(pattern), expect={404})
            else:
                walk_writes(walk, pattern, method, operation, path)
    # A create that succeeds (201 with Location and ETag), then a write with the ETag it gave.
    created = walk.call(
        "post",
        "/api/pledges/",
        "/api/pledges/",
        who="writer",
        data={
            "slug": "schema-walk",
            "title": "A pledge made by the schema walk",
            "category": "troops",
            "pledgers": ["FR"],
        },
        expect={201},
    )
    pledge = created.json()["id"]
    walk.call(
        "patch",
        "/api/pledges/{id}/",
        f"/api/pledges/{pledge}/",
        who="writer",
        data={"title": "Renamed by the schema walk"},
        headers={"If-Match": created.headers["ETag"]},
        expect={200},
    )

    walk_throttled(walk, settings, lists)

    calls = sum(sum(codes.values()) for codes in walk.seen.values())
    SUMMARY.parent.mkdir(exist_ok=True)
    SUMMARY.write_text(
        json.dumps(
            {
                "operations": len(walk.seen),
                "responses": calls,
                "mismatches": len(walk.mismatches),
                "by_operation": {name: dict(sorted(codes.items())) for name, codes in sorted(walk.seen.items())},
            },
            indent=1,
        )
    )
    operations = sum(len(ops) for ops in walk.spec["paths"].values())
    (SUMMARY.parent / "schema-live-mismatches.txt").write_text("\n".join(walk.mismatches))
    assert len(walk.seen) == operations
    # Every read but the API root (a list of links) needs the database, and was tried without it.
    reads = [f"GET {path}" for path, ops in walk.spec["paths"].items() if "get" in ops and path != "/api/"]
    assert [read for read in reads if not walk.seen[read][503]] == []
    assert walk.mismatches == [], f"{len(walk.mismatches)} of {calls} responses do not match:\n" + "\n".join(
        walk.mismatches
    )


def test_the_walk_reports_an_answer_the_schema_does_not_allow(walk):
    """The validation is real: a detail whose field has the wrong type, a header sent but not
    declared, and a status code the operation does not list are each reported."""
    from django.http import HttpResponse, JsonResponse

    path = "/api/states/FR/"
    good = walk.clients["reader"].get(path)
    walk.validate("get", "/api/states/{code}/", path, [], {}, good, "good")
    assert walk.mismatches == []

    wrong_type = JsonResponse({**good.json(), "name": 5})
    wrong_type["ETag"] = good["ETag"]
    walk.validate("get", "/api/states/{code}/", path, [], {}, wrong_type, "wrong type")
    undeclared = HttpResponse(b"{}", status=404, content_type="application/json")
    undeclared["Location"] = "http://testserver/elsewhere/"
    walk.validate("get", "/api/states/{code}/", path, [], {}, undeclared, "undeclared header")
    unlisted = HttpResponse(b"{}", status=418, content_type="application/json")
    walk.validate("get", "/api/states/{code}/", path, [], {}, unlisted, "unlisted status")
    assert [m.split(" ", 2)[:2] for m in walk.mismatches] == [
        ["wrong", "type"],
        ["undeclared", "header"],
        ["unlisted", "status"],
    ]
