"""Status changes from the pledge page and as a bulk action: one history row per pledge, all or none."""

import datetime

import pytest

from commitments.choices import Status
from commitments.models import Pledge, StatusChange

from . import builders as make
from .html_forms import form_data

LIST = "/admin/commitments/pledge/"
SOURCE = "guardian-2025-03-11"  # the source the analyst's changes below cite


def change(status=Status.ANNOUNCED, **fields):
    return {
        "status": status,
        "effective_date": "2025-03-11",
        "precision": "day",
        "note": "Announced at the Paris summit",
        "source": str(make.source(SOURCE).pk),
        "quote": "",
        "attribution": "",
        "apply": "Change status",
        **fields,
    }


def test_change_status_from_the_pledge_page(analyst_client, analyst):
    pledge = make.french_pledge()
    page = analyst_client.get(f"{LIST}{pledge.pk}/change/").content.decode()
    url = f"{LIST}{pledge.pk}/change-status/"
    assert url in page  # the "Change status" button
    assert analyst_client.get(url).status_code == 200
    response = analyst_client.post(url, change(quote="will provide 2 billion euros"))
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Status.ANNOUNCED
    assert pledge.status_changed_on == datetime.date(2025, 3, 11)
    step = StatusChange.objects.get()
    assert (step.from_status, step.to_status, step.recorded_by, step.quote) == (
        Status.NOT_ASSESSABLE,
        Status.ANNOUNCED,
        analyst,
        "will provide 2 billion euros",
    )
    # The history inline on the pledge page shows it, read-only.
    page = analyst_client.get(f"{LIST}{pledge.pk}/change/").content.decode()
    assert "Announced at the Paris summit" in page
    assert 'name="status_changes-0-note"' not in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": Status.NOT_ASSESSABLE}, "status", "already"),
        ({"effective_date": "2999-01-01"}, "effective_date", "future"),
        ({"note": ""}, "note", "required"),
        ({"source": ""}, "source", "required"),
        ({"quote": " ".join(["word"] * 30)}, "quote", "at most 25 words"),
    ],
)
def test_rejected_change_is_a_form_error_and_writes_nothing(analyst_client, fields, field, message):
    pledge = make.french_pledge()
    response = analyst_client.post(f"{LIST}{pledge.pk}/change-status/", change(**fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert StatusChange.objects.count() == 0
    pledge.refresh_from_db()
    assert pledge.status == Status.NOT_ASSESSABLE


def select(client, pledges, **fields):
    """The bulk action, first the question page, then the answer."""
    ids = [str(p.pk) for p in pledges]
    question = client.post(LIST, {"action": "change_status_action", "_selected_action": ids, "index": "0"})
    assert question.status_code == 200
    assert "Change status of" in question.content.decode()
    return client.post(LIST, {"action": "change_status_action", "_selected_action": ids, **change(**fields)})


def test_bulk_status_change_writes_one_history_row_per_pledge(analyst_client):
    pledges = [make.pledge(title=f"Pledge {n}") for n in range(3)]
    response = select(analyst_client, pledges)
    assert response.status_code == 302
    assert StatusChange.objects.count() == 3
    assert set(Pledge.objects.values_list("status", flat=True)) == {Status.ANNOUNCED}
    for pledge in pledges:
        assert pledge.status_changes.get().source == make.source(SOURCE)


def test_bulk_status_change_is_all_or_none(analyst_client):
    pledges = [make.pledge(title=f"Pledge {n}") for n in range(3)]
    make.move(pledges[1], Status.ANNOUNCED, datetime.date(2025, 3, 1), note="earlier")
    make.move(pledges[2], Status.AGREED, datetime.date(2025, 4, 1), note="later")
    before = StatusChange.objects.count()
    # Pledge 1 is already announced; pledge 2's last change took effect after 11 March.
    response = select(analyst_client, pledges)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was changed: 2 of the 3 selected pledges reject this change" in page
    assert "The pledge is already announced." in page.split("Pledge 1</a>:")[1].split("</li>")[0]
    assert "Pledge 2</a>: The previous change took effect on 01 April 2025" in page
    assert StatusChange.objects.count() == before
    assert Pledge.objects.get(pk=pledges[0].pk).status == Status.NOT_ASSESSABLE  # rolled back too
    assert "<li>Pledge 0 — Not yet assessable</li>" in page
    # The answer stays on the page, so deselecting is all it takes.
    assert 'value="Announced at the Paris summit"' in page or "Announced at the Paris summit</textarea>" in page


def test_viewer_cannot_change_status(viewer_client):
    pledge = make.french_pledge()
    assert viewer_client.get(f"{LIST}{pledge.pk}/change-status/").status_code == 403
    assert viewer_client.post(f"{LIST}{pledge.pk}/change-status/", change()).status_code == 403
    page = viewer_client.get(f"{LIST}{pledge.pk}/change/").content.decode()
    assert "change-status/" not in page
    # Nor through the action: a viewer is not offered it, and posting it does nothing.
    viewer_client.post(LIST, {"action": "change_status_action", "_selected_action": [pledge.pk], **change()})
    assert StatusChange.objects.count() == 0


def test_a_status_changed_since_the_page_was_shown_is_not_built_upon(analyst_client):
    pledge = make.french_pledge()
    url = f"{LIST}{pledge.pk}/change-status/"
    page = analyst_client.get(url)
    make.move(Pledge.objects.get(), Status.AGREED, datetime.date(2025, 3, 1), note="B")
    response = analyst_client.post(url, form_data(page, "change-status-form", **change()))
    assert response.status_code == 200
    assert "changed to “Agreed or endorsed” by someone else" in " ".join(response.context["form"].errors["status"])
    assert Pledge.objects.get().status == Status.AGREED
    # The page now shows the current status; submitting again is a deliberate change.
    response = analyst_client.post(url, form_data(response, "change-status-form", **change()))
    assert response.status_code == 302
    assert Pledge.objects.get().status == Status.ANNOUNCED


def test_bulk_change_refuses_pledges_changed_since_the_page_was_shown(analyst_client):
    pledges = [make.pledge(title=f"Pledge {n}") for n in range(2)]
    ids = [str(p.pk) for p in pledges]
    question = analyst_client.post(LIST, {"action": "change_status_action", "_selected_action": ids, "index": "0"})
    make.move(Pledge.objects.get(pk=pledges[1].pk), Status.ANNOUNCED, datetime.date(2025, 3, 1), note="B")
    response = analyst_client.post(LIST, form_data(question, "change-status-form", **change(Status.AGREED)))
    assert response.status_code == 200
    assert "Pledge 1</a>: Its status was changed to “Announced” by someone else" in response.content.decode()
    assert StatusChange.objects.count() == 1  # only B's


def test_bulk_status_change_returns_to_the_filtered_list(analyst_client):
    """The action is posted to the list with its filters in the query string; after the change the
    analyst is back on that filtered list, not the whole one (issue 15)."""
    pledges = [make.pledge(title=f"Pledge {n}") for n in range(2)]
    filtered = f"{LIST}?open=open&q=Pledge"
    ids = [str(p.pk) for p in pledges]
    question = analyst_client.post(filtered, {"action": "change_status_action", "_selected_action": ids, "index": "0"})
    response = analyst_client.post(filtered, form_data(question, "change-status-form", **change()))
    assert response.status_code == 302
    assert response["Location"] == filtered
    assert StatusChange.objects.count() == 2


def test_status_change_of_one_pledge_keeps_the_list_filters(analyst_client):
    pledge = make.french_pledge()
    kept = "_changelist_filters=status__exact%3Dannounced"
    page = analyst_client.get(f"{LIST}{pledge.pk}/change/?{kept}").content.decode()
    url = f"{LIST}{pledge.pk}/change-status/?{kept}"
    assert f'href="{url}"' in page.replace("&amp;", "&")
    response = analyst_client.post(url, form_data(analyst_client.get(url), "change-status-form", **change()))
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{pledge.pk}/change/?{kept}"


@pytest.mark.parametrize(
    ("now", "offered"),
    [
        (Status.NOT_ASSESSABLE, Status.PROPOSED),
        (Status.ANNOUNCED, Status.AGREED),
        (Status.PARTIALLY_FULFILLED, Status.FULFILLED),
        (Status.FULFILLED, ""),  # the end of the usual life: nothing offered
        (Status.STALLED, ""),  # off it
    ],
)
def test_the_status_page_offers_the_next_plausible_status(analyst_client, now, offered):
    pledge = make.pledge(title="P")
    if now != Status.NOT_ASSESSABLE:
        Pledge.objects.filter(pk=pledge.pk).update(status=now)
    form = analyst_client.get(f"{LIST}{pledge.pk}/change-status/").context["form"]
    assert form["status"].value() == offered
    assert form.fields["status"].choices[0] == ("", "---------")  # never "Not yet assessable" by default


def test_the_bulk_status_page_offers_a_status_only_when_the_selection_shares_one(analyst_client):
    a, b = make.pledge(title="A"), make.pledge(title="B")
    ask = {"action": "change_status_action", "_selected_action": [a.pk, b.pk], "index": "0"}
    assert analyst_client.post(LIST, ask).context["form"]["status"].value() == Status.PROPOSED
    Pledge.objects.filter(pk=b.pk).update(status=Status.ANNOUNCED)
    assert analyst_client.post(LIST, ask).context["form"]["status"].value() == ""


def test_the_status_page_has_the_source_add_button(analyst_client):
    pledge = make.french_pledge()
    page = analyst_client.get(f"{LIST}{pledge.pk}/change-status/").content.decode()
    assert 'id="add_id_source"' in page and "/admin/commitments/source/add/?" in page
