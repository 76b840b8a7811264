"""Roles created by the roles migrations (0002_roles, 0007_roles_instruments, 0010_review,
0011_releases, 0014_webhooks): what an Analyst, a Viewer, a Reviewer and a superuser may do, per model, in the
review queue and with releases."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from commitments import models
from commitments.choices import InstrumentRole, InstrumentStatus, Status

from . import builders as make

# Migration 0007's models: instruments, their parties and status history, people, posts, statements.
INSTRUMENT_MODELS = ["instrument", "instrumentparty", "instrumentstatuschange", "person", "post", "statement"]
MODELS = [
    "pledge",
    "summit",
    "declaration",
    "source",
    "citation",
    "statuschange",
    "attendance",
    "attendancereport",
    "declarationparty",
    "declarationcomponent",
    "forcerequirement",
    "state",
    *INSTRUMENT_MODELS,
]
# Status histories are written only by change_status (the Analyst's add right on them is what lets
# them change a status), never through their own admin pages.
HISTORIES = {"statuschange", "instrumentstatuschange"}
EDITED_BY_ANALYSTS = set(MODELS) - {"state"} - HISTORIES

ANALYST_PERMISSIONS = {
    f"{action}_{model}" for model in set(MODELS) - {"state"} for action in ("add", "change", "view")
} | {"view_state", "view_revision", "view_release", "add_webhook", "change_webhook", "view_webhook"}
VIEWER_PERMISSIONS = {f"view_{model}" for model in MODELS} | {"view_release"}
# The Reviewer reads the register as a Viewer does, sees the queue, decides on others' revisions and
# makes releases.
REVIEWER_PERMISSIONS = VIEWER_PERMISSIONS | {"view_revision", "review_revision", "add_release"}


def test_the_migration_grants_exactly_these_permissions(db):
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert codenames("Analyst") == ANALYST_PERMISSIONS
    assert codenames("Viewer") == VIEWER_PERMISSIONS
    assert codenames("Reviewer") == REVIEWER_PERMISSIONS
    assert not any(code.startswith("delete_") for code in codenames("Analyst"))


@pytest.fixture
def one_of_each(db):
    """One record of every model, keyed by model name."""
    fr = make.state("FR", "France")
    src = make.source()
    summit = make.summit("paris", title="Paris summit", date=datetime.date(2025, 3, 11))
    declaration = make.declaration("decl", title="Paris Declaration", kind="statement")
    pledge = make.pledge("troops", title="Troops", category="troops")
    step = make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 11), source=src, note="x")
    instrument = make.instrument("force", name="Multinational force")
    person = make.person("someone", name="Someone")
    return {
        "pledge": pledge,
        "summit": summit,
        "declaration": declaration,
        "source": src,
        "citation": models.Citation.objects.create(pledge=pledge, source=src, quote="q"),
        "statuschange": step,
        "attendance": models.Attendance.objects.create(summit=summit, state=fr, source=src),
        "attendancereport": models.AttendanceReport.objects.create(
            summit=summit, source=src, counted="countries", value=30
        ),
        "declarationparty": models.DeclarationParty.objects.create(
            declaration=declaration, state=fr, role="endorser", source=src
        ),
        "declarationcomponent": models.DeclarationComponent.objects.create(
            declaration=declaration, number=1, text="t", source=src
        ),
        "forcerequirement": models.ForceRequirement.objects.create(
            slug="ff", title="Force", troops_min=1, troops_max=2
        ),
        "state": fr,
        "instrument": instrument,
        "instrumentparty": make.instrument_party(instrument, fr, InstrumentRole.LEAD, source=src),
        "instrumentstatuschange": make.move(
            instrument, InstrumentStatus.AGREED, datetime.date(2025, 3, 11), source=src, note="x"
        ),
        "person": person,
        "post": make.post("someone-minister", holder=person, party=fr, source=src),
        "statement": make.statement("said", about=[instrument], speaker=person, source=src),
    }


def expected(role, model) -> dict:
    if role == "superuser":
        # A status history is written only by change_status and goes only with its record.
        if model in HISTORIES:
            return {"view": True, "add": False, "change": False, "delete": False}
        return {"view": True, "add": True, "change": True, "delete": True}
    if role == "Analyst":
        edits = model in EDITED_BY_ANALYSTS
        return {"view": True, "add": edits, "change": edits, "delete": False}
    return {"view": True, "add": False, "change": False, "delete": False}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("role", ["Analyst", "Viewer", "Reviewer", "superuser"])
def test_role_can_and_cannot(one_of_each, role, model):
    client = Client()
    client.force_login(make.user("someone", None if role == "superuser" else role, superuser=role == "superuser"))
    obj = one_of_each[model]
    base = f"/admin/commitments/{model}/"
    want = expected(role, model)

    assert (client.get(base).status_code == 200) is want["view"]
    assert (client.get(f"{base}add/").status_code == 200) is want["add"]
    change_page = client.get(f"{base}{obj.pk}/change/")
    assert change_page.status_code == 200
    assert ('name="_save"' in change_page.content.decode()) is want["change"]
    assert (client.get(f"{base}{obj.pk}/delete/").status_code == 200) is want["delete"]
    # A refused write changes nothing, even when posted directly.
    if not want["change"]:
        before = type(obj).objects.filter(pk=obj.pk).values().get()
        assert client.post(f"{base}{obj.pk}/change/", {}).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).values().get() == before
    if not want["delete"]:
        assert client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(
    ("role", "sees_queue", "may_decide"),
    [("Analyst", True, False), ("Viewer", False, False), ("Reviewer", True, True), ("superuser", True, True)],
)
def test_the_review_queue_by_role(db, settings, role, sees_queue, may_decide):
    """Who sees the Revisions queue and who may approve another user's revision there."""
    from commitments import services

    settings.REVIEW_REQUIRED = True
    pledge = make.pledge(title="Before")
    pledge.title = "After"
    revision = services.save_pledge(pledge, user=make.user("author", "Analyst"))
    client = Client()
    client.force_login(make.user("someone", None if role == "superuser" else role, superuser=role == "superuser"))
    page = client.get(f"/admin/commitments/revision/{revision.pk}/change/")
    assert (client.get("/admin/commitments/revision/").status_code == 200) is sees_queue
    assert (page.status_code == 200) is sees_queue
    assert ('value="Approve"' in page.content.decode()) is may_decide
    client.post(f"/admin/commitments/revision/{revision.pk}/approve/", {})
    assert (models.Pledge.objects.get(pk=pledge.pk).title == "After") is may_decide


@pytest.mark.parametrize("role", ["Analyst", "Viewer", "Reviewer"])
def test_only_superusers_manage_accounts(db, role):
    client = Client()
    client.force_login(make.user("someone", role))
    for url in ("/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"):
        assert client.get(url).status_code == 403
    index = client.get("/admin/").content.decode()
    assert "/admin/auth/" not in index
