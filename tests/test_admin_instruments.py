"""Instruments, people and statements in the admin: an instrument's status changes through the same
page and bulk action as a pledge's (one history row, one audit record, all or none), no lost
edits, one audit record per save, and a statement about nothing refused."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commitments.choices import InstrumentRole, InstrumentStatus, Status
from commitments.models import Attendance, Instrument, InstrumentStatusChange, Statement, StatusChange

from . import builders as make
from .html_forms import form_data

LIST = "/admin/commitments/instrument/"
SOURCE = "reuters-2025-03-11"


def change(status=InstrumentStatus.AGREED, **fields):
    return {
        "status": status,
        "effective_date": "2025-03-11",
        "precision": "day",
        "note": "Agreed by the coalition's leaders",
        "source": str(make.source(SOURCE).pk),
        "quote": "",
        "attribution": "",
        "apply": "Change status",
        **fields,
    }


def audit_records(obj):
    return list(type(obj).history.filter(id=obj.pk).order_by("history_id"))


# ---------------------------------------------------------------------------------------------
# Status changes: the pledges' machinery, for instruments


def test_change_status_from_the_instrument_page_writes_one_step_and_one_audit_record(analyst_client, analyst):
    force = make.instrument("force", name="Multinational force")
    before = len(audit_records(force))
    page = analyst_client.get(f"{LIST}{force.pk}/change/").content.decode()
    url = f"{LIST}{force.pk}/change-status/"
    assert url in page  # the "Change status" button
    form = analyst_client.get(url)
    assert form.status_code == 200
    # The instrument's own statuses are offered, not a pledge's.
    options = dict(form.context["form"].fields["status"].choices)
    assert InstrumentStatus.OPERATIONAL in options and Status.ANNOUNCED not in options
    # The source is searched, through the instrument history's own field.
    assert 'data-model-name="instrumentstatuschange"' in form.content.decode()
    source = make.source(SOURCE)
    found = analyst_client.get(
        "/admin/autocomplete/",
        {"term": "reuters", "app_label": "commitments", "model_name": "instrumentstatuschange", "field_name": "source"},
    )
    assert found.status_code == 200 and [r["id"] for r in found.json()["results"]] == [str(source.pk)]
    response = analyst_client.post(url, change(quote="agreed to form a force"))
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{force.pk}/change/"
    force.refresh_from_db()
    assert (force.status, force.status_changed_on) == (InstrumentStatus.AGREED, datetime.date(2025, 3, 11))
    step = InstrumentStatusChange.objects.get()
    assert (step.sequence, step.from_status, step.to_status, step.recorded_by, step.quote) == (
        1,
        InstrumentStatus.NOT_ASSESSABLE,
        InstrumentStatus.AGREED,
        analyst,
        "agreed to form a force",
    )
    assert StatusChange.objects.count() == 0  # no pledge history touched
    history = audit_records(force)
    assert len(history) == before + 1
    assert (history[-1].history_type, history[-1].history_user, history[-1].status) == ("~", analyst, "agreed")
    # The history inline shows the step, read-only.
    page = analyst_client.get(f"{LIST}{force.pk}/change/").content.decode()
    assert "Agreed by the coalition&#x27;s leaders" in page
    assert 'name="status_changes-0-note"' not in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": InstrumentStatus.NOT_ASSESSABLE}, "status", "The instrument is already not yet assessable."),
        ({"status": Status.ANNOUNCED}, "status", "Select a valid choice"),  # a pledge's status
        ({"effective_date": "2999-01-01"}, "effective_date", "future"),
        ({"note": ""}, "note", "required"),
    ],
)
def test_a_refused_instrument_status_change_is_a_form_error_and_writes_nothing(analyst_client, fields, field, message):
    force = make.instrument("force")
    before = len(audit_records(force))
    response = analyst_client.post(f"{LIST}{force.pk}/change-status/", change(**fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert InstrumentStatusChange.objects.count() == 0
    force.refresh_from_db()
    assert force.status == InstrumentStatus.NOT_ASSESSABLE
    assert len(audit_records(force)) == before


def select(client, instruments, **fields):
    ids = [str(i.pk) for i in instruments]
    question = client.post(LIST, {"action": "change_status_action", "_selected_action": ids, "index": "0"})
    assert question.status_code == 200
    assert f"Change status of {len(ids)} instruments" in question.content.decode()
    return client.post(LIST, {"action": "change_status_action", "_selected_action": ids, **change(**fields)})


def test_bulk_status_change_of_instruments_is_all_or_none_and_lists_the_refusals(analyst_client):
    instruments = [make.instrument(f"i{n}", name=f"Instrument {n}") for n in range(3)]
    make.move(instruments[1], InstrumentStatus.AGREED, datetime.date(2025, 3, 1), note="earlier")
    make.move(instruments[2], InstrumentStatus.PROPOSED, datetime.date(2025, 4, 1), note="later")
    before = InstrumentStatusChange.objects.count()
    response = select(analyst_client, instruments)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was changed: 2 of the 3 selected instruments reject this change" in page
    assert "The instrument is already agreed." in page.split("Instrument 1</a>:")[1].split("</li>")[0]
    assert "Instrument 2</a>: The previous change took effect on 01 April 2025" in page
    assert InstrumentStatusChange.objects.count() == before
    assert Instrument.objects.get(slug="i0").status == InstrumentStatus.NOT_ASSESSABLE  # rolled back too

    # Deselecting the refusals is all it takes.
    response = select(analyst_client, instruments[:1])
    assert response.status_code == 302
    assert Instrument.objects.get(slug="i0").status == InstrumentStatus.AGREED


def test_an_instrument_status_changed_since_the_page_was_shown_is_not_built_upon(analyst_client):
    force = make.instrument("force")
    url = f"{LIST}{force.pk}/change-status/"
    page = analyst_client.get(url)
    make.move(Instrument.objects.get(), InstrumentStatus.PROPOSED, datetime.date(2025, 3, 1), note="B")
    response = analyst_client.post(url, form_data(page, "change-status-form", **change()))
    assert response.status_code == 200
    assert "changed to “Proposed” by someone else" in " ".join(response.context["form"].errors["status"])
    assert Instrument.objects.get().status == InstrumentStatus.PROPOSED
    response = analyst_client.post(url, form_data(response, "change-status-form", **change()))
    assert response.status_code == 302
    assert Instrument.objects.get().status == InstrumentStatus.AGREED


def test_a_viewer_cannot_change_an_instruments_status(viewer_client):
    force = make.instrument("force")
    assert viewer_client.get(f"{LIST}{force.pk}/change-status/").status_code == 403
    assert viewer_client.post(f"{LIST}{force.pk}/change-status/", change()).status_code == 403
    assert "change-status/" not in viewer_client.get(f"{LIST}{force.pk}/change/").content.decode()
    viewer_client.post(LIST, {"action": "change_status_action", "_selected_action": [force.pk], **change()})
    assert InstrumentStatusChange.objects.count() == 0


def test_an_analyst_without_the_history_right_is_not_offered_the_change(db, client):
    """Changing an instrument is not enough: its status needs add_instrumentstatuschange."""
    from django.contrib.auth.models import Permission

    account = make.user("editor")
    account.user_permissions.add(*Permission.objects.filter(codename__in=["view_instrument", "change_instrument"]))
    client.force_login(account)
    force = make.instrument("force")
    assert client.get(f"{LIST}{force.pk}/change-status/").status_code == 403
    assert "change_status_action" not in client.get(LIST).content.decode()


def test_the_instrument_history_admin_is_read_only(superuser_client):
    force = make.instrument("force")
    step = make.move(force, InstrumentStatus.AGREED, datetime.date(2025, 3, 11), note="x")
    base = "/admin/commitments/instrumentstatuschange/"
    assert superuser_client.get(base).status_code == 200
    assert superuser_client.get(f"{base}add/").status_code == 403
    assert 'name="_save"' not in superuser_client.get(f"{base}{step.pk}/change/").content.decode()
    assert superuser_client.post(f"{base}{step.pk}/delete/", {"post": "yes"}).status_code == 403
    assert InstrumentStatusChange.objects.filter(pk=step.pk).exists()


# ---------------------------------------------------------------------------------------------
# The instrument list and form


def test_changelist_shows_kind_status_lead_and_contributions_in_a_fixed_number_of_queries(analyst_client):
    def add(n):
        made = make.instrument(f"i{n}", name=f"Instrument {n}")
        make.instrument_party(made, "US", InstrumentRole.LEAD)
        make.instrument_party(made, "GB", InstrumentRole.LEAD)
        make.instrument_party(made, "FR", InstrumentRole.PARTICIPANT)
        for _ in range(2):
            make.pledge(contributes_to=made)
        return made

    make.move(add(0), InstrumentStatus.AGREED, datetime.date(2025, 3, 11), note="x")
    with CaptureQueriesContext(connection) as one:
        page = analyst_client.get(LIST).content.decode()
    assert "State GB, State US" in page  # the leads, not the participant
    assert "State FR" not in page.split('id="result_list"')[1].split("</table>")[0]
    assert '<td class="field-contribution_count">2</td>' in page
    assert "Agreed (its creation agreed" in page and "11 Mar 2025" in page
    for n in range(1, 20):
        add(n)
    with CaptureQueriesContext(connection) as many:
        assert "20 instruments" in analyst_client.get(LIST).content.decode()
    assert len(one) == len(many), "\n".join(q["sql"] for q in many)
    # Search and filters.
    assert "Instrument 3" in analyst_client.get(LIST, {"q": "Instrument 3"}).content.decode()
    us = make.state("US").pk
    assert "20 instruments" in analyst_client.get(LIST, {"parties__state__id__exact": us}).content.decode()
    assert "1 instrument" in analyst_client.get(LIST, {"status__exact": "agreed"}).content.decode()


def test_adding_an_instrument_with_a_party_and_a_text_leaves_one_audit_record(analyst_client, analyst):
    src = make.source()
    text = make.declaration("doi", title="Declaration of intent")
    us = make.state("US", "United States")
    form = analyst_client.get(f"{LIST}add/")
    response = analyst_client.post(
        f"{LIST}add/",
        form_data(
            form,
            "instrument_form",
            name="Ceasefire monitoring",
            slug="monitoring",
            kind="monitoring",
            declarations=[str(text.pk)],
            **{
                "parties-TOTAL_FORMS": "1",
                "parties-0-state": str(us.pk),
                "parties-0-role": "lead",
                "parties-0-source": str(src.pk),
                "parties-0-quote": "US-led",
            },
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    made = Instrument.objects.get()
    (record,) = audit_records(made)
    assert (record.history_type, record.history_user, record.status) == ("+", analyst, "not_assessable")
    assert list(record.declarations.values_list("declaration_id", flat=True)) == [text.pk]
    assert made.parties.get().state == us


def test_no_lost_edit_on_an_instrument(analyst_client):
    bob = Client()
    bob.force_login(make.user("bob", "Analyst"))
    force = make.instrument("force", name="Multinational force")
    url = f"{LIST}{force.pk}/change/"
    ana_form, bob_form = analyst_client.get(url), bob.get(url)
    assert analyst_client.post(url, form_data(ana_form, "instrument_form", name="Reassurance force")).status_code == 302
    response = bob.post(url, form_data(bob_form, "instrument_form", mandate="Bob's mandate"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Name: now Reassurance force; yours: Multinational force." in page
    assert "Bob&#x27;s mandate</textarea>" in page
    assert Instrument.objects.get().mandate == ""
    # A status change in the meantime is caught as well.
    form = bob.get(url)
    make.move(Instrument.objects.get(), InstrumentStatus.AGREED, datetime.date(2025, 3, 11), note="x")
    response = bob.post(url, form_data(form, "instrument_form", summary="Edited"))
    assert response.status_code == 200
    assert "Status: now Agreed (its creation agreed or endorsed by the parties) (not on this form)." in (
        response.content.decode()
    )
    force = Instrument.objects.get()
    assert (force.summary, force.status) == ("", InstrumentStatus.AGREED)
    # Saving again, having seen it, keeps the status the form does not edit.
    assert bob.post(url, form_data(response, "instrument_form")).status_code == 302
    force = Instrument.objects.get()
    assert (force.summary, force.status) == ("Edited", InstrumentStatus.AGREED)


# ---------------------------------------------------------------------------------------------
# People, posts, statements, representatives


STATEMENTS = "/admin/commitments/statement/"


def statement_form(client, **changes):
    return form_data(client.get(f"{STATEMENTS}add/"), "statement_form", **changes)


def test_a_statement_about_nothing_is_refused(analyst_client):
    fr = make.state("FR", "France")
    src = make.source()
    fields = {"slug": "said", "state": str(fr.pk), "stance": "rejects", "quote": "never", "source": str(src.pk)}
    response = analyst_client.post(f"{STATEMENTS}add/", statement_form(analyst_client, **fields))
    assert response.status_code == 200
    assert "Say what the statement is about: at least one pledge, instrument, declaration or meeting." in (
        response.content.decode()
    )
    assert not Statement.objects.exists()


def test_a_statement_about_an_instrument_is_saved_with_one_audit_record(analyst_client, analyst):
    fr = make.state("FR", "France")
    force = make.instrument("force")
    speaker = make.person("macron", name="Emmanuel Macron")
    fields = {
        "slug": "said",
        "speaker": str(speaker.pk),
        "state": str(fr.pk),
        "stance": "supports",
        "quote": "we will be there",
        "source": str(make.source().pk),
        "instruments": [str(force.pk)],
    }
    response = analyst_client.post(f"{STATEMENTS}add/", statement_form(analyst_client, **fields))
    assert response.status_code == 302, response.context["adminform"].form.errors
    said = Statement.objects.get()
    assert list(said.instruments.all()) == [force]
    (record,) = audit_records(said)
    assert (record.history_type, record.history_user) == ("+", analyst)


def test_a_person_is_added_with_a_post_and_a_post_may_have_no_holder(analyst_client):
    gb = make.state("GB", "United Kingdom")
    src = make.source()
    form = analyst_client.get("/admin/commitments/person/add/")
    response = analyst_client.post(
        "/admin/commitments/person/add/",
        form_data(
            form,
            "person_form",
            name="John Healey",
            slug="john-healey",
            **{
                "posts-TOTAL_FORMS": "1",
                "posts-0-slug": "gb-defence-secretary",
                "posts-0-state": str(gb.pk),
                "posts-0-title": "Defence Secretary",
                "posts-0-role": "minister",
                "posts-0-start_precision": "day",
                "posts-0-source": str(src.pk),
            },
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    (post,) = make.person("john-healey").posts.all()
    assert str(post) == "Defence Secretary (GB): John Healey"
    unnamed = make.post("gb-envoy", party=gb, title="Envoy")
    assert analyst_client.get(f"/admin/commitments/post/{unnamed.pk}/change/").status_code == 200
    found = analyst_client.get(
        "/admin/autocomplete/",
        {"term": "Envoy", "app_label": "commitments", "model_name": "summit", "field_name": "chaired_by"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Envoy (GB): not named"]


def test_representatives_are_picked_by_search_on_attendance(analyst_client):
    summit = make.summit("paris", title="Paris summit")
    fr = make.state("FR", "France")
    src = make.source()
    president = make.post(
        "fr-president", holder=make.person("macron", name="Emmanuel Macron"), party=fr, title="Minister"
    )
    url = "/admin/commitments/attendance/add/"
    form = analyst_client.get(url)
    assert 'data-ajax--url="/admin/autocomplete/"' in form.content.decode()
    response = analyst_client.post(
        url,
        form_data(
            form,
            "attendance_form",
            summit=str(summit.pk),
            state=str(fr.pk),
            status="attended",
            source=str(src.pk),
            representatives=[str(president.pk)],
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Attendance.objects.get().representatives.all()) == [president]
    found = analyst_client.get(
        "/admin/autocomplete/",
        {"term": "Macron", "app_label": "commitments", "model_name": "attendance", "field_name": "representatives"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Minister (FR): Emmanuel Macron"]
