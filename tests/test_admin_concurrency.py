"""No lost edits: whoever saves second gets the differences as a form error, their input kept."""

import datetime

import pytest
from django.test import Client

from commitments.choices import Status
from commitments.models import Pledge, Summit

from . import builders as make
from .html_forms import form_data

PLEDGE = "/admin/commitments/pledge/{}/change/"


@pytest.fixture
def two_analysts(analyst_client):
    """Ana (the `analyst` fixture) and Bob, each signed in with a client of their own."""
    bob = Client()
    bob.force_login(make.user("bob", "Analyst"))
    return analyst_client, bob


def test_second_save_gets_the_differences_and_keeps_its_input(two_analysts):
    ana, bob = two_analysts
    pledge = make.french_pledge()
    url = PLEDGE.format(pledge.pk)
    ana_form, bob_form = ana.get(url), bob.get(url)

    saved = ana.post(url, form_data(ana_form, "pledge_form", title="French aid of EUR 2 billion", troops_min="10"))
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved

    response = bob.post(url, form_data(bob_form, "pledge_form", description="Bob's notes", quantity_text="a lot"))
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
    again = bob.post(url, form_data(response, "pledge_form"))
    assert again.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.title, pledge.description, pledge.quantity_text) == (make.FRENCH_PLEDGE, "Bob's notes", "a lot")


def test_a_status_change_in_the_meantime_is_caught(two_analysts):
    ana, _ = two_analysts
    pledge = make.french_pledge()
    url = PLEDGE.format(pledge.pk)
    form = ana.get(url)
    make.move(Pledge.objects.get(pk=pledge.pk), Status.ANNOUNCED, datetime.date(2025, 3, 11), note="Paris")
    response = ana.post(url, form_data(form, "pledge_form", title="Edited"))
    assert response.status_code == 200
    assert (
        "Status: now Announced (stated publicly, not formally agreed) (not on this form)." in response.content.decode()
    )
    pledge.refresh_from_db()
    assert (pledge.title, pledge.status) == (make.FRENCH_PLEDGE, Status.ANNOUNCED)


def test_saving_without_a_conflict_keeps_the_status_and_raises_the_version(two_analysts):
    ana, _ = two_analysts
    pledge = make.french_pledge()
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 11), note="x")
    version = Pledge.objects.get().version
    url = PLEDGE.format(pledge.pk)
    response = ana.post(url, form_data(ana.get(url), "pledge_form", title="Edited"))
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.title, pledge.status, pledge.version) == ("Edited", Status.ANNOUNCED, version + 1)


def test_a_pledge_deleted_in_the_meantime(two_analysts):
    ana, _ = two_analysts
    pledge = make.french_pledge()
    url = PLEDGE.format(pledge.pk)
    form = ana.get(url)
    Pledge.objects.filter(pk=pledge.pk).delete()
    response = ana.post(url, form_data(form, "pledge_form", title="Edited"))
    assert response.status_code == 302  # Django's own "no longer exists" redirect, nothing written
    assert not Pledge.objects.exists()


def test_lost_edits_on_a_model_without_a_version(two_analysts):
    ana, bob = two_analysts
    summit = Summit.objects.create(slug="paris", title="Paris summit", kind="leaders_summit", date="2025-03-11")
    url = f"/admin/commitments/summit/{summit.pk}/change/"
    ana_form, bob_form = ana.get(url), bob.get(url)
    assert ana.post(url, form_data(ana_form, "summit_form", city="Paris")).status_code == 302
    response = bob.post(url, form_data(bob_form, "summit_form", city="Versailles"))
    assert response.status_code == 200
    assert "City: now Paris; yours: Versailles." in response.content.decode()
    assert Summit.objects.get().city == "Paris"


def test_a_tampered_token_is_refused(two_analysts):
    ana, _ = two_analysts
    pledge = make.french_pledge()
    url = PLEDGE.format(pledge.pk)
    response = ana.post(url, form_data(ana.get(url), "pledge_form", title="Edited", loaded_state="forged"))
    assert response.status_code == 200
    assert "could not be matched to the record" in response.content.decode()
    assert Pledge.objects.get().title == make.FRENCH_PLEDGE


def test_a_post_without_the_snapshot_is_refused_not_saved_blindly(analyst_client):
    """The check is not optional: a form that cannot say what it was opened on overwrites nothing."""
    pledge = make.french_pledge()
    url = PLEDGE.format(pledge.pk)
    data = form_data(analyst_client.get(url), "pledge_form", title="Overwritten blindly")
    del data["loaded_state"]
    response = analyst_client.post(url, data)
    assert response.status_code == 200
    assert "This form could not be matched to the record it was opened on" in response.content.decode()
    assert Pledge.objects.get(pk=pledge.pk).title == make.FRENCH_PLEDGE
    # The page now carries a snapshot: saving again is a deliberate write.
    assert analyst_client.post(url, form_data(response, "pledge_form")).status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).title == "Overwritten blindly"


def test_an_inline_row_changed_in_the_meantime_is_caught(analyst_client):
    pledge = make.french_pledge()
    citation = pledge.citations.get()
    url = PLEDGE.format(pledge.pk)
    form = analyst_client.get(url)
    citation.attribution = "Someone else's"  # the citation alone changes; the pledge does not
    citation.save()
    response = analyst_client.post(
        url, form_data(form, "pledge_form", description="Mine", **{"citations-0-attribution": "Mine"})
    )
    assert response.status_code == 200
    citations = next(i for i in response.context["inline_admin_formsets"] if i.formset.model is type(citation))
    assert "Nothing was saved." in " ".join(citations.formset.forms[0].non_field_errors())
    citation.refresh_from_db()
    assert citation.attribution == "Someone else's"
    assert Pledge.objects.get(pk=pledge.pk).description == ""
    # A row the analyst did not touch would still be saved with the values shown (undoing the other
    # edit), so it is caught too; saving again after seeing the difference is deliberate.
    form = analyst_client.get(url)
    citation.attribution = "Someone else's, again"
    citation.save()
    response = analyst_client.post(url, form_data(form, "pledge_form", description="Mine"))
    assert response.status_code == 200
    citation.refresh_from_db()
    assert (citation.attribution, Pledge.objects.get(pk=pledge.pk).description) == ("Someone else's, again", "")
