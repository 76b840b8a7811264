"""One write path for pledges (commitments.services): the admin, the API, the CSV import and the seed
refuse the same input with the same message, and every write leaves exactly one audit record and
raises the version by one (so `check_data`'s versions check holds on every path)."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from commitments import exports, imports, integrity, services
from commitments.choices import Status
from commitments.models import Pledge
from commitments.models.pledges import MAX_TROOPS, NO_PLEDGER, REVIEW_TIME_BOUNDS, SHARE_OF_ITSELF

from . import builders as make
from .html_forms import form_data

pytestmark = pytest.mark.django_db
ADMIN = "/admin/commitments/pledge/"
TOO_MANY = f"Ensure this value is less than or equal to {MAX_TROOPS}."


@pytest.fixture
def admin(analyst_client):
    return analyst_client


@pytest.fixture
def api(analyst):
    return make.token_client(analyst, can_write=True)[0]


def records(pledge) -> list[str]:
    return [r.history_type for r in Pledge.history.filter(id=pledge.pk).order_by("history_id")]


def versions_hold() -> bool:
    return list(integrity.versions_match_history()) == []


def import_rows(rows: list[dict], extra=()) -> imports.ImportReport:
    out = io.StringIO(newline="")
    fields = [c.name for c in exports.PLEDGE_COLUMNS] + list(extra)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows([{name: row.get(name, "") for name in fields} for row in rows])
    return imports.import_pledges(out.getvalue().encode(), reason="CSV import")


def exported_row(pledge) -> dict:
    text = "".join(exports.pledge_csv_chunks(Pledge.objects.filter(pk=pledge.pk)))
    return next(csv.DictReader(io.StringIO(text, newline="")))


def new_row(**values) -> dict:
    return {
        "slug": "imported",
        "title": "Imported",
        "category": "troops",
        "pledger_codes": "FR",
        "condition": "not_stated",
        "condition_state": "not_applicable",
        **values,
    }


# ---------------------------------------------------------------------------------------------
# One audit record per write, on every path


def test_admin_add_change_status_review_delete_and_restore_one_record_each(admin, superuser):
    fr = make.state("FR", "France")
    page = admin.get(f"{ADMIN}add/")
    form = form_data(page, "pledge_form", title="Troops", slug="troops", category="troops", pledgers=[fr.pk])
    assert admin.post(f"{ADMIN}add/", form).status_code == 302
    pledge = Pledge.objects.get()
    assert records(pledge) == ["+"] and pledge.version == 1

    page = admin.get(f"{ADMIN}{pledge.pk}/change/")
    assert (
        admin.post(f"{ADMIN}{pledge.pk}/change/", form_data(page, "pledge_form", title="More troops")).status_code
        == 302
    )
    assert records(pledge) == ["+", "~"]

    page = admin.get(f"{ADMIN}{pledge.pk}/change-status/")
    change = {"status": "announced", "effective_date": "2025-03-27", "precision": "day", "note": "Said so"}
    form = form_data(page, "change-status-form", source=make.source().pk, apply="1", **change)
    assert admin.post(f"{ADMIN}{pledge.pk}/change-status/", form).status_code == 302
    assert records(pledge) == ["+", "~", "~"]

    action = {"action": "mark_reviewed", "_selected_action": [pledge.pk]}
    assert admin.post(ADMIN, action).status_code == 302
    assert records(pledge) == ["+", "~", "~", "~"]
    assert versions_hold() and Pledge.objects.get().version == 4

    admin.force_login(superuser)
    assert admin.post(f"{ADMIN}{pledge.pk}/delete/", {"post": "yes"}).status_code == 302
    assert records(pledge) == ["+", "~", "~", "~", "-"]
    assert admin.post(f"{ADMIN}deleted/{pledge.pk}/restore/").status_code == 302
    assert records(pledge) == ["+", "~", "~", "~", "-", "+"]
    # The restored pledge goes on from its version: an ETag read before the deletion never matches again.
    assert Pledge.objects.get().version == 5 and versions_hold()


def test_api_create_update_status_and_delete_one_record_each(api, superuser):
    make.state("FR"), make.state("GB")
    made = api.post(
        "/api/pledges/", {"slug": "p", "title": "P", "category": "troops", "pledgers": ["FR", "GB"]}, format="json"
    )
    assert made.status_code == 201, made.json()
    pledge = Pledge.objects.get()
    assert records(pledge) == ["+"]
    assert (
        api.patch(
            f"/api/pledges/{pledge.pk}/", {"title": "Q", "pledgers": ["FR"]}, format="json", **make.if_match(pledge)
        ).status_code
        == 200
    )
    assert records(pledge) == ["+", "~"]
    full = {"slug": "p", "title": "R", "category": "troops", "pledgers": ["GB"]}
    assert api.put(f"/api/pledges/{pledge.pk}/", full, format="json", **make.if_match(pledge)).status_code == 200
    assert records(pledge) == ["+", "~", "~"]
    source = make.source()
    status = {"status": "announced", "effective_date": "2025-03-27", "note": "Said so", "source": source.key}
    assert (
        api.post(f"/api/pledges/{pledge.pk}/status/", status, format="json", **make.if_match(pledge)).status_code == 201
    )
    assert records(pledge) == ["+", "~", "~", "~"]
    assert versions_hold() and Pledge.objects.get().version == 4
    root_api = make.token_client(superuser, can_write=True)[0]
    assert root_api.delete(f"/api/pledges/{pledge.pk}/", **make.if_match(pledge)).status_code == 204
    assert records(pledge) == ["+", "~", "~", "~", "-"]


def test_import_create_update_and_status_change_one_record_per_write(db):
    make.state("FR", "France"), make.state("GB", "United Kingdom")
    source = make.source()
    report = import_rows([new_row()])
    assert report.ok and report.applied, report.lines()
    pledge = Pledge.objects.get()
    assert records(pledge) == ["+"]

    report = import_rows([{**exported_row(pledge), "title": "Renamed", "pledger_codes": "FR;GB"}])
    assert report.ok and report.applied, report.lines()
    assert records(pledge) == ["+", "~"]

    status = {"status": "announced", "status_effective_date": "2025-03-27", "status_note": "Said so"}
    row = {**exported_row(pledge), **status, "status_source": source.key}
    report = import_rows([row], extra=("status_effective_date", "status_source", "status_note"))
    assert report.ok and report.applied, report.lines()
    assert records(pledge) == ["+", "~", "~"]

    # A new pledge with a status: two writes (the pledge, then its status change), two records.
    row = new_row(
        slug="second", status="proposed", status_source=source.key, **{k: v for k, v in status.items() if k != "status"}
    )
    report = import_rows([row], extra=("status_effective_date", "status_source", "status_note"))
    assert report.ok and report.applied, report.lines()
    assert records(Pledge.objects.get(slug="second")) == ["+", "~"]
    assert versions_hold()


def test_seeded_pledges_one_record_per_write(seeded):
    assert versions_hold()
    pledge = Pledge.objects.get(slug="fr-aid-2-billion-euros-2025")
    assert records(pledge) == ["+"] + ["~"] * pledge.status_changes.count()
    assert {r.history_change_reason for r in pledge.history.all()} == {"Loaded from the seed fixtures"}


# ---------------------------------------------------------------------------------------------
# The same input refused the same way, with the same message, on every path


def admin_errors(admin, **values) -> dict:
    fr = make.state("FR", "France")
    page = admin.get(f"{ADMIN}add/")
    fields = {"title": "T", "slug": "t", "category": "troops", "pledgers": [fr.pk], **values}
    response = admin.post(f"{ADMIN}add/", form_data(page, "pledge_form", **fields))
    assert response.status_code == 200, "the admin accepted it"
    form = response.context["adminform"].form
    return {name: list(errors) for name, errors in form.errors.items()}


def api_errors(api, **values) -> dict:
    make.state("FR")
    response = api.post(
        "/api/pledges/", {"slug": "t", "title": "T", "category": "troops", "pledgers": ["FR"], **values}, format="json"
    )
    assert response.status_code == 400, response.json()
    return response.json()


def import_errors(**values) -> dict:
    make.state("FR", "France")
    report = import_rows([new_row(**values)])
    assert not report.ok
    found: dict[str, list] = {}
    for error in report.errors:
        found.setdefault(error.column, []).append(error.message)
    return found


@pytest.mark.parametrize(
    "admin_value, api_value, import_value, field, column, message",
    [
        (
            {"troops_min": MAX_TROOPS + 1},
            {"troops_min": MAX_TROOPS + 1},
            {"troops_min": str(MAX_TROOPS + 1)},
            "troops_min",
            "troops_min",
            TOO_MANY,
        ),
        ({"pledgers": []}, {"pledgers": []}, {"pledger_codes": ""}, "pledgers", "pledger_codes", NO_PLEDGER),
    ],
    ids=["troop cap", "no pledger"],
)
def test_a_rule_refuses_the_same_way_on_every_path(
    admin, api, admin_value, api_value, import_value, field, column, message
):
    assert message in admin_errors(admin, **admin_value)[field]
    assert message in api_errors(api, **api_value)[field]
    assert message in import_errors(**import_value)[column]
    assert not Pledge.objects.exists()


def test_a_review_time_in_the_future_is_refused_the_same_way_on_every_path(admin, api):
    later = timezone.now() + datetime.timedelta(days=2)
    admin_value = {"last_reviewed_at_0": later.strftime("%Y-%m-%d"), "last_reviewed_at_1": later.strftime("%H:%M:%S")}
    assert REVIEW_TIME_BOUNDS in admin_errors(admin, **admin_value)["last_reviewed_at"]
    assert REVIEW_TIME_BOUNDS in api_errors(api, last_reviewed_at=later.isoformat())["last_reviewed_at"]
    assert REVIEW_TIME_BOUNDS in import_errors(last_reviewed_at=later.isoformat())["last_reviewed_at"]


def test_a_share_of_itself_is_refused_the_same_way_on_every_path(admin, api):
    pledge = make.pledge("p", pledgers=("FR",), citations=0)
    page = admin.get(f"{ADMIN}{pledge.pk}/change/")
    response = admin.post(f"{ADMIN}{pledge.pk}/change/", form_data(page, "pledge_form", part_of=pledge.pk))
    assert SHARE_OF_ITSELF in response.context["adminform"].form.errors["part_of"]
    assert api.patch(f"/api/pledges/{pledge.pk}/", {"part_of": "p"}, format="json", **make.if_match(pledge)).json() == {
        "part_of": [SHARE_OF_ITSELF]
    }
    report = import_rows([{**exported_row(pledge), "part_of": "p"}])
    assert [(e.column, e.message) for e in report.errors] == [("part_of", SHARE_OF_ITSELF)]
    with pytest.raises(Exception, match="share of itself"):
        pledge.part_of = pledge
        services.save_pledge(pledge)


def test_status_rules_are_the_models_on_every_path(admin, api):
    """A change before the last one: the same words from change_status, the admin and the import planner."""
    pledge = make.pledge("p", pledgers=("FR",), citations=0)
    source = make.source()
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 6, 1))
    expected = "The previous change took effect on 01 June 2025; a later change cannot take effect before it."
    status = {"status": "agreed", "effective_date": "2025-03-27", "note": "Earlier", "source": source.key}
    api_message = api.post(f"/api/pledges/{pledge.pk}/status/", status, format="json", **make.if_match(pledge)).json()[
        "effective_date"
    ][0]
    assert api_message.startswith(expected)
    page = admin.get(f"{ADMIN}{pledge.pk}/change-status/")
    form = form_data(page, "change-status-form", apply="1", precision="day", **{**status, "source": source.pk})
    admin_message = admin.post(f"{ADMIN}{pledge.pk}/change-status/", form).context["form"].errors["effective_date"][0]
    row = {
        **exported_row(pledge),
        "status": "agreed",
        "status_effective_date": "2025-03-27",
        "status_note": "Earlier",
        "status_source": source.key,
    }
    report = import_rows([row], extra=("status_effective_date", "status_source", "status_note"))
    assert [(e.column, e.message) for e in report.errors] == [("status_effective_date", api_message)]
    assert admin_message == api_message
    assert Pledge.objects.get().status == Status.ANNOUNCED


def test_the_bounds_of_every_input_are_the_same_on_every_path(admin, api):
    """A NUL in a text and a UTC offset no place uses (+21:26): refused by the admin, the API and the
    import in the same words (commitments.bounds), before they can reach the database."""
    from commitments.bounds import NUL_MESSAGE, OFFSET_MESSAGE

    assert NUL_MESSAGE in admin_errors(admin, title="Troops\x00")["title"]
    assert NUL_MESSAGE in api_errors(api, title="Troops\x00")["title"]
    assert NUL_MESSAGE in import_errors(title="Troops\x00")["title"]
    assert OFFSET_MESSAGE in api_errors(api, last_reviewed_at="2025-01-07T09:30:15+21:26")["last_reviewed_at"]
    assert OFFSET_MESSAGE in import_errors(last_reviewed_at="2025-01-07T09:30:15+21:26")["last_reviewed_at"]
    assert not Pledge.objects.exists()
