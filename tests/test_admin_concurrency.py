"""No lost edits: whoever saves second gets the differences as a form error, their input kept."""

import datetime

import pytest

from commitments.choices import Status
from commitments.models import Pledge, Summit

from . import admin_data as data

PLEDGE = "/admin/commitments/pledge/{}/change/"


@pytest.fixture
def two_analysts(db):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(data.user("ana", "Analyst"))
    second.force_login(data.user("bob", "Analyst"))
    return first, second


def test_second_save_gets_the_differences_and_keeps_its_input(two_analysts):
    ana, bob = two_analysts
    pledge = data.french_pledge()
    url = PLEDGE.format(pledge.pk)
    ana_form, bob_form = ana.get(url), bob.get(url)

    saved = ana.post(url, data.form_data(ana_form, "pledge_form", title="French aid of EUR 2 billion", troops_min="10"))
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved

    response = bob.post(url, data.form_data(bob_form, "pledge_form", description="Bob's notes", quantity_text="a lot"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "was changed by ana at" in page
    assert "Nothing was saved." in page
    assert "Title: now French aid of EUR 2 billion; yours: French aid announcement of 2 billion euros." in page
    assert "Troops min" in page and "now 10; yours: (empty)" in page
    # Bob's input is still on the form.
    assert "Bob&#x27;s notes</textarea>" in page
    assert 'value="a lot"' in page
    pledge.refresh_from_db()
    assert (pledge.title, pledge.description) == ("French aid of EUR 2 billion", "")

    # Having seen the differences, saving again is a deliberate overwrite.
    again = bob.post(url, data.form_data(response, "pledge_form"))
    assert again.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.title, pledge.description, pledge.quantity_text) == (data.FRENCH_PLEDGE, "Bob's notes", "a lot")


def test_a_status_change_in_the_meantime_is_caught(two_analysts):
    ana, _ = two_analysts
    pledge = data.french_pledge()
    url = PLEDGE.format(pledge.pk)
    form = ana.get(url)
    Pledge.objects.get(pk=pledge.pk).change_status(
        Status.ANNOUNCED, effective_date=datetime.date(2025, 3, 11), source=data.source(), note="Paris"
    )
    response = ana.post(url, data.form_data(form, "pledge_form", title="Edited"))
    assert response.status_code == 200
    assert (
        "Status: now Announced (stated publicly, not formally agreed) (not on this form)." in response.content.decode()
    )
    pledge.refresh_from_db()
    assert (pledge.title, pledge.status) == (data.FRENCH_PLEDGE, Status.ANNOUNCED)


def test_saving_without_a_conflict_keeps_the_status_and_raises_the_version(two_analysts):
    ana, _ = two_analysts
    pledge = data.french_pledge()
    pledge.change_status(Status.ANNOUNCED, effective_date=datetime.date(2025, 3, 11), source=data.source(), note="x")
    version = Pledge.objects.get().version
    url = PLEDGE.format(pledge.pk)
    response = ana.post(url, data.form_data(ana.get(url), "pledge_form", title="Edited"))
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.title, pledge.status, pledge.version) == ("Edited", Status.ANNOUNCED, version + 1)


def test_a_pledge_deleted_in_the_meantime(two_analysts):
    ana, _ = two_analysts
    pledge = data.french_pledge()
    url = PLEDGE.format(pledge.pk)
    form = ana.get(url)
    Pledge.objects.filter(pk=pledge.pk).delete()
    response = ana.post(url, data.form_data(form, "pledge_form", title="Edited"))
    assert response.status_code == 302  # Django's own "no longer exists" redirect, nothing written
    assert not Pledge.objects.exists()


def test_lost_edits_on_a_model_without_a_version(two_analysts):
    ana, bob = two_analysts
    summit = Summit.objects.create(slug="paris", title="Paris summit", kind="leaders_summit", date="2025-03-11")
    url = f"/admin/commitments/summit/{summit.pk}/change/"
    ana_form, bob_form = ana.get(url), bob.get(url)
    assert ana.post(url, data.form_data(ana_form, "summit_form", city="Paris")).status_code == 302
    response = bob.post(url, data.form_data(bob_form, "summit_form", city="Versailles"))
    assert response.status_code == 200
    assert "City: now Paris; yours: Versailles." in response.content.decode()
    assert Summit.objects.get().city == "Paris"


def test_a_tampered_token_is_refused(two_analysts):
    ana, _ = two_analysts
    pledge = data.french_pledge()
    url = PLEDGE.format(pledge.pk)
    response = ana.post(url, data.form_data(ana.get(url), "pledge_form", title="Edited", loaded_state="forged"))
    assert response.status_code == 200
    assert "could not be matched to the record" in response.content.decode()
    assert Pledge.objects.get().title == data.FRENCH_PLEDGE
