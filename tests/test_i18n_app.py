"""Issue 16, item 1, the analysts' side: the admin customisations, the API's error messages, the
import report and the review workflow answer in Ukrainian when the request asks for it
(Accept-Language: uk), and in English, unchanged, when it does not."""

import csv
import datetime
import io
import json
import re
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from commitments import exports, services
from commitments.admin.base import when_shown
from commitments.choices import Status
from commitments.models import Pledge

from . import builders as make

pytestmark = pytest.mark.django_db

UK = {"HTTP_ACCEPT_LANGUAGE": "uk"}
LIST = "/admin/commitments/pledge/"


def text(response) -> str:
    return response.content.decode()


# -- the admin ----------------------------------------------------------------------------------


def test_the_pledge_list_names_its_columns_and_filters_in_the_language_asked_for(analyst_client):
    make.french_pledge()
    english = text(analyst_client.get(LIST))
    ukrainian = text(analyst_client.get(LIST, **UK))
    # Column titles (list_display descriptions) and the filters' titles and choices.
    for words in ("<span>Pledgers</span>", "open or final", "Open (still to be kept)", "Not reviewed in 90 days"):
        assert words in english
        assert words not in ukrainian
    ukrainian_words = (
        "<span>Сторони зобов&#x27;язання</span>",
        "відкриті чи остаточні",
        "Відкриті (ще мають бути виконані)",
    )
    for words in ukrainian_words:
        assert words in ukrainian, words
        assert words not in english
    assert "Не перевірялися 90 днів" in ukrainian
    # The buttons above the list.
    assert "Deleted pledges</a>" in english and "Видалені зобов'язання</a>" in ukrainian


def test_an_admin_action_says_what_it_did_in_the_language_asked_for(analyst_client):
    pledges = [make.pledge(), make.pledge()]
    ids = [str(p.pk) for p in pledges]
    data = {"action": "mark_reviewed", "_selected_action": ids, "index": "0"}
    english = analyst_client.post(LIST, data, follow=True)
    assert "2 pledges marked as reviewed." in text(english)
    ukrainian = analyst_client.post(LIST, data, follow=True, **UK)
    assert "2 зобов&#x27;язання позначено як перевірені." in text(ukrainian)
    assert "marked as reviewed" not in text(ukrainian)
    # The action's own description in the menu.
    assert "Позначити вибрані зобов&#x27;язання як перевірені зараз" in text(analyst_client.get(LIST, **UK))


def test_the_status_page_speaks_the_language_asked_for(analyst_client):
    pledge = make.french_pledge()
    url = f"{LIST}{pledge.pk}/change-status/"
    english = text(analyst_client.get(url))
    assert "Current status: <strong>" in english and 'value="Change status"' in english
    assert "When the change took effect in the world" in english
    ukrainian = text(analyst_client.get(url, **UK))
    assert "Поточний статус: <strong>" in ukrainian
    assert 'value="Змінити статус"' in ukrainian
    assert "Новий статус" in ukrainian and "Коли зміна фактично відбулася" in ukrainian
    assert "Current status" not in ukrainian
    # A refused change: the form's own message, and the page around it, in Ukrainian.
    make.move(pledge, Status.ANNOUNCED, datetime.date(2025, 3, 1))
    seen = {f"seen_status_{pledge.pk}": Status.NOT_ASSESSABLE}
    data = {
        "status": Status.AGREED,
        "effective_date": "2025-03-11",
        "precision": "day",
        "note": "n",
        "source": str(make.source().pk),
        "apply": "1",
        **seen,
    }
    refused = text(analyst_client.post(url, data, **UK))
    assert "хтось інший змінив його статус" in refused
    assert "by someone else" in text(analyst_client.post(url, data))


def test_a_conflicting_admin_edit_is_explained_in_the_language_asked_for(analyst_client):
    pledge = make.pledge(title="Before")
    url = f"{LIST}{pledge.pk}/change/"
    form = analyst_client.get(url, **UK).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "pledgers": [str(pk) for pk in data.get("pledgers", [])],
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
            "title": "Mine",
        }
    )
    Pledge.objects.filter(pk=pledge.pk).update(title="Theirs", version=pledge.version + 1)
    page = text(analyst_client.post(url, data, **UK))
    assert "Нічого не збережено." in page, page[:3000]
    assert "Nothing was saved." not in page


def test_the_history_dates_name_the_month_in_the_active_language():
    moment = make.pledge().created_at
    with translation.override("en-gb"):
        english = when_shown(moment)
    with translation.override("uk"):
        ukrainian = when_shown(moment)
    month = moment.strftime("%B")
    assert month in english and month not in ukrainian
    assert english[:2] == ukrainian[:2]  # the same day, written the same way


# -- the API ------------------------------------------------------------------------------------


@pytest.fixture
def writer(db):
    return make.token_client(make.user(superuser=True), can_write=True)[0]


def test_a_write_without_if_match_is_refused_in_the_language_asked_for(writer):
    pledge = make.pledge()
    url = f"/api/pledges/{pledge.pk}/"
    english = writer.patch(url, {"title": "x"}, format="json")
    assert english.status_code == 428
    assert english.json()["detail"].startswith("This write needs an If-Match header")
    ukrainian = writer.patch(url, {"title": "x"}, format="json", **UK)
    assert ukrainian.status_code == 428
    assert ukrainian.json()["detail"].startswith("Для цього запису потрібен заголовок If-Match")
    assert ukrainian["Content-Language"] == "uk"
    stale = writer.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH='"pledge-0-v0"', **UK)
    assert stale.status_code == 412
    assert "Зобов'язання змінилося" in stale.json()["detail"]


def test_a_bad_parameter_is_a_400_in_the_language_asked_for(writer):
    english = writer.get("/api/pledges/export.csv", {"bom": "maybe"})
    assert english.status_code == 400
    assert english.json() == {"bom": ["Use 1 or true for a byte-order mark, 0 or false for none."]}
    ukrainian = writer.get("/api/pledges/export.csv", {"bom": "maybe"}, **UK)
    assert ukrainian.status_code == 400
    assert ukrainian.json() == {
        "bom": ["Використайте 1 або true для мітки порядку байтів (BOM), 0 або false — без неї."]
    }
    paged = writer.get("/api/changes/", {"page_size": "0"}, **UK)
    assert paged.status_code == 400
    assert paged.json()["page_size"] == ["Ціле число від 1 до 1000."]
    filtered = writer.get("/api/pledges/export.csv", {"open": "maybe"}, **UK)
    assert filtered.status_code == 400
    assert filtered.json() == {"open": ["Використайте true або false."]}
    assert writer.get("/api/pledges/", {"open": "maybe"}).json() == {"open": ["Use true or false."]}
    cursor = writer.get("/api/pledges/", {"cursor": "nonsense"}, **UK)
    assert cursor.status_code == 400
    assert "Недійсний курсор" in cursor.json()["cursor"][0]


def test_a_refused_write_is_a_403_in_the_language_asked_for(settings):
    settings.PUBLIC_READ = True
    reader = make.token_client(make.user(superuser=True), can_write=False)[0]
    body = {"slug": "x", "title": "X", "category": "troops", "pledgers": ["FR"]}
    make.state("FR")
    english = reader.post("/api/pledges/", body, format="json")
    assert english.status_code == 403
    assert english.json()["detail"] == "This token is read-only: writing needs a read-write token."
    ukrainian = reader.post("/api/pledges/", body, format="json", **UK)
    assert ukrainian.status_code == 403
    assert ukrainian.json()["detail"] == "Цей токен лише для читання: для запису потрібен токен читання й запису."
    analyst = make.token_client(make.user(role="Viewer"), can_write=True)[0]
    lacking = analyst.post("/api/pledges/", body, format="json", **UK)
    assert lacking.status_code == 403
    assert lacking.json()["detail"].startswith("Ваш обліковий запис не має дозволу на цю зміну: ")


def test_an_unknown_api_address_and_release_are_404s_in_the_language_asked_for(writer):
    assert writer.get("/api/nowhere/", **UK).json()["detail"] == (
        "Такої адреси API немає; GET /api/ показує перелік адрес."
    )
    missing = writer.get("/api/pledges/", {"release": "7"}, **UK)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Випуску 7 немає: GET /api/releases/ показує перелік випусків."
    assert writer.get("/api/pledges/", {"release": "7"}).json()["detail"] == (
        "There is no release 7: GET /api/releases/ lists the releases."
    )


def test_a_throttled_client_is_told_how_long_to_wait_in_the_language_asked_for(settings):
    settings.PUBLIC_READ = True
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "token": "1/min"}}
    cache.clear()
    anonymous = APIClient()
    assert anonymous.get("/api/states/").status_code == 200
    english = anonymous.get("/api/states/")
    ukrainian = anonymous.get("/api/states/", **UK)
    assert english.status_code == ukrainian.status_code == 429
    wait = int(ukrainian["Retry-After"])
    assert 0 < wait <= 60
    assert re.fullmatch(r"Request was throttled\. Expected available in \d+ seconds?\.", english.json()["detail"])
    assert re.fullmatch(r"Забагато запитів\. Повторіть через \d+ секунд[уи]?\.", ukrainian.json()["detail"])
    assert ukrainian.json()["detail"].split()[-2] == str(wait)


# -- the import report --------------------------------------------------------------------------


def edited_file(**changes) -> SimpleUploadedFile:
    rows = list(csv.DictReader(io.StringIO("".join(exports.pledge_csv_chunks()), newline="")))
    for slug, values in changes.items():
        next(r for r in rows if r["slug"] == slug).update(values)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("pledges.csv", out.getvalue().encode("utf-8"), content_type="text/csv")


def test_an_import_report_lists_row_errors_in_the_language_asked_for(register, analyst_client):
    bad = {"fr-aid": {"amount": "lots"}, "us-aid": {"pledger_codes": "ZZ"}}
    url = "/admin/commitments/pledge/import/"
    english = text(analyst_client.post(url, {"file": edited_file(**bad)}))
    assert "2 error(s); nothing was written." in english
    assert "&#x27;lots&#x27; is not a number" in english and "Unknown state code(s): ZZ." in english
    ukrainian = text(analyst_client.post(url, {"file": edited_file(**bad)}, **UK))
    assert "Помилок: 2; нічого не записано." in ukrainian
    assert "&#x27;lots&#x27; не є числом" in ukrainian
    assert "Невідомі коди держав: ZZ." in ukrainian
    assert "<th>Рядок</th><th>Стовпець</th><th>Проблема</th>" in ukrainian
    assert "nothing was written" not in ukrainian
    # A valid file's preview: the summary and the planned actions.
    good = text(analyst_client.post(url, {"file": edited_file(**{"fr-aid": {"troops_min": "5"}})}, **UK))
    assert "Буде імпортовано рядків:" in good and "<td>оновити</td>" in good


def test_an_import_report_writes_numbers_as_the_language_does(register):
    from commitments.imports import plan_import

    data = edited_file(**{"fr-aid": {"description": "x" * 10_001}}).read()
    with translation.override("en-gb"):
        (english,) = plan_import(data).errors
    with translation.override("uk"):
        (ukrainian,) = plan_import(data).errors
    assert english.message == "The cell has 10,001 characters; at most 10,000 are taken."
    assert ukrainian.message == "У клітинці 10\xa0001 символів; приймається щонайбільше 10\xa0000."
    assert str(ukrainian).startswith("рядок ") and ", стовпець description: " in str(ukrainian)


# -- review -------------------------------------------------------------------------------------


def test_a_refused_approval_is_explained_in_the_language_asked_for(settings, reviewer):
    settings.REVIEW_REQUIRED = True
    author = make.user("author", "Reviewer")
    pledge = make.pledge(title="Before")
    pledge.title = "After"
    revision = services.save_pledge(pledge, user=author)
    own = make.session_client(author)
    url = f"/api/revisions/{revision.pk}/approve/"
    english = own.post(url, {}, format="json")
    assert english.status_code == 403
    assert english.json()["detail"] == f"You proposed revision #{revision.pk}: another reviewer must decide on it."
    ukrainian = own.post(url, {}, format="json", **UK)
    assert ukrainian.status_code == 403
    assert ukrainian.json()["detail"] == (
        f"Редакцію #{revision.pk} запропонували ви: рішення має ухвалити інший рецензент."
    )
    # Sending back without a comment: a 400 on the field, in Ukrainian.
    other = make.session_client(reviewer)
    unexplained = other.post(f"/api/revisions/{revision.pk}/return/", {}, format="json", **UK)
    assert unexplained.status_code == 400
    assert unexplained.json() == {"comment": ["Поясніть, чому редакцію повернуто."]}


def test_the_review_page_offers_its_decisions_in_the_language_asked_for(settings, reviewer):
    settings.REVIEW_REQUIRED = True
    author = make.user("author", "Analyst")
    pledge = make.pledge(title="Before")
    pledge.title = "After"
    revision = services.save_pledge(pledge, user=author)
    from django.test import Client

    client = Client()
    client.force_login(reviewer)
    url = f"/admin/commitments/revision/{revision.pk}/change/"
    english = text(client.get(url))
    assert 'value="Approve"' in english and "<th>when proposed</th>" in english
    ukrainian = text(client.get(url, **UK))
    assert 'value="Схвалити"' in ukrainian and 'value="Повернути"' in ukrainian
    assert "<th>на момент пропозиції</th>" in ukrainian
    done = client.post(f"/admin/commitments/revision/{revision.pk}/approve/", {}, follow=True, **UK)
    assert f"Редакцію #{revision.pk} схвалено й опубліковано." in text(done)


# -- the exports' column descriptions -----------------------------------------------------------


def test_an_xlsx_export_documents_its_columns_in_the_language_asked_for(register, public, client):
    """The rows and their header are machine names in every language; the "columns" sheet that says
    what each column means reads in the request's language. The data package stays English."""
    import openpyxl

    def documented(**headers):
        response = client.get("/api/pledges/export.xlsx", **headers)
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        header = next(book["pledges"].iter_rows(values_only=True))
        return header, {row[0]: row for row in book["columns"].iter_rows(values_only=True)}

    english_header, english = documented()
    ukrainian_header, ukrainian = documented(**UK)
    assert english_header == ukrainian_header == tuple(c.name for c in exports.PLEDGE_COLUMNS)
    assert english["column"] == ("column", "type", "meaning", "allowed values")
    assert ukrainian["стовпець"] == ("стовпець", "тип", "значення", "допустимі значення")
    assert english["title"][2] == "What is promised, in one line."
    assert ukrainian["title"][:3] == ("title", "text", "Що обіцяно, одним рядком.")
    assert ukrainian["status"][3] == english["status"][3]  # the allowed values are codes
    summary = client.get("/api/reports/summary.xlsx", **UK)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(summary.streaming_content)), read_only=True)
    meanings = {row[0]: row[2] for row in book["columns"].iter_rows(values_only=True)}
    assert meanings["label"] == "Назва."
    package = client.get("/api/data-package.zip", **UK)
    with zipfile.ZipFile(
        io.BytesIO(b"".join(package.streaming_content) if package.streaming else package.content)
    ) as z:
        descriptor = json.loads(z.read("datapackage.json"))
    fields = {
        f["name"]: f["description"]
        for r in descriptor["resources"]
        if r["name"] == "pledges"
        for f in r["schema"]["fields"]
    }
    assert fields["title"] == "What is promised, in one line."
