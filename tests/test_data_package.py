"""The data package (/api/data-package.zip, `manage.py export_package`) and its workbook: every
row of every model of the register in it, valid per the Frictionless standard, read by pandas
with the types it declares and by openpyxl, the same bytes for the same data."""

import csv
import datetime
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from commitments.exports import XLSX_TYPE, unescape
from commitments.exports.package import write_package
from commitments.exports.package_tables import (
    DATETIME_FORMAT,
    EXCLUDED_FIELDS,
    PACKAGE_TABLES,
    is_register_model,
)
from commitments.exports.workbook import README, write_package_workbook
from commitments.models import Pledge, Source

DOCS = Path(__file__).resolve().parent.parent / "docs" / "exports.md"


def register_models():
    return [m for m in apps.get_app_config("commitments").get_models(include_auto_created=True) if is_register_model(m)]


def package_bytes(**kwargs) -> bytes:
    buffer = io.BytesIO()
    write_package(buffer, **kwargs)
    return buffer.getvalue()


def unzip(data: bytes, folder: Path) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def read_rows(folder: Path, resource: dict) -> list[dict]:
    with open(folder / resource["path"], encoding="utf-8", newline="") as fileobj:
        return list(csv.DictReader(fileobj, strict=True))


def key_of(record) -> tuple:
    """A record's natural key as the package writes it, computed from the objects (not from the
    package's own lookups): its NATURAL_KEY, or for a many-to-many link the keys of both ends."""
    if getattr(record, "NATURAL_KEY", ()):
        return tuple(str(v) for v in record.natural_key())
    values = []
    for field in record._meta.concrete_fields:
        if field.is_relation:
            values += key_of(getattr(record, field.name))
    return tuple(values)


@pytest.fixture
def edited(seeded):
    """The seeded register after edits: one time on a whole second, one with microseconds, and a
    pledge title a spreadsheet would run as a formula."""
    first, second = Pledge.objects.order_by("slug")[:2]
    Pledge.objects.filter(pk=first.pk).update(
        updated_at=datetime.datetime(2025, 3, 11, 10, 0, tzinfo=datetime.UTC), title="=1+1 troops"
    )
    Pledge.objects.filter(pk=second.pk).update(
        updated_at=datetime.datetime(2025, 3, 11, 10, 0, 0, 123456, tzinfo=datetime.UTC)
    )
    return first, second


def test_every_register_model_has_a_table_with_every_field():
    tables = {t.model: t for t in PACKAGE_TABLES.values()}
    for model in register_models():
        assert model in tables, f"{model._meta.label} has no table in the data package"
        lookups = {c.lookup.split("__")[0] for c in tables[model].columns}
        fields = {f.name for f in model._meta.concrete_fields} - set(EXCLUDED_FIELDS)
        assert fields <= lookups, f"{model._meta.label}: fields missing from its table: {fields - lookups}"
    assert {t.model for t in PACKAGE_TABLES.values()} <= set(register_models())


def test_every_row_of_every_model_is_in_the_package(seeded, tmp_path):
    package = unzip(package_bytes(), tmp_path)
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == list(PACKAGE_TABLES)
    for table in PACKAGE_TABLES.values():
        resource = resources[table.name]
        key = resource["schema"]["primaryKey"]
        rows = read_rows(tmp_path, resource)
        found = [tuple(unescape(row[name]) for name in key) for row in rows]
        expected = [key_of(record) for record in table.model._base_manager.all()]
        assert len(found) == len(set(found)), table.name
        assert sorted(found) == sorted(expected), table.name
    # The seed fills every table but the few it has no facts for; the check above is not vacuous.
    assert sum(1 for table in PACKAGE_TABLES.values() if table.model._base_manager.exists()) >= 25


def test_package_is_valid_frictionless_with_its_metadata(edited, tmp_path):
    import frictionless

    data = package_bytes()
    package = unzip(data, tmp_path)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert "quot" in package["licenseNote"]
    assert len(package["sources"]) == Source.objects.count()
    assert {s["key"] for s in package["sources"]} == set(Source.objects.values_list("key", flat=True))
    created = datetime.datetime.strptime(package["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    assert abs(timezone.now() - created) < datetime.timedelta(minutes=5)
    content = hashlib.sha256()
    for resource in package["resources"]:
        raw = (tmp_path / resource["path"]).read_bytes()
        content.update(raw)
        assert resource["bytes"] == len(raw)
        assert resource["hash"] == "sha256:" + hashlib.sha256(raw).hexdigest()
        for field in resource["schema"]["fields"]:
            assert field["description"], (resource["name"], field["name"])
    assert package["hash"] == "sha256:" + content.hexdigest()
    pledges = next(r for r in package["resources"] if r["name"] == "pledges")
    assert {"fields": ["summit"], "reference": {"resource": "summits", "fields": ["slug"]}} in pledges["schema"][
        "foreignKeys"
    ]


def test_frictionless_finds_a_broken_reference(seeded, tmp_path):
    """The validation has teeth: a reference to no record fails it."""
    import frictionless

    unzip(package_bytes(), tmp_path)
    path = tmp_path / "data" / "pledge_pledgers.csv"
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    pledge, _ = lines[1].split(",")
    lines[1] = f"{pledge},ZZ"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert not report.valid
    assert "foreign-key" in {error[0] for error in report.flatten(["type"])}


def documented_reader():
    """The pandas reader docs/exports.md gives readers of the package, run as written."""
    text = DOCS.read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def read_table" in b)
    namespace: dict = {}
    exec(block.split("\npledges = read_table")[0], namespace)  # noqa: S102 (our own documentation)
    return namespace["read_table"]


def test_pandas_reads_every_table_with_the_declared_types(edited, tmp_path):
    pd = pytest.importorskip("pandas")
    first, second = edited
    package = unzip(package_bytes(), tmp_path)
    read_table = documented_reader()
    expected = {"string": "string", "integer": "Int64", "number": "float64"}
    for resource in package["resources"]:
        frame = read_table(tmp_path, resource["name"])
        raw = read_rows(tmp_path, resource)
        assert len(frame) == len(raw)
        for field in resource["schema"]["fields"]:
            name, kind = field["name"], field["type"]
            column = frame[name]
            if kind in expected:
                assert str(column.dtype) == expected[kind], (resource["name"], name, column.dtype)
            else:
                assert pd.api.types.is_datetime64_any_dtype(column), (resource["name"], name, column.dtype)
            # Every filled cell is read as a value: nothing turned into a missing value on the way.
            filled = [i for i, row in enumerate(raw) if row[name] != ""]
            assert column.iloc[filled].notna().all(), (resource["name"], name)
    pledges = read_table(tmp_path, "pledges").set_index("slug")
    assert pledges.loc[first.slug, "updated_at"] == pd.Timestamp("2025-03-11T10:00:00Z")
    assert pledges.loc[second.slug, "updated_at"] == pd.Timestamp("2025-03-11T10:00:00.123456Z")
    assert pledges.loc[first.slug, "title"] == "'=1+1 troops"  # neutralised as in every export
    resource = next(r for r in package["resources"] if r["name"] == "pledges")
    raw = {row["slug"]: row for row in read_rows(tmp_path, resource)}
    assert raw[first.slug]["updated_at"] == "2025-03-11T10:00:00.000000Z"
    assert datetime.datetime.strptime(raw[second.slug]["updated_at"], DATETIME_FORMAT).microsecond == 123456


def test_workbook_has_readme_frozen_headers_filters_and_text_cells(edited):
    from openpyxl import load_workbook

    first, _ = edited
    buffer = io.BytesIO()
    write_package_workbook(buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == [README, *PACKAGE_TABLES]
    readme = workbook[README]
    about = {row[0]: row[1] for row in readme.iter_rows(min_row=1, max_row=6, values_only=True)}
    assert about["licence"].startswith("CC-BY-4.0")
    assert about["content hash"].startswith("sha256:")
    described = {(row[0], row[1]) for row in readme.iter_rows(min_row=9, values_only=True) if row[1]}
    for table in PACKAGE_TABLES.values():
        sheet = workbook[table.name]
        assert sheet.freeze_panes == "A2"
        rows = table.model._base_manager.count()
        assert sheet.max_row == rows + 1
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(table.columns)).column_letter}{rows + 1}"
        assert [c.value for c in sheet[1]] == [c.name for c in table.columns]
        assert all(sheet.column_dimensions[sheet.cell(1, i).column_letter].width >= 10 for i in range(1, 3))
        assert {(table.name, c.name) for c in table.columns} <= described
    pledges = workbook["pledges"]
    title_column = [c.name for c in PACKAGE_TABLES["pledges"].columns].index("title") + 1
    cell = next(row[title_column - 1] for row in pledges.iter_rows(min_row=2) if row[0].value == first.slug)
    assert cell.data_type == "s"
    assert cell.value == "'=1+1 troops"
    updated = [c.name for c in PACKAGE_TABLES["pledges"].columns].index("updated_at")
    row = next(row for row in pledges.iter_rows(min_row=2, values_only=True) if row[0] == first.slug)
    assert row[updated] == datetime.datetime(2025, 3, 11, 10, 0)


def test_endpoints_serve_the_zip_and_the_workbook(seeded, public, client, settings):
    day = timezone.localdate().isoformat()
    response = client.get("/api/data-package.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="data-package-{day}.zip"'
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert "datapackage.json" in archive.namelist()
        assert len(archive.namelist()) == len(PACKAGE_TABLES) + 1

    response = client.get("/api/data-package.xlsx", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="data-package-{day}.xlsx"'
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_endpoints_follow_the_read_rule(db, client, settings):
    settings.PUBLIC_READ = False
    for url in ("/api/data-package.zip", "/api/data-package.xlsx"):
        response = client.get(url)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")


def test_package_is_the_same_for_the_same_data_but_for_its_time(seeded, tmp_path):
    one = package_bytes(created=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    again = package_bytes(created=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    later = package_bytes(created=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))
    assert one == again
    with zipfile.ZipFile(io.BytesIO(one)) as a, zipfile.ZipFile(io.BytesIO(later)) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "datapackage.json":
                assert a.read(name) == b.read(name), name
        first, second = json.loads(a.read("datapackage.json")), json.loads(b.read("datapackage.json"))
    assert first["created"] != second["created"]
    assert {**first, "created": None} == {**second, "created": None}
    Pledge.objects.filter(pk=Pledge.objects.order_by("slug")[0].pk).update(title="Changed")
    changed = json.loads(zipfile.ZipFile(io.BytesIO(package_bytes())).read("datapackage.json"))
    assert changed["hash"] != first["hash"]


def test_command_writes_the_zip_and_the_workbook(seeded, tmp_path):
    out = io.StringIO()
    call_command("export_package", "-o", str(tmp_path / "p.zip"), stdout=out)
    assert f"{len(PACKAGE_TABLES)} tables" in out.getvalue()
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["hash"] in out.getvalue()
    call_command("export_package", "--xlsx", "-o", str(tmp_path / "p.xlsx"), stdout=io.StringIO())
    assert (tmp_path / "p.xlsx").read_bytes()[:2] == b"PK"
    assert not list(tmp_path.glob("*.partial"))


def test_docs_name_every_table():
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Data package", 1)[1].split("\n## ", 1)[0]
    for name in PACKAGE_TABLES:
        assert f"`{name}`" in section, name
