"""The admin's import page (upload, preview, confirm) and export action on the real PledgeAdmin."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments import exports
from commitments.models import Pledge

pytestmark = [pytest.mark.django_db]
IMPORT_URL = "/admin/commitments/pledge/import/"
CHANGELIST = "/admin/commitments/pledge/"


def edited_file(**changes) -> SimpleUploadedFile:
    text = "".join(exports.pledge_csv_chunks())
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for slug, values in changes.items():
        next(r for r in rows if r["slug"] == slug).update(values)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("pledges.csv", out.getvalue().encode("utf-8"), content_type="text/csv")


def test_changelist_links_to_the_import_page(register, analyst_client):
    response = analyst_client.get(CHANGELIST)
    assert response.status_code == 200
    assert IMPORT_URL.encode() in response.content


def test_preview_then_confirm_writes_and_audits(register, analyst, analyst_client):
    upload = edited_file(**{"cow-reassurance": {"troops_min": "1500"}})
    preview = analyst_client.post(IMPORT_URL, {"file": upload})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Would import" in page and "1 changed" in page
    assert "troops_min" in page and "1500" in page
    assert Pledge.objects.get(slug="cow-reassurance").troops_min is None  # nothing written yet
    confirm = preview.context["confirm"]
    done = analyst_client.post(IMPORT_URL, {"confirm": confirm})
    assert done.status_code == 302 and done["Location"] == CHANGELIST
    pledge = Pledge.objects.get(slug="cow-reassurance")
    assert pledge.troops_min == 1500
    latest = pledge.history.first()
    assert latest.history_user == analyst
    assert latest.history_change_reason == "CSV import of pledges.csv (admin)"
    # The preview cannot be confirmed twice.
    again = analyst_client.post(IMPORT_URL, {"confirm": confirm})
    assert "no longer available" in again.content.decode()


def test_errors_are_listed_and_nothing_can_be_confirmed(register, analyst_client):
    upload = edited_file(**{"fr-aid": {"amount": "lots"}, "us-aid": {"currency": "XYZ"}})
    response = analyst_client.post(IMPORT_URL, {"file": upload})
    page = response.content.decode()
    assert "2 error(s); nothing was written." in page
    assert "lots" in page and "XYZ" in page
    assert "confirm" not in response.context or not response.context.get("confirm")
    assert 'name="confirm"' not in page


def test_confirm_revalidates_against_edits_made_after_the_preview(register, analyst_client):
    preview = analyst_client.post(IMPORT_URL, {"file": edited_file(**{"fr-aid": {"description": "mine"}})})
    pledge = Pledge.objects.get(slug="fr-aid")
    pledge.title = "Someone else's edit"
    pledge.save()
    response = analyst_client.post(IMPORT_URL, {"confirm": preview.context["confirm"]})
    assert response.status_code == 200
    assert "changed in the tracker since this file was exported" in response.content.decode()
    assert Pledge.objects.get(slug="fr-aid").description == ""


def test_missing_or_oversize_upload(register, analyst_client, monkeypatch):
    from commitments import imports

    assert "Choose a CSV file" in analyst_client.post(IMPORT_URL, {}).content.decode()
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 100)
    assert "at most 100 bytes" in analyst_client.post(IMPORT_URL, {"file": edited_file()}).content.decode()


def test_import_needs_add_and_change_permissions(register, client, viewer):
    client.force_login(viewer)  # a Viewer may see pledges, not add or change them
    assert client.get(IMPORT_URL).status_code == 403
    assert IMPORT_URL.encode() not in client.get(CHANGELIST).content
    client.logout()
    assert client.get(IMPORT_URL).status_code == 302  # to the admin login


def test_export_action_on_selected_rows(register, analyst_client):
    # The file lists the rows in the order the change list shows them (most recently updated first).
    selected = Pledge.objects.filter(slug__in=["fr-gb-bulk", "fr-aid"]).order_by("-updated_at", "-id")
    response = analyst_client.post(
        CHANGELIST,
        {"action": "export_pledges_action", "_selected_action": [p.pk for p in selected]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="pledges-')
    text = b"".join(response.streaming_content).decode()
    assert text == "".join(exports.pledge_csv_chunks(selected, bom=True))  # with the mark, for Excel
    rows = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    assert sorted(r["slug"] for r in rows) == ["fr-aid", "fr-gb-bulk"]
