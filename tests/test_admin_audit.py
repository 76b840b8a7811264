"""The audit trail: exactly one record per create, update and delete, whoever makes it and however;
History shows field-level differences; a deleted pledge can be seen and restored."""

import datetime

import pytest

from commitments.choices import Status
from commitments.models import Citation, Pledge, State, StatusChange

from . import builders as make
from .html_forms import form_data

LIST = "/admin/commitments/pledge/"


def records(obj):
    return list(type(obj).history.filter(id=obj.pk).order_by("history_id"))


def test_adding_a_pledge_with_pledgers_and_a_citation_leaves_one_record_each(analyst_client, analyst):
    fr, gb = make.state("FR", "France"), make.state("GB", "United Kingdom")
    src = make.source()
    form = analyst_client.get(f"{LIST}add/")
    response = analyst_client.post(
        f"{LIST}add/",
        form_data(
            form,
            "pledge_form",
            title="Joint troops",
            slug="joint-troops",
            category="troops",
            pledgers=[str(fr.pk), str(gb.pk)],
            **{"citations-TOTAL_FORMS": "1", "citations-0-source": str(src.pk), "citations-0-quote": "the bulk"},
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge = Pledge.objects.get()
    (record,) = records(pledge)
    assert (record.history_type, record.history_user) == ("+", analyst)
    assert sorted(record.pledgers.values_list("state_id", flat=True)) == sorted([fr.pk, gb.pk])
    (citation,) = records(Citation.objects.get())
    assert (citation.history_type, citation.history_user) == ("+", analyst)


def test_changing_pledgers_leaves_one_record_with_the_difference(analyst_client, analyst):
    pledge = make.french_pledge()
    gb = make.state("GB", "United Kingdom")
    before = len(records(pledge))
    url = f"{LIST}{pledge.pk}/change/"
    response = analyst_client.post(
        url,
        form_data(analyst_client.get(url), "pledge_form", pledgers=[str(gb.pk)], title="UK aid"),
    )
    assert response.status_code == 302
    history = records(pledge)
    assert len(history) == before + 1
    assert history[-1].history_type == "~"
    assert list(history[-1].pledgers.values_list("state_id", flat=True)) == [gb.pk]
    page = analyst_client.get(f"{url.replace('change/', 'history/')}").content.decode()
    # Field-level differences, pledgers included.
    assert "<strong>Title:</strong>" in page
    assert "French aid announcement of 2 billion euros" in page and "UK aid" in page
    assert "<strong>Pledgers:</strong>" in page and "United Kingdom" in page
    assert "ana" in page


def test_saving_a_pledge_leaves_its_unchanged_citations_alone(analyst_client):
    pledge = make.french_pledge()
    citation = pledge.citations.get()
    url = f"{LIST}{pledge.pk}/change/"
    form = analyst_client.get(url)
    response = analyst_client.post(url, form_data(form, "pledge_form", description="More"))
    assert response.status_code == 302
    assert len(records(citation)) == 1
    # An edited citation gets its one record.
    form = analyst_client.get(url)
    response = analyst_client.post(url, form_data(form, "pledge_form", **{"citations-0-attribution": "Macron"}))
    assert response.status_code == 302
    assert [r.history_type for r in records(citation)] == ["+", "~"]


def test_history_shows_the_status_change(analyst_client):
    pledge = make.french_pledge()
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 11), note="x")
    page = analyst_client.get(f"{LIST}{pledge.pk}/history/").content.decode()
    assert "<strong>Status:</strong>" in page
    assert "Not yet assessable" in page and "Announced (stated publicly, not formally agreed)" in page
    assert "<strong>Version:</strong>" not in page  # bookkeeping is not a difference


def test_history_shows_a_change_reason_only_when_there_is_one(analyst_client):
    from simple_history.utils import update_change_reason

    pledge = make.french_pledge()
    url = f"{LIST}{pledge.pk}/history/"
    table = analyst_client.get(url).content.decode().split('id="change-history"')[1].split("</table>")[0]
    assert "Change reason" not in table and "None" not in table
    update_change_reason(pledge, "Corrected from the Elysée's release")
    table = analyst_client.get(url).content.decode().split('id="change-history"')[1].split("</table>")[0]
    assert "Change reason" in table and "Corrected from the Elysée&#x27;s release" in table
    assert "None" not in table


def test_shell_saves_and_deletes_leave_one_record_each(db):
    pledge = make.pledge(title="Shell pledge", pledgers=())
    assert [r.history_type for r in records(pledge)] == ["+"]
    pledge.title = "Renamed"
    pledge.save()
    pledge.pledgers.add(make.state("FR"))
    pk = pledge.pk
    pledge.delete()
    assert [r.history_type for r in Pledge.history.filter(id=pk).order_by("history_id")] == ["+", "~", "~", "-"]


def test_status_change_leaves_one_record_on_the_pledge_and_one_for_the_step(db):
    pledge = make.french_pledge()
    before = len(records(pledge))
    step = make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 11), note="x")
    assert len(records(pledge)) == before + 1
    assert [r.history_type for r in records(step)] == ["+"]


def test_bulk_mark_reviewed_writes_one_record_per_pledge(analyst_client, analyst):
    pledges = [make.pledge(title=f"Pledge {n}", pledgers=("FR", "GB")) for n in range(3)]
    versions = {p.pk: p.version for p in Pledge.objects.all()}
    counts = {p.pk: len(records(p)) for p in pledges}
    response = analyst_client.post(
        LIST, {"action": "mark_reviewed", "_selected_action": [p.pk for p in pledges], "index": "0"}
    )
    assert response.status_code == 302
    for pledge in Pledge.objects.all():
        assert pledge.last_reviewed_at is not None
        assert pledge.version == versions[pledge.pk] + 1
        last = records(pledge)[-1]
        assert len(records(pledge)) == counts[pledge.pk] + 1
        assert (last.history_type, last.history_user, last.history_change_reason) == (
            "~",
            analyst,
            "Marked as reviewed",
        )
        # The record keeps the pledgers, so History shows no false "pledgers removed".
        assert last.pledgers.count() == 2
    assert Pledge.objects.not_reviewed_in(90).count() == 0


def test_admin_delete_and_restore_a_pledge(superuser_client):
    pledge = make.french_pledge()
    pledge.pledgers.add(make.state("GB", "United Kingdom"), make.state("XK", "Kosovo"))
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 11), note="x")
    pk, citation_key = pledge.pk, pledge.citations.get().key
    response = superuser_client.post(f"{LIST}{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Pledge.objects.exists() and not StatusChange.objects.exists() and not Citation.objects.exists()
    assert Pledge.history.filter(id=pk).latest("history_id").history_type == "-"
    assert Pledge.history.filter(id=pk, history_type="-").count() == 1

    # The changelist links to the deleted pledges; the deleted one is listed with its History.
    assert "deleted/" in superuser_client.get(LIST).content.decode()
    page = superuser_client.get(f"{LIST}deleted/").content.decode()
    assert make.FRENCH_PLEDGE in page
    assert f"{LIST}{pk}/history/" in page
    assert superuser_client.get(f"{LIST}{pk}/history/").status_code == 200

    State.objects.filter(code="XK").delete()  # a pledger removed since cannot come back
    response = superuser_client.post(f"{LIST}deleted/{pk}/restore/")
    assert response.status_code == 302
    pledge = Pledge.objects.get(pk=pk)
    assert pledge.title == make.FRENCH_PLEDGE
    assert sorted(pledge.pledgers.values_list("code", flat=True)) == ["FR", "GB"]
    assert pledge.status == Status.ANNOUNCED
    assert pledge.status_changes.get().note == "x"
    assert pledge.citations.get().key == citation_key
    last = Pledge.history.filter(id=pk).latest("history_id")
    assert (last.history_type, last.history_change_reason) == ("+", "Restored")
    assert "No deleted pledges." in superuser_client.get(f"{LIST}deleted/").content.decode()


def test_restore_refuses_a_clash_with_a_clear_message(superuser_client):
    pledge = make.french_pledge()
    pk = pledge.pk
    pledge.delete()
    Pledge.objects.create(slug=pledge.slug, title="Newcomer", category="troops")
    response = superuser_client.post(f"{LIST}deleted/{pk}/restore/", follow=True)
    assert "could not be restored" in response.content.decode()
    assert "Pledge with this Slug already exists." in response.content.decode()
    assert not Pledge.objects.filter(pk=pk).exists()


def test_only_who_may_delete_may_restore(analyst_client, viewer_client):
    pledge = make.french_pledge()
    assert analyst_client.post(f"{LIST}{pledge.pk}/delete/", {"post": "yes"}).status_code == 403
    pk = pledge.pk
    pledge.delete()
    for client in (analyst_client, viewer_client):
        page = client.get(f"{LIST}deleted/").content.decode()
        assert make.FRENCH_PLEDGE in page  # they may see it...
        assert 'value="Restore"' not in page  # ...not bring it back
        assert client.post(f"{LIST}deleted/{pk}/restore/").status_code == 403
    assert not Pledge.objects.exists()


def test_revert_from_history_keeps_the_status_and_needs_change_permission(analyst_client, viewer_client):
    pledge = make.french_pledge()
    first = records(pledge)[-1]
    pledge.title = "Renamed"
    pledge.save()
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 11), note="x")
    url = f"{LIST}{pledge.pk}/history/{first.history_id}/"

    form = viewer_client.get(url)
    assert form.status_code == 200
    assert viewer_client.post(url, {"title": "Forged"}).status_code == 403

    form = analyst_client.get(url)
    # The page says what a revert leaves as it is, with both values.
    explained = " ".join(form.content.decode().split())
    assert "<strong>status</strong> stays “Announced (stated publicly, not formally agreed)”" in explained
    assert "(this version: “Not yet assessable”)" in explained
    assert "only through “Change status”" in explained
    response = analyst_client.post(url, form_data(form, "historicalpledge_form"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge = Pledge.objects.get()
    assert pledge.title == make.FRENCH_PLEDGE  # the old version's fields...
    assert pledge.status == Status.ANNOUNCED  # ...but never its status: that goes through change_status


def test_a_summit_with_hosts_leaves_one_record_per_save(analyst_client, analyst):
    from commitments.models import Summit

    fr, gb = make.state("FR", "France"), make.state("GB", "United Kingdom")
    form = analyst_client.get("/admin/commitments/summit/add/")
    response = analyst_client.post(
        "/admin/commitments/summit/add/",
        form_data(
            form,
            "summit_form",
            slug="paris",
            title="Paris summit",
            kind="leaders_summit",
            date="27/03/2025",
            hosts=[str(fr.pk)],
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    summit = Summit.objects.get()
    url = f"/admin/commitments/summit/{summit.pk}/change/"
    response = analyst_client.post(url, form_data(analyst_client.get(url), "summit_form", hosts=[str(gb.pk)]))
    assert response.status_code == 302
    history = records(summit)
    assert [(r.history_type, r.history_user) for r in history] == [("+", analyst), ("~", analyst)]
    assert [list(r.hosts.values_list("state_id", flat=True)) for r in history] == [[fr.pk], [gb.pk]]


def test_a_citations_field_is_chosen_from_the_records_fields(analyst_client):
    pledge = make.french_pledge()
    url = f"{LIST}{pledge.pk}/change/"
    form = analyst_client.get(url)
    field = form.context["inline_admin_formsets"][0].formset.forms[0].fields["field"]
    offered = dict(field.choices)
    assert offered[""] == "— the whole record —"
    assert offered["amount"] == "Amount" and offered["pledgers"] == "Pledgers" and offered["status"] == "Status"
    assert not {"id", "slug", "version", "citations"} & set(offered)
    response = analyst_client.post(url, form_data(form, "pledge_form", **{"citations-0-field": "amout"}))
    assert response.status_code == 200  # a form error, nothing saved
    assert "Select a valid choice" in str(response.context["inline_admin_formsets"][0].formset.errors)
    response = analyst_client.post(url, form_data(form, "pledge_form", **{"citations-0-field": "amount"}))
    assert response.status_code == 302
    assert pledge.citations.get().field == "amount"


def test_a_citation_naming_no_field_of_its_record_is_invalid(db):
    from django.core.exceptions import ValidationError

    citation = make.french_pledge().citations.get()
    citation.field = "citations"  # a relation to other rows, not a fact of the pledge
    with pytest.raises(ValidationError, match="A pledge has no field “citations” a source can support."):
        citation.full_clean()
