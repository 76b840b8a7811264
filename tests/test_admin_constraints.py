"""Every database constraint, broken through an admin form, comes back as a form error, never a 500."""

import datetime

import pytest
from django.apps import apps
from django.test import Client

from commitments import models

from . import builders as make
from .html_forms import form_data


@pytest.fixture
def records(db):
    fr = make.state("FR", "France")
    src = make.source()
    summit = make.summit("paris", title="Paris summit", date=datetime.date(2025, 3, 11), sequence_number=7)
    declaration = make.declaration("decl", title="Paris Declaration", kind="statement")
    instrument = make.instrument("force", name="Multinational force")
    person = make.person("someone", name="Someone")
    return {
        "fr": fr,
        "source": src,
        "summit": summit,
        "declaration": declaration,
        # "troops": the slug the "pledge slug unique" case posts again.
        "pledge": make.pledge("troops", title="Troops", category="troops"),
        "attendance": models.Attendance.objects.create(summit=summit, state=fr, source=src),
        "report": models.AttendanceReport.objects.create(summit=summit, source=src, counted="countries", value=30),
        "party": models.DeclarationParty.objects.create(declaration=declaration, state=fr, role="endorser", source=src),
        "component": models.DeclarationComponent.objects.create(
            declaration=declaration, number=1, text="t", source=src
        ),
        "force": models.ForceRequirement.objects.create(slug="ff", title="Force"),
        "instrument": instrument,
        "instrumentparty": make.instrument_party(instrument, fr, "lead", source=src),
        "person": person,
        "post": make.post("someone-minister", holder=person, party=fr, source=src),
        "statement": make.statement("said", about=[instrument], speaker=person, source=src),
    }


def pk(name):
    return lambda r: str(r[name].pk)


# (constraint, model, record to change or None to add, form changes, message shown)
CASES = [
    (
        "source_has_location",
        "source",
        None,
        {"key": "k", "title": "t", "url": "", "seed_file": ""},
        "needs a URL or a seed file",
    ),
    ("source_published_on_sane", "source", "source", {"published_on": "1900-01-01"}, "Published on must lie between"),
    (
        "state_iso_code",
        "state",
        None,
        {"code": "FRA", "name": "Franc", "kind": "sovereign_state"},
        "two-letter ISO 3166-1",
    ),
    ("state_code_format", "state", None, {"code": "co-w", "name": "Coal", "kind": "coalition"}, "upper-case letters"),
    (
        "state code unique",
        "state",
        None,
        {"code": "FR", "name": "Other", "kind": "sovereign_state"},
        "State with this Code already exists",
    ),
    ("summit_date_sane", "summit", "summit", {"date": "1900-01-01"}, "Date must lie between"),
    ("summit_end_date_sane", "summit", "summit", {"end_date": "2200-01-01"}, "End date must lie between"),
    ("summit_end_after_start", "summit", "summit", {"end_date": "2025-03-01"}, "cannot end before it starts"),
    (
        "summit sequence unique",
        "summit",
        None,
        {"slug": "s2", "title": "t", "kind": "leaders_summit", "date": "2025-04-01", "sequence_number": "7"},
        "Summit with this Sequence number already exists",
    ),
    (
        "attendance_once_per_summit",
        "attendance",
        None,
        {"summit": pk("summit"), "state": pk("fr"), "status": "attended", "source": pk("source")},
        "already recorded for this meeting",
    ),
    (
        "attendance_report_once_per_source",
        "attendancereport",
        None,
        {"summit": pk("summit"), "counted": "countries", "qualifier": "exact", "value": "31", "source": pk("source")},
        "already recorded for the meeting",
    ),
    ("declaration_date_sane", "declaration", "declaration", {"date": "2101-01-01"}, "Date must lie between"),
    (
        "declaration_not_self_superseding",
        "declaration",
        "declaration",
        {"supersedes": pk("declaration")},
        "cannot supersede itself",
    ),
    (
        "declaration_party_once",
        "declarationparty",
        None,
        {"declaration": pk("declaration"), "state": pk("fr"), "role": "endorser", "source": pk("source")},
        "already has this role on this text",
    ),
    (
        "declaration_party_only_signatories_sign",
        "declarationparty",
        "party",
        {"signed_on": "2025-03-11"},
        "Only a signatory has a signature date",
    ),
    (
        "declaration_party_signed_on_sane",
        "declarationparty",
        "party",
        {"role": "signatory", "signed_on": "1900-01-01"},
        "Signed on must lie between",
    ),
    (
        "declaration_component_number_unique",
        "declarationcomponent",
        None,
        {"declaration": pk("declaration"), "number": "1", "text": "x", "source": pk("source")},
        "already has a component with this number",
    ),
    ("declaration_component_number_positive", "declarationcomponent", "component", {"number": "0"}, "numbered from 1"),
    (
        "force_requirement_troops_min_le_max",
        "forcerequirement",
        "force",
        {"troops_min": "5", "troops_max": "4"},
        "lower troop figure cannot exceed",
    ),
    (
        "force_requirement_troops_min_not_negative",
        "forcerequirement",
        "force",
        {"troops_min": "-1"},
        "greater than or equal to 0",
    ),
    (
        "pledge_troops_min_le_max",
        "pledge",
        "pledge",
        {"troops_min": "30000", "troops_max": "15000"},
        "lower troop figure cannot exceed",
    ),
    ("pledge_troops_max_not_negative", "pledge", "pledge", {"troops_max": "-5"}, "greater than or equal to 0"),
    (
        "pledge_amount_not_negative",
        "pledge",
        "pledge",
        {"amount": "-1", "currency": "USD"},
        "An amount cannot be negative.",
    ),
    ("pledge_amount_has_currency", "pledge", "pledge", {"amount": "100"}, "needs its currency"),
    (
        "pledge_eur_conversion_complete",
        "pledge",
        "pledge",
        {"amount": "100", "currency": "USD", "amount_eur": "92"},
        "A euro amount needs the original amount, the FX rate",
    ),
    (
        "pledge_fx_rate_positive",
        "pledge",
        "pledge",
        {"amount": "100", "currency": "USD", "fx_rate": "0", "value_date": "2025-03-01"},
        "An FX rate must be greater than zero.",
    ),
    ("pledge_condition_state_matches", "pledge", "pledge", {"condition": "upon_ceasefire"}, "needs a condition state"),
    ("pledge_not_part_of_itself", "pledge", "pledge", {"part_of": pk("pledge")}, "cannot be a share of itself"),
    ("pledge_value_date_sane", "pledge", "pledge", {"value_date": "1990-01-01"}, "Value date must lie between"),
    (
        "pledge slug unique",
        "pledge",
        None,
        {"slug": "troops", "title": "Again", "category": "troops", "pledgers": pk("fr")},
        "Pledge with this Slug already exists",
    ),
    ("citation_one_target (none)", "citation", None, {"source": pk("source")}, "supports exactly one record"),
    (
        "citation_one_target (two)",
        "citation",
        None,
        {"source": pk("source"), "summit": pk("summit"), "pledge": pk("pledge")},
        "supports exactly one record",
    ),
    (
        "instrument_condition_state_matches",
        "instrument",
        "instrument",
        {"condition": "upon_ceasefire"},
        "A conditional instrument needs a condition state",
    ),
    (
        "instrument_party_once_per_role",
        "instrumentparty",
        None,
        {"instrument": pk("instrument"), "state": pk("fr"), "role": "lead", "source": pk("source")},
        "already has this role in this instrument",
    ),
    ("post_start_date_sane", "post", "post", {"start_date": "1900-01-01"}, "Start date must lie between"),
    ("post_end_date_sane", "post", "post", {"end_date": "2200-01-01"}, "End date must lie between"),
    (
        "post_ends_after_it_starts",
        "post",
        "post",
        {"start_date": "2025-03-01", "end_date": "2025-02-01"},
        "A post cannot end before it starts.",
    ),
    ("statement_has_speaker", "statement", "statement", {"speaker": "", "state": ""}, "Say who made the statement"),
    ("statement_has_quote", "statement", "statement", {"quote": ""}, "A statement is its quoted words"),
    ("statement_made_on_sane", "statement", "statement", {"made_on": "1900-01-01"}, "Made on must lie between"),
]


@pytest.mark.parametrize(("constraint", "model", "record", "changes", "message"), CASES, ids=[c[0] for c in CASES])
def test_constraint_is_a_form_error(records, superuser, constraint, model, record, changes, message):
    client = Client(raise_request_exception=True)
    client.force_login(superuser)
    url = f"/admin/commitments/{model}/" + (f"{records[record].pk}/change/" if record else "add/")
    changes = {name: value(records) if callable(value) else value for name, value in changes.items()}
    Model = apps.get_model("commitments", model)
    before = list(Model.objects.values())
    response = client.post(url, form_data(client.get(url), f"{model}_form", **changes))
    assert response.status_code == 200, f"{constraint}: saved or redirected instead of a form error"
    assert message in response.content.decode(), response.context["adminform"].form.errors
    assert list(Model.objects.values()) == before


def test_constraint_in_an_inline_is_a_form_error(records, superuser):
    client = Client(raise_request_exception=True)
    client.force_login(superuser)
    url = f"/admin/commitments/declaration/{records['declaration'].pk}/change/"
    response = client.post(url, form_data(client.get(url), "declaration_form", **{"parties-0-signed_on": "2025-03-11"}))
    assert response.status_code == 200
    assert "Only a signatory has a signature date" in response.content.decode()


def test_every_constraint_has_a_case():
    named = {c.name for model in apps.get_app_config("commitments").get_models() for c in model._meta.constraints}
    # Written only by Pledge.change_status / Instrument.change_status (tested with them), or not on any form.
    elsewhere = {
        *(
            f"{history}_{rule}"
            for history in ("status_change", "instrument_status_change")
            for rule in ("sequence_unique", "changes_status", "has_note", "effective_date_sane")
        ),
        "pledge_status_changed_on_sane",
        "pledge_troops_min_not_negative",  # same rule as troops_max, tested there
        "force_requirement_troops_max_not_negative",
        "pledge_summary_cell",  # the maintained totals' upsert key: written by triggers (tests/test_summary.py)
        # A revision is written only by commitments.review, never on a form (tests/test_review.py).
        "revision_reviewer_not_author",
        "revision_decision_recorded",
        "revision_record_named",
        "revision_returned_with_comment",
        "release_number_positive",  # numbered by make_release, never on a form (tests/test_releases.py)
    }
    covered = {c[0].split(" ")[0] for c in CASES}
    assert named - covered - elsewhere == set()
