"""The data model in two languages (issue 16): choices' labels, models' names, help texts and
validation messages are Ukrainian under Ukrainian and the same English as before under English;
the optional Ukrainian versions of record content (`<field>_uk`) are written through the one
write path, served by the API, the exports, the data package and the releases, and shown in place
of the English only when the language is Ukrainian and the version is not empty."""

import contextlib
import csv
import datetime
import gzip
import hashlib
import io
import json
import sqlite3
import zipfile

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation

from commitments import models, services
from commitments.choices import Category, Status
from commitments.exports import files
from commitments.exports.package import write_package
from commitments.models.base import in_language
from commitments.releases import make_release, routing

from . import builders as make

pytestmark = pytest.mark.django_db

UK_FIELDS = {
    models.Pledge: ("title", "description"),
    models.Instrument: ("name", "summary"),
    models.Summit: ("title", "summary"),
    models.Declaration: ("title", "summary"),
    models.State: ("name",),
}


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()


# --- the model's own words, in both languages -------------------------------------------------


def test_a_choice_label_in_both_languages():
    with translation.override("en-gb"):
        assert str(Category.TROOPS.label) == "Troops"
        assert str(Status.ANNOUNCED.label) == "Announced (stated publicly, not formally agreed)"
    with translation.override("uk"):
        assert str(Category.TROOPS.label) == "Війська"
        assert str(Status.ANNOUNCED.label).startswith("Оголошено")
        # The explanation stays in brackets: status_label cuts at " (" in either language.
        assert make.pledge("p").status_label(Status.ANNOUNCED) == "оголошено"


def test_model_names_and_help_texts_in_both_languages():
    opts = models.Pledge._meta
    with translation.override("en-gb"):
        assert (str(opts.verbose_name), str(opts.verbose_name_plural)) == ("pledge", "pledges")
        assert str(opts.get_field("title").help_text) == "What is promised, in one line."
        assert str(models.State._meta.verbose_name_plural) == "states"
        # a field with no name of its own keeps Django's English name for it
        assert str(opts.get_field("amount_eur").verbose_name) == "amount eur"
        assert str(opts.get_field("title_uk").verbose_name) == "title (Ukrainian)"
    with translation.override("uk"):
        assert (str(opts.verbose_name), str(opts.verbose_name_plural)) == ("зобов'язання", "зобов'язання")
        assert str(opts.get_field("title").help_text) == "Що обіцяно, одним рядком."
        assert str(models.State._meta.verbose_name_plural) == "держави"
        assert str(opts.get_field("amount_eur").verbose_name) == "сума в євро"
        assert str(opts.get_field("pledgers").verbose_name) == "сторони зобов'язання"
        assert str(opts.get_field("title_uk").verbose_name) == "назва (українською)"


def test_a_help_text_with_a_number_is_filled_in_when_shown():
    field = models.Citation._meta.get_field("quote")
    with translation.override("en-gb"):
        assert str(field.help_text) == ("The phrase of the source that states the fact, at most 25 words, verbatim.")
    with translation.override("uk"):
        assert str(field.help_text) == "Фраза джерела, що стверджує факт, дослівно, не більше ніж 25 слів."


def test_a_model_validation_message_in_both_languages():
    pledge = models.Pledge(slug="p", title="Troops", category=Category.TROOPS, troops_min=10, troops_max=5)
    with translation.override("en-gb"), pytest.raises(ValidationError) as english:
        pledge.full_clean()
    assert "The lower troop figure cannot exceed the upper one." in english.value.messages
    with translation.override("uk"), pytest.raises(ValidationError) as ukrainian:
        pledge.full_clean()
    assert "Нижня кількість військ не може перевищувати верхню." in ukrainian.value.messages


def test_a_date_bounds_message_gives_its_dates_in_the_language():
    pledge = models.Pledge(
        slug="p",
        title="Money",
        category=Category.FUNDING,
        amount=1,
        currency="EUR",
        value_date=datetime.date(1980, 1, 1),
    )
    with translation.override("en-gb"), pytest.raises(ValidationError) as english:
        pledge.full_clean()
    assert "Value date must lie between 24 August 1991 and 31 December 2100." in english.value.messages
    with translation.override("uk"), pytest.raises(ValidationError) as ukrainian:
        pledge.full_clean()
    assert any("24 серпня 1991" in m and "31 грудня 2100" in m for m in ukrainian.value.messages), (
        ukrainian.value.messages
    )


def test_a_message_built_in_clean_is_translated():
    pledge = models.Pledge(slug="p", title="Drones", category=Category.MONITORING, monitoring_means="drones")
    with translation.override("uk"), pytest.raises(ValidationError) as raised:
        pledge.full_clean()
    [message] = raised.value.message_dict["monitoring_role"]
    assert message.startswith("Вкажіть роль у моніторингу")


def test_the_audit_reason_of_a_status_change_stays_english_whatever_the_language():
    pledge = make.pledge("p")
    source = make.source()
    with translation.override("uk"):
        pledge.change_status(Status.ANNOUNCED, effective_date=datetime.date(2025, 3, 1), source=source, note="Said so")
    assert pledge.history.latest().history_change_reason == "Status changed to announced"


# --- the Ukrainian versions of record content ---------------------------------------------------


def test_every_ukrainian_version_is_an_optional_column_as_long_as_the_english():
    for model, names in UK_FIELDS.items():
        for name in names:
            english, ukrainian = model._meta.get_field(name), model._meta.get_field(f"{name}_uk")
            assert type(ukrainian) is type(english) and ukrainian.max_length == english.max_length
            assert ukrainian.blank and ukrainian.default == ""
            # the audit trail keeps them as it keeps the English
            assert f"{name}_uk" in {f.name for f in model.history.model._meta.fields}


def test_a_ukrainian_version_is_no_field_a_source_is_cited_for():
    # a translation of what the English says, not a claim of its own
    for model, names in UK_FIELDS.items():
        citable = {name for name, _label in models.Citation.citable_fields(model)}
        assert names[0] in citable  # the English is
        assert not {f"{name}_uk" for name in names} & citable


def test_in_language_falls_back_to_the_english():
    pledge = make.pledge("p", title="Troops for reassurance", title_uk="Війська для гарантій")
    bare = make.pledge("q", title="Air policing")
    assert in_language(pledge, "title", "uk") == pledge.in_language("title", "uk") == "Війська для гарантій"
    assert in_language(pledge, "title", "en-gb") == "Troops for reassurance"
    assert bare.in_language("title", "uk") == "Air policing"  # empty: the English
    with translation.override("uk"):
        assert pledge.in_language("title") == "Війська для гарантій"
    with translation.override("en-gb"):
        assert pledge.in_language("title") == "Troops for reassurance"


def test_save_pledge_writes_and_validates_the_ukrainian_version():
    pledge = make.pledge("p")
    pledge.title_uk = "Війська для гарантій"
    services.save_pledge(pledge)
    assert models.Pledge.objects.get(pk=pledge.pk).title_uk == "Війська для гарантій"
    assert pledge.history.latest().title_uk == "Війська для гарантій"
    pledge.title_uk = "ж" * 301
    with pytest.raises(ValidationError) as too_long:
        services.save_pledge(pledge)
    assert "title_uk" in too_long.value.message_dict
    pledge.description_uk = "нуль\x00"
    pledge.title_uk = ""
    with pytest.raises(ValidationError) as nul:
        services.save_pledge(pledge)
    assert "description_uk" in nul.value.message_dict
    assert models.Pledge.objects.get(pk=pledge.pk).title_uk == "Війська для гарантій"  # nothing half-written


def test_the_api_serves_and_writes_the_ukrainian_version():
    client = make.token_client(make.user(role="Analyst", staff=False), can_write=True)[0]
    pledge = make.pledge("p", title_uk="Війська")
    response = client.get(f"/api/pledges/{pledge.pk}/")
    assert response.json()["title_uk"] == "Війська" and response.json()["description_uk"] == ""
    listed = client.get("/api/pledges/").json()["results"]
    assert [row["title_uk"] for row in listed] == ["Війська"]
    etag = response["ETag"]
    response = client.patch(
        f"/api/pledges/{pledge.pk}/", {"description_uk": "Подробиці"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert models.Pledge.objects.get(pk=pledge.pk).description_uk == "Подробиці"
    response = client.patch(
        f"/api/pledges/{pledge.pk}/", {"title_uk": "ж" * 301}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert response.status_code == 400
    assert "title_uk" in response.json()
    assert models.Pledge.objects.get(pk=pledge.pk).title_uk == "Війська"
    state = make.state("GB", name_uk="Сполучене Королівство")
    assert client.get(f"/api/states/{state.code}/").json()["name_uk"] == "Сполучене Королівство"


def test_the_openapi_schema_describes_the_ukrainian_versions(client, public):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    schemas = json.loads(schema.content)["components"]["schemas"]
    for name in ("Pledge", "PledgeDetailRequest"):  # read and written
        pledge = schemas[name]["properties"]
        assert pledge["title_uk"]["description"] == "Ukrainian version of title; empty: the English is shown."
        assert pledge["description_uk"]["type"] == "string"
    assert "name_uk" in schemas["State"]["properties"] and "summary_uk" in schemas["Instrument"]["properties"]


def parse_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_the_exports_carry_the_ukrainian_versions():
    make.pledge("p", title_uk="Війська", description_uk="Подробиці")
    make.state("GB", name_uk="Сполучене Королівство")
    [row] = parse_csv("".join(files.pledge_csv_chunks()))
    assert (row["title_uk"], row["description_uk"]) == ("Війська", "Подробиці")
    states = parse_csv("".join(files.table_csv_chunks("states", models.State.objects.all())))
    assert {s["code"]: s["name_uk"] for s in states}["GB"] == "Сполучене Королівство"


def package_of(data: bytes) -> tuple[dict, dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        pledges = parse_csv(archive.read("data/pledges.csv").decode("utf-8"))
    return descriptor, {row["slug"]: row for row in pledges}


def test_the_data_package_and_a_release_carry_them_described_in_english():
    make.pledge("p", title_uk="Війська")
    buffer = io.BytesIO()
    with translation.override("uk"):  # the package is the same whoever asks
        write_package(buffer)
    descriptor, rows = package_of(buffer.getvalue())
    fields = {
        resource["name"]: {f["name"]: f for f in resource["schema"]["fields"]} for resource in descriptor["resources"]
    }
    assert fields["pledges"]["title_uk"]["description"] == "Ukrainian version of title; empty: the English is shown."
    assert fields["pledges"]["title"]["description"] == "What is promised, in one line."
    assert {"name_uk"} <= set(fields["states"]) and {"title_uk", "summary_uk"} <= set(fields["summits"])
    assert rows["p"]["title_uk"] == "Війська"
    release = make_release("R1")
    _, released = package_of(bytes(release.package))
    assert released["p"]["title_uk"] == "Війська"


def test_the_import_takes_the_ukrainian_columns_and_files_without_them():
    from commitments import imports

    user = make.user(role="Analyst")
    make.pledge("p", title_uk="Війська")
    exported = "".join(files.pledge_csv_chunks())
    rows = parse_csv(exported)
    rows[0]["description_uk"] = "Подробиці"
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    report = imports.import_pledges(out.getvalue().encode(), user=user, reason="CSV import")
    assert report.ok, report.lines()
    assert models.Pledge.objects.get(slug="p").description_uk == "Подробиці"
    # A file exported before the columns existed still imports and leaves them as they are.
    rows = parse_csv("".join(files.pledge_csv_chunks()))
    older = [{k: v for k, v in row.items() if not k.endswith("_uk")} for row in rows]
    older[0]["title"] = "Renamed"
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(older[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(older)
    report = imports.import_pledges(out.getvalue().encode(), user=user, reason="CSV import")
    assert report.ok, report.lines()
    kept = models.Pledge.objects.get(slug="p")
    assert (kept.title, kept.title_uk, kept.description_uk) == ("Renamed", "Війська", "Подробиці")


def test_a_records_name_in_both_languages():
    source = models.Source(title="Paris communiqué", publisher="")
    with translation.override("en-gb"):
        assert str(source) == "Paris communiqué (publisher not stated)"
    with translation.override("uk"):
        assert str(source) == "Paris communiqué (видавця не вказано)"


def without_ukrainian_columns(snapshot: bytes, folder) -> bytes:
    """The snapshot as a release made before migration 0013 holds it: no pledge._uk columns."""
    path = folder / "old.sqlite3"
    path.write_bytes(gzip.decompress(snapshot))
    with contextlib.closing(sqlite3.connect(path)) as db:
        for column in ("title_uk", "description_uk"):
            db.execute(f'ALTER TABLE "commitments_pledge" DROP COLUMN "{column}"')
        db.commit()
    return gzip.compress(path.read_bytes())


def test_a_release_made_before_the_ukrainian_columns_still_reads(tmp_path, settings):
    settings.RELEASE_CACHE_DIR = str(tmp_path / "cache")
    make.pledge("p", title="Troops")
    release = make_release("R1")
    old = without_ukrainian_columns(bytes(release.snapshot), tmp_path)
    unpacked = tmp_path / "unpacked.sqlite3"
    routing.unpack(old, hashlib.sha256(old).hexdigest(), unpacked)
    assert routing.missing_columns(unpacked) == []  # added, empty: no Ukrainian version then
    alias = routing.register_sqlite("release-test-old", unpacked, readonly=True)
    try:
        with routing.reading(alias):
            assert models.Pledge.objects.values_list("title", "title_uk").get(slug="p") == ("Troops", "")
    finally:
        routing.forget(alias)
    # A copy unpacked into the cache before the columns existed is unpacked again, with them.
    cached = routing.snapshot_path(release)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(gzip.decompress(old))
    assert routing.missing_columns(cached)
    alias = routing.open_release(release)
    try:
        assert routing.missing_columns(cached) == []
        with routing.reading(alias):
            assert models.Pledge.objects.get(slug="p").title_uk == ""
    finally:
        routing.forget(alias)
