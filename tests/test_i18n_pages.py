"""The public pages and the API in Ukrainian (issue 16, docs/i18n.md): the language chosen by
Accept-Language, the switcher's cookie and `?lang=`; the answer saying its language and varying
on what chose it; Ukrainian dates and numbers on the pages and machine values in files; record
content in Ukrainian where a record has it, its English marked `lang="en"` where not; ETags per
language."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from commitments.choices import Category, Currency
from commitments.formatting import compact_money, troop_range, written_date
from commitments.models import Pledge, State
from commitments.templatetags.content import in_language, localised
from commitments.templatetags.dashboard import money, on_precision, rate

from . import builders as make
from .builders import DAY

UK = {"HTTP_ACCEPT_LANGUAGE": "uk"}
NBSP = "\xa0"


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


# ---------------------------------------------------------------------------------------------
# Choosing the language


def test_without_a_language_preference_the_pages_stay_english(client, world, public):
    response = client.get("/")
    assert response.status_code == 200
    assert html_lang(response) == "en-GB" and response["Content-Language"] == "en-gb"
    assert "Security guarantees for Ukraine at a glance" in text(response)


def test_accept_language_uk_gives_the_page_in_ukrainian(client, world, public):
    make.one_of_each(world)
    response = client.get("/", **UK)
    page = text(response)
    assert response.status_code == 200
    assert html_lang(response) == "uk" and response["Content-Language"] == "uk"
    assert "Гарантії безпеки для України: коротко" in page
    assert "Обіцяні війська за сторонами" in page  # a chart's table
    assert "at a glance" not in page
    assert {"accept-language", "cookie"} <= vary(response)
    # Party names without a Ukrainian version: English, marked so (the troops table, the groupings).
    markup = response.content.decode()
    assert f'<a href="{reverse("pages:state", args=["FR"])}" lang="en">France</a>' in markup
    assert f'<a href="{reverse("pages:state", args=["COW"])}" lang="en">Coalition of the Willing</a>' in markup
    english = client.get("/").content.decode()
    assert 'lang="en"' not in english.replace('<html lang="en-GB">', "")


@pytest.mark.parametrize("value", ["uk", "UK"])
def test_lang_parameter_chooses_ukrainian_over_accept_language(client, world, public, value):
    response = client.get(f"/pledges/?lang={value}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert html_lang(response) == "uk"
    assert "Застосувати фільтри" in text(response)


def test_lang_en_chooses_english_over_the_cookie(client, world, public):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    assert html_lang(client.get("/pledges/")) == "uk"
    response = client.get("/pledges/?lang=en")
    assert html_lang(response) == "en-GB" and "Apply filters" in text(response)


def test_a_bad_lang_on_a_page_is_ignored(client, world, public):
    response = client.get("/?lang=xx", **UK)
    assert response.status_code == 200
    assert html_lang(response) == "uk"  # Accept-Language still decides


def test_the_switcher_sets_the_cookie_and_returns_to_the_page_without_lang(client, world, public):
    page = client.get("/pledges/?status=agreed&lang=uk").content.decode()
    assert f'action="{reverse("set_language")}"' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'name="next" value="/pledges/?status=agreed"' in page
    response = client.post(reverse("set_language"), {"language": "uk", "next": "/pledges/?status=agreed"})
    assert response.status_code == 302 and response["Location"] == "/pledges/?status=agreed"
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "uk" and cookie["httponly"] and cookie["samesite"] == "Lax"
    followed = client.get("/pledges/?status=agreed")
    assert html_lang(followed) == "uk"
    client.post(reverse("set_language"), {"language": "en-gb", "next": "/"})
    assert html_lang(client.get("/")) == "en-GB"


def test_the_switcher_cannot_choose_a_language_the_site_does_not_have(client, world, public):
    # Django's set_language stores any language Django itself knows; the pages speak only theirs.
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert html_lang(page) == "en-GB" and page["Content-Language"] == "en-gb"


# ---------------------------------------------------------------------------------------------
# The API


def test_api_lang_uk_translates_a_filter_error(client, world, public):
    english = client.get("/api/pledges/?category=dragons").json()["category"][0]
    response = client.get("/api/pledges/?category=dragons&lang=uk")
    assert response.status_code == 400
    ukrainian = response.json()["category"][0]
    assert ukrainian != english and "dragons" in ukrainian and re.search("[а-яіїєґ]", ukrainian)
    assert response["Content-Language"] == "uk"


def test_api_accept_language_uk_translates_a_filter_error(client, world, public):
    body = client.get("/api/pledges/?category=dragons", **UK).json()
    assert re.search("[а-яіїєґ]", body["category"][0])


@pytest.mark.parametrize("value", ["xx", "ukr", "en-us", "français"])
def test_api_bad_lang_is_a_400_naming_the_parameter(client, world, public, value):
    response = client.get("/api/pledges/", {"lang": value})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["lang"] and value in body["lang"][0] and "en, uk" in body["lang"][0]


def test_api_bad_lang_is_explained_in_the_language_asked_for(client, world, public):
    body = client.get("/api/pledges/?lang=xx", **UK).json()
    assert body["lang"][0].startswith("Невідома мова")


def test_api_values_stay_machine_readable_in_ukrainian(client, world, public):
    make.one_of_each(world)
    english = client.get("/api/pledges/?category=funding").json()
    ukrainian = client.get("/api/pledges/?category=funding&lang=uk").json()
    assert english["results"] == ukrainian["results"]  # ISO dates, plain numbers, codes: the same
    assert any(row["amount"] == "2000000000.00" for row in ukrainian["results"])


def test_api_etag_differs_per_language_and_a_304_needs_the_same_language(client, world, public):
    english = client.get("/api/pledges/?category=dragons")  # a 400 carries no ETag
    assert not english.has_header("ETag")
    first = client.get("/api/states/")
    second = client.get("/api/states/?lang=uk")
    assert first["ETag"] != second["ETag"]
    assert client.get("/api/states/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/api/states/?lang=uk", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert client.get("/api/states/?lang=uk", HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304
    assert "accept-language" in vary(second)


def test_schema_documents_lang_on_every_operation(client, public):
    schema = client.get("/api/schema/?format=json").json()
    operations = [op for path in schema["paths"].values() for method, op in path.items() if method == "get"]
    assert operations
    for operation in operations:
        lang = [p for p in operation.get("parameters", []) if p["name"] == "lang" and p["in"] == "query"]
        assert len(lang) == 1, operation.get("operationId")
        choices = [part.get("enum") for part in lang[0]["schema"].get("anyOf", [lang[0]["schema"]])]
        assert ["en", "uk"] in choices, lang  # or empty: `?lang=` is "not given"
        assert "400" in operation["responses"]


# ---------------------------------------------------------------------------------------------
# Dates and numbers


def test_dates_and_numbers_in_each_language():
    day = datetime.date(2026, 12, 3)
    with translation.override("en-gb"):
        assert written_date(day) == "3 December 2026" and written_date(day, "short") == "3 Dec 2026"
        assert compact_money(Decimal("2000000000"), Currency.EUR) == "€2.0 bn"
        assert troop_range(15000, 30000) == "15,000–30,000 troops"
        assert money(Decimal("12500.50"), "EUR") == "12,500.50 EUR"
        assert rate(Decimal("1.20000000")) == "1.2"
    with translation.override("uk"):
        assert written_date(day) == "3 грудня 2026" and written_date(day, "short") == "3 грудня 2026"
        assert on_precision(day, "month").lower() == "грудень 2026"
        assert compact_money(Decimal("2000000000"), Currency.EUR) == "€2,0 млрд"
        assert troop_range(15000, 30000) == f"15{NBSP}000–30{NBSP}000 військових"
        assert troop_range(1, 1) == "1 військовий"
        assert money(Decimal("12500.50"), "EUR") == f"12{NBSP}500,50 EUR"
        assert rate(Decimal("1.20000000")) == "1,2"


def test_rounding_is_the_same_as_before_in_english():
    with translation.override("en-gb"):
        assert compact_money(Decimal("2050000000"), Currency.EUR) == f"€{Decimal('2.05'):,.1f} bn"
        assert compact_money(Decimal("12345.5"), Currency.NOK) == f"NOK {Decimal('12345.5'):,.0f}"


def test_pledge_page_in_ukrainian_writes_dates_and_numbers_the_ukrainian_way(client, world, public):
    pledge = make.one_of_each(world)["funding"]
    response = client.get(reverse("pages:pledge", args=[pledge.pk]), **UK)
    page, markup = text(response), response.content.decode()
    assert response.status_code == 200
    assert "Що пообіцяли" in page and "Хронологія статусу" in page
    assert f"2{NBSP}000{NBSP}000{NBSP}000 EUR" in markup  # grouped with non-breaking spaces
    assert "€2,0 млрд" in page
    assert f"дата валютування {DAY.day} березня {DAY.year}" in page  # 27 березня 2025


def test_csv_export_stays_machine_readable_in_ukrainian(client, world, public):
    make.one_of_each(world)
    english = b"".join(client.get("/api/pledges/export.csv").streaming_content)
    ukrainian = b"".join(client.get("/api/pledges/export.csv?lang=uk", **UK).streaming_content)
    assert english == ukrainian


# ---------------------------------------------------------------------------------------------
# Record content in Ukrainian, falling back to English


def test_content_falls_back_to_english_marked_lang_en():
    state = State(code="FR", name="France")
    with translation.override("uk"):
        assert localised(state, "name") == ("France", True)
        assert in_language(state, "name") == '<span lang="en">France</span>'
        state.name_uk = "Франція"
        assert localised(state, "name") == ("Франція", False)
        assert in_language(state, "name") == "Франція"
        state.name_uk = "  "
        assert localised(state, "name") == ("France", True)  # blank is not translated
    with translation.override("en-gb"):
        state.name_uk = "Франція"
        assert in_language(state, "name") == "France"
    assert localised({"name": "France", "name_uk": "Франція"}, "name") in (("France", False), ("Франція", False))


def test_a_ukrainian_page_marks_english_titles_lang_en(client, world, public):
    pledge = make.one_of_each(world)["funding"]
    response = client.get(reverse("pages:pledge", args=[pledge.pk]), **UK)
    assert f'<h1><span lang="en">{pledge.title}</span></h1>' in response.content.decode()
    english = client.get(reverse("pages:pledge", args=[pledge.pk]))
    assert f"<h1>{pledge.title}</h1>" in english.content.decode()


@pytest.mark.skipif(not hasattr(Pledge, "title_uk"), reason="the Ukrainian content fields arrive with i18nmodels")
def test_a_ukrainian_title_is_shown_on_a_ukrainian_page(client, world, public):
    pledge = make.one_of_each(world)["funding"]
    Pledge.objects.filter(pk=pledge.pk).update(title_uk="Допомога у 2 мільярди євро")
    page = client.get(reverse("pages:pledge", args=[pledge.pk]), **UK).content.decode()
    assert "<h1>Допомога у 2 мільярди євро</h1>" in page
    assert "Допомога у 2 мільярди євро" not in client.get(reverse("pages:pledge", args=[pledge.pk])).content.decode()


# ---------------------------------------------------------------------------------------------
# Every public page answers in Ukrainian


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("pages:overview", "Гарантії безпеки для України: коротко"),
        ("pages:pledge-list", "Зобов'язання"),
        ("pages:instrument-list", "Інструменти"),
        ("pages:summit-list", "Зустрічі"),
        ("pages:declaration-list", "Декларації"),
        ("pages:state-list", "Сторони"),
        ("pages:source-list", "Джерела"),
        ("pages:changes", "Останні зміни"),
        ("pages:data", "Дані"),
        ("pages:release-list", "Випуски"),
        ("pages:search", "Пошук"),
    ],
)
def test_every_list_page_has_its_ukrainian_heading(client, world, public, name, heading):
    make.one_of_each(world)
    response = client.get(reverse(name), **UK)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode(), heading
    assert html_lang(response) == "uk"


def test_record_pages_answer_in_ukrainian(client, world, public):
    made = make.one_of_each(world)
    pages = [
        reverse("pages:pledge", args=[made["joint"].pk]),
        reverse("pages:state", args=["FR"]),
        reverse("pages:summit", args=[world["summit"].pk]),
    ]
    for url in pages:
        response = client.get(url, **UK)
        assert response.status_code == 200, url
        assert html_lang(response) == "uk"
        assert "Джерела" in text(response) or "Зобов'язання" in text(response), url


def test_the_category_of_a_pledge_list_filter_error_is_in_ukrainian(client, world, public):
    response = client.get("/pledges/?category=dragons", **UK)
    assert response.status_code == 400
    assert "Ці фільтри не можна застосувати:" in text(response)
    assert Category.TROOPS  # the choice exists; only the bad one is refused


# ---------------------------------------------------------------------------------------------
# The error page, rendered without the database


@pytest.mark.django_db
def test_the_outage_page_is_in_the_readers_language(settings, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper
    from django.test import Client

    def refuse(self, sql, params=None):
        raise OperationalError("connection refused")

    settings.PUBLIC_READ = True
    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    client = Client(raise_request_exception=False)
    response = client.get("/pledges/", **UK)
    assert response.status_code == 503
    page = response.content.decode()
    assert html_lang(response) == "uk" and response["Content-Language"] == "uk"
    assert "<h1>Тимчасово недоступно</h1>" in page and "База даних зараз недоступна" in page
    assert response["X-Request-ID"] in page
    english = client.get("/pledges/")
    assert "<h1>Briefly unavailable</h1>" in english.content.decode()
