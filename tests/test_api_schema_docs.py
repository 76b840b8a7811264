"""/api/schema/ is the API's documentation: every operation (exports and reports included), every
query parameter described with an example, texts written for API users (no pointers to files of
this repository), and a schema drf-spectacular validates without a warning. Generic: they walk
the schema, so an endpoint or filter added later is held to the same rules."""

import re

import pytest
from django.core.management import call_command

from commitments import exports

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Words that send a reader to this repository's files, which API users do not have.
REPOSITORY_POINTERS = re.compile(
    r"README|docs/|\.md\b|\.py\b|seeds? folder|fixtures?\b|management command|model method", re.I
)


@pytest.fixture
def schema(public, client):
    return client.get("/api/schema/?format=json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def texts(node, where=""):
    """Every description, summary and title in the schema, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                yield f"{where}/{key}", value
            else:
                yield from texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts(value, f"{where}/{index}")


def test_every_query_parameter_has_a_description_and_an_example(schema):
    missing = []
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = f"{method.upper()} {path} ?{parameter['name']}"
            if not parameter.get("description", "").strip():
                missing.append(f"{name}: no description")
            # A cursor's only values are the ones `next` links carry: no example to give.
            if parameter["name"] != "cursor" and "example" not in parameter and "examples" not in parameter:
                missing.append(f"{name}: no example")
    assert missing == []


def test_parameters_are_declared_as_the_server_reads_them(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            branches = parameter["schema"].get("anyOf", [parameter["schema"]])
            if parameter["name"] == "ordering":  # one field: a repeated or comma-separated one is a 400
                assert all(branch.get("type") != "array" for branch in branches), path
            if parameter["name"] == "format":  # a JSON page is never a CSV file: see /export.csv
                pytest.fail(f"{method.upper()} {path} declares ?format=")
        for code, response in operation["responses"].items():
            if code.startswith("2"):
                assert len(response.get("content", {})) <= 1, f"{method.upper()} {path}: one media type per answer"


def test_no_text_points_to_repository_files(schema):
    pointers = [(where, text) for where, text in texts(schema) if REPOSITORY_POINTERS.search(text)]
    assert pointers == []


def test_exports_and_reports_are_documented(schema):
    paths = schema["paths"]
    for table, spec in exports.TABLES.items():
        for extension, media_type in (("csv", "text/csv"), ("xlsx", XLSX)):
            operation = paths[f"/api/{table}/export.{extension}"]["get"]
            assert operation["operationId"] == f"{table}_export_{extension}"
            answer = operation["responses"]["200"]
            assert list(answer["content"]) == [media_type]
            for column in spec.columns:
                assert f"`{column.name}`" in answer["description"], (table, column.name)
            filters = {p["name"] for p in operation["parameters"]}
            listed = {p["name"] for p in paths[f"/api/{table}/"]["get"]["parameters"] if p["in"] == "query"}
            # `include=pending` adds pending revisions to a JSON page; an export is the published state.
            listed -= {"cursor", "page_size", "include"}
            assert listed <= filters, table
    for extension in ("csv", "xlsx"):
        answer = paths[f"/api/reports/summary.{extension}"]["get"]["responses"]["200"]
        for column in exports.SUMMARY_COLUMNS:
            assert f"`{column.name}`" in answer["description"]
    report = paths["/api/reports/summary.json"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"total", "by_state", "by_category", "by_status", "by_summit", "force_requirements"} <= set(
        report["properties"]
    )
    assert set(report["properties"]["total"]["properties"]) >= set(exports.reports.FIGURE_NAMES)


def test_openapi_31_without_30_leftovers(schema):
    assert schema["openapi"].startswith("3.1")
    leftovers = [where for where, _ in keys(schema, "nullable")]
    assert leftovers == []


def keys(node, wanted, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == wanted:
                yield f"{where}/{key}", value
            yield from keys(value, wanted, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from keys(value, wanted, f"{where}/{index}")


def test_drf_spectacular_validates_the_schema_without_a_warning(tmp_path):
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
