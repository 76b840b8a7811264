"""The CSV import: round trip, every error in one pass, all or nothing, audited, status through change_status."""

import csv
import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commitments import exports, imports
from commitments.models import Pledge, StatusChange

pytestmark = pytest.mark.django_db


def export_bytes(bom=False) -> bytes:
    return "".join(exports.pledge_csv_chunks(bom=bom)).encode("utf-8")


def rows_of(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def to_csv(rows: list[dict], extra: tuple[str, ...] = (), bom=False) -> bytes:
    out = io.StringIO(newline="")
    fields = list(rows[0].keys()) + [name for name in extra if name not in rows[0]]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def history_count() -> int:
    """Audit rows of every kind (pledges, their pledgers, status changes, ...)."""
    from django.apps import apps

    models = apps.get_app_config("commitments").get_models()
    return sum(m.objects.count() for m in models if m._meta.model_name.startswith("historical"))


def snapshot():
    return export_bytes(), history_count(), StatusChange.objects.count()


# --- round trip -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_unchanged_export_imports_as_no_changes_and_no_history(register, bom):
    before = snapshot()
    report = imports.import_pledges(export_bytes(bom=bom))
    assert report.ok, report.lines()
    assert report.applied
    assert report.count("unchanged") == Pledge.objects.count()
    assert report.count("update") == report.count("create") == report.status_changes == 0
    assert snapshot() == before


def test_round_trip_keeps_formula_text_quotes_line_breaks_and_exact_numbers(register):
    """Edit nothing but re-save through the csv module (as a script would): same file, no changes."""
    rows = rows_of(export_bytes())
    report = imports.import_pledges(to_csv(rows))
    assert report.ok and report.count("unchanged") == len(rows)


def test_edits_are_written_audited_and_then_export_shows_them(register, django_user_model):
    user = django_user_model.objects.create_user("analyst")
    rows = rows_of(export_bytes())
    by_slug = {r["slug"]: r for r in rows}
    by_slug["cow-reassurance"]["troops_min"] = "1000"
    by_slug["cow-reassurance"]["troops_max"] = "2000"
    by_slug["fr-aid"]["pledger_codes"] = "FR;GB"
    by_slug["formula-0"]["title"] = "'=2+2"  # as a spreadsheet saves the escaped text
    history_before = Pledge.history.count()
    report = imports.import_pledges(to_csv(rows), user=user, reason="CSV import of test.csv")
    assert report.ok, report.lines()
    assert report.count("update") == 3 and report.count("unchanged") == len(rows) - 3
    vague = Pledge.objects.get(slug="cow-reassurance")
    assert (vague.troops_min, vague.troops_max, vague.version) == (1000, 2000, 2)
    assert sorted(Pledge.objects.get(slug="fr-aid").pledgers.values_list("code", flat=True)) == ["FR", "GB"]
    assert Pledge.objects.get(slug="formula-0").title == "=2+2"
    latest = vague.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.troops_min) == (
        user,
        "CSV import of test.csv",
        1000,
    )
    # Exactly one audit record per changed pledge, fr-aid's new pledgers included (the write path).
    assert Pledge.history.count() == history_before + 3
    # and the new export imports as unchanged again
    again = imports.import_pledges(export_bytes())
    assert again.ok and again.count("unchanged") == len(rows)


def test_new_pledges_are_created_including_a_share_of_an_earlier_row(register):
    rows = rows_of(export_bytes())
    template = {name: "" for name in rows[0]}
    rows.append(
        template
        | {
            "slug": "pl-new",
            "title": "Polish logistics hub",
            "category": "infrastructure",
            "pledger_codes": "FR",
            "condition": "not_stated",
            "condition_state": "not_applicable",
        }
    )
    rows.append(
        template
        | {
            "slug": "pl-new-share",
            "title": "Part of it",
            "category": "infrastructure",
            "pledger_codes": "GB",
            "part_of": "pl-new",
            "condition": "not_stated",
            "condition_state": "not_applicable",
        }
    )
    report = imports.import_pledges(to_csv(rows))
    assert report.ok, report.lines()
    assert report.count("create") == 2
    share = Pledge.objects.get(slug="pl-new-share")
    assert share.part_of.slug == "pl-new" and share.status == "not_assessable"
    assert list(share.pledgers.values_list("code", flat=True)) == ["GB"]
    # Created with its pledger in one write: one audit record, as in the admin and the API.
    assert [record.history_type for record in share.history.order_by("history_id")] == ["+"]


# --- status changes -------------------------------------------------------------------------------


STATUS_COLUMNS = ("status_effective_date", "status_source", "status_note", "status_date_precision")


def test_status_change_goes_through_change_status(register, django_user_model):
    user = django_user_model.objects.create_user("analyst")
    rows = rows_of(export_bytes())
    for row in rows:
        row.update(dict.fromkeys(STATUS_COLUMNS, ""))
    bulk = next(r for r in rows if r["slug"] == "fr-gb-bulk")
    bulk.update(
        status="committed",
        status_effective_date="2026-01-08",
        status_source="reuters-2026-01-07",
        status_note="Signed at the follow-up meeting",
        status_date_precision="month",
    )
    report = imports.import_pledges(to_csv(rows), user=user)
    assert report.ok, report.lines()
    assert report.status_changes == 1 and report.count("update") == 1
    pledge = Pledge.objects.get(slug="fr-gb-bulk")
    assert (pledge.status, str(pledge.status_changed_on)) == ("committed", "2026-01-08")
    change = pledge.status_changes.order_by("-sequence").first()
    assert (change.sequence, change.from_status, change.to_status) == (2, "announced", "committed")
    assert (change.source.key, change.note, change.effective_precision, change.recorded_by) == (
        "reuters-2026-01-07",
        "Signed at the follow-up meeting",
        "month",
        user,
    )
    # Importing the same file again: the status is already committed, so nothing happens.
    again = imports.import_pledges(to_csv(rows))
    assert again.ok and again.status_changes == 0 and again.count("update") == 0


def test_status_change_without_details_is_refused_naming_the_columns(register):
    rows = rows_of(export_bytes())
    next(r for r in rows if r["slug"] == "fr-aid")["status"] = "fulfilled"
    report = imports.import_pledges(to_csv(rows))
    assert not report.ok
    (error,) = report.errors
    assert (error.row, error.column) == (5, "status")
    assert "status_effective_date, status_source and status_note" in error.message


def test_status_change_details_are_each_checked(register):
    rows = rows_of(export_bytes())
    for row in rows:
        row.update(dict.fromkeys(STATUS_COLUMNS, ""))
    bulk = next(r for r in rows if r["slug"] == "fr-gb-bulk")
    bulk.update(status="committed", status_effective_date="2026-01-01", status_source="nope", status_note="")
    future = next(r for r in rows if r["slug"] == "fr-aid")
    future.update(
        status="fulfilled", status_effective_date="2099-01-01", status_source="reuters-2026-01-07", status_note="x"
    )
    wild = next(r for r in rows if r["slug"] == "us-aid")
    wild.update(
        status="fulfilled", status_effective_date="1900-01-01", status_source="reuters-2026-01-07", status_note="x"
    )
    report = imports.import_pledges(to_csv(rows))
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (2, "status_source"),
        (2, "status_note"),
        (5, "status_effective_date"),
        (6, "status_effective_date"),
    }
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "future" in messages[(5, "status_effective_date")]
    assert "must lie between" in messages[(6, "status_effective_date")]
    assert Pledge.objects.get(slug="fr-aid").status == "not_assessable"


def test_status_change_before_the_previous_one_is_refused(register):
    rows = rows_of(export_bytes())
    for row in rows:
        row.update(dict.fromkeys(STATUS_COLUMNS, ""))
    next(r for r in rows if r["slug"] == "fr-gb-bulk").update(
        status="committed", status_effective_date="2025-12-31", status_source="reuters-2026-01-07", status_note="x"
    )
    report = imports.import_pledges(to_csv(rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "status_effective_date")]
    assert "06 January 2026" in report.errors[0].message


# --- errors: all of them, in one pass, nothing written ---------------------------------------------


BAD_CELLS = [
    ("troops_min", "5,000", "not a whole number"),
    ("troops_max", "-3", "not a whole number"),
    ("amount", "1.234,5", "not a number"),
    ("value_date", "27/03/2025", "YYYY-MM-DD"),
    ("category", "tanks", "not one of"),
    ("pledger_codes", "FR;XX", "Unknown state code"),
    ("summit", "nowhere", "No summit"),
    ("part_of", "missing-pledge", "No pledge"),
    ("title", "", "cannot be blank"),
    ("last_reviewed_at", "yesterday", "date and time"),
]


@pytest.mark.parametrize("column, value, message", BAD_CELLS)
def test_one_bad_row_at_a_random_position_writes_nothing(register, column, value, message):
    """Atomicity: the other rows are valid edits, yet none is written when one row fails."""
    rows = rows_of(export_bytes())
    for row in rows:
        if row["slug"].startswith("formula-"):
            row["description"] = "edited"  # valid edits that must not be written
    position = random.randrange(len(rows))
    rows[position][column] = value
    before = snapshot()
    report = imports.import_pledges(to_csv(rows))
    assert not report.applied
    assert [(e.row, e.column) for e in report.errors] == [(position + 2, column)], report.lines()
    assert message in report.errors[0].message
    assert snapshot() == before


def test_every_error_is_reported_in_one_pass_with_row_and_column(register):
    rows = rows_of(export_bytes())
    rows[0]["troops_min"] = "20000"  # above troops_max: a model constraint, reported on its columns
    rows[3]["currency"] = ""  # amount without currency
    rows[5]["slug"] = rows[4]["slug"]  # duplicate
    rows[6]["fx_rate"] = "abc"
    report = imports.import_pledges(to_csv(rows))
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "troops_max, troops_min"),
        (5, "amount, currency"),
        (7, "slug"),
        (8, "fx_rate"),
    ], report.lines()
    assert "cannot exceed" in report.errors[0].message
    assert "row 7, column slug: 'us-aid' is already on row 6" in report.lines()[2]
    assert report.summary() == "4 error(s); nothing was written."


def test_stale_row_is_refused_by_version(register):
    data = export_bytes()
    pledge = Pledge.objects.get(slug="fr-aid")
    pledge.title = "Edited meanwhile in the admin"
    pledge.save()
    rows = rows_of(data)
    next(r for r in rows if r["slug"] == "fr-aid")["description"] = "my edit"
    report = imports.import_pledges(to_csv(rows))
    assert [(e.row, e.column) for e in report.errors] == [(5, "version")]
    assert "Export again" in report.errors[0].message
    assert Pledge.objects.get(slug="fr-aid").description == ""


# --- the file itself ---------------------------------------------------------------------------------


def test_wrong_header_names_missing_and_unknown_columns(register):
    rows = rows_of(export_bytes())
    for row in rows:
        row.pop("troops_min")
        row.pop("status")
        row["troops"] = ""
    report = imports.import_pledges(to_csv(rows))
    (error,) = report.errors
    assert error.row == 1
    assert "missing column(s): troops_min, status" in error.message
    assert "unknown column(s): 'troops'" in error.message


def test_read_only_columns_may_be_dropped(register):
    rows = [
        {k: v for k, v in r.items() if k not in ("pledger_names", "first_source_title", "version")}
        for r in rows_of(export_bytes())
    ]
    report = imports.import_pledges(to_csv(rows))
    assert report.ok and report.count("unchanged") == len(rows)


def test_not_utf8_is_refused(register):
    data = export_bytes().replace(b"France", "Fr\u00e4nce".encode("latin-1"))
    report = imports.import_pledges(data)
    assert not report.ok and "not UTF-8" in report.errors[0].message


def test_oversize_file_and_cell_are_refused(register, monkeypatch):
    monkeypatch.setattr(imports.reading, "MAX_FILE_BYTES", 1000)
    report = imports.import_pledges(export_bytes())
    assert "at most 1,000 bytes" in report.errors[0].message
    monkeypatch.undo()
    rows = rows_of(export_bytes())
    rows[1]["description"] = "x" * (imports.MAX_CELL_CHARS + 1)
    report = imports.import_pledges(to_csv(rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "description")]
    assert "10,000" in report.errors[0].message
    rows[1]["description"] = "x" * 200_000  # past the csv module's own limit
    # That limit is process-wide, and importing frictionless (the data package tests) raises it:
    # pin the default for this test, restored after.
    previous = csv.field_size_limit(131_072)
    try:
        report = imports.import_pledges(to_csv(rows))
    finally:
        csv.field_size_limit(previous)
    assert not report.ok and "longer than" in report.errors[0].message


def test_ragged_row_and_empty_file(register):
    assert "empty" in imports.import_pledges(b"").errors[0].message
    data = export_bytes() + b"only,three,cells\r\n"
    report = imports.import_pledges(data)
    assert report.errors[0].row == Pledge.objects.count() + 2
    assert "3 cells" in report.errors[0].message


# --- the command -------------------------------------------------------------------------------------


def test_command_dry_run_reports_and_writes_nothing(register, tmp_path):
    rows = rows_of(export_bytes())
    rows[2]["troops_min"] = "500"
    path = tmp_path / "edit.csv"
    path.write_bytes(to_csv(rows))
    before = snapshot()
    out = io.StringIO()
    call_command("import_pledges", str(path), "--dry-run", stdout=out)
    assert "Would import" in out.getvalue() and "1 changed" in out.getvalue()
    assert "row 4 update cow-reassurance (troops_min: (blank) → 500)" in out.getvalue()
    assert snapshot() == before
    call_command("import_pledges", str(path), stdout=io.StringIO())
    assert Pledge.objects.get(slug="cow-reassurance").troops_min == 500


def test_command_fails_with_the_errors(register, tmp_path):
    rows = rows_of(export_bytes())
    rows[2]["troops_min"] = "lots"
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_pledges", str(path), stderr=err)
    assert "row 4, column troops_min: 'lots' is not a whole number" in err.getvalue()
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_pledges", str(tmp_path / "missing.csv"))


def test_new_pledge_with_a_status_is_created_then_changed_through_change_status(register, django_user_model):
    user = django_user_model.objects.create_user("analyst")
    rows = rows_of(export_bytes())
    for row in rows:
        row.update(dict.fromkeys(STATUS_COLUMNS, ""))
    rows.append(
        dict.fromkeys(rows[0], "")
        | {
            "slug": "gb-air-policing",
            "title": "Air policing",
            "category": "maritime",
            "pledger_codes": "GB",
            "condition": "not_stated",
            "condition_state": "not_applicable",
            "status": "announced",
            "status_effective_date": "2026-01-06",
            "status_source": "guardian-2026-01-06",
            "status_note": "Announced at the summit",
        }
    )
    report = imports.import_pledges(to_csv(rows, extra=STATUS_COLUMNS), user=user)
    assert report.ok, report.lines()
    assert (report.count("create"), report.status_changes) == (1, 1)
    pledge = Pledge.objects.get(slug="gb-air-policing")
    assert pledge.status == "announced"
    (change,) = pledge.status_changes.all()
    assert (change.from_status, change.to_status, change.recorded_by) == ("not_assessable", "announced", user)


@pytest.mark.parametrize(
    "slug, column, value, message",
    [
        ("cow-reassurance", "description", "line one\x00 and a NUL", "Null characters are not allowed."),
        ("fr-aid", "amount", "1e30", "Ensure that there are no more than 18 digits in total."),
        ("fr-aid", "amount", "2e9", None),  # the same amount, written as a number: no change at all
        ("us-aid", "last_reviewed_at", "2026-01-07T09:30:15+21:26", "A UTC offset lies between −12:00 and +14:00."),
    ],
)
def test_the_dry_run_refuses_whatever_the_real_run_would(register, slug, column, value, message):
    """Found by an adversarial run: these passed the dry run and then failed in the database (a 500 in
    the admin's confirm). Both runs now give the same row errors, and nothing is written."""
    rows = rows_of(export_bytes())
    next(row for row in rows if row["slug"] == slug)[column] = value
    before = snapshot()
    dry = imports.import_pledges(to_csv(rows), dry_run=True)
    real = imports.import_pledges(to_csv(rows))
    assert [(e.column, e.message) for e in dry.errors] == [(e.column, e.message) for e in real.errors]
    if message is None:
        assert real.ok and real.count("update") == 0
    else:
        assert [(e.column, message in e.message) for e in real.errors] == [(column, True)], real.lines()
        assert not real.applied
    assert snapshot() == before
