"""The public pages in Ukrainian and English in a browser (issue 16): a reader whose browser asks
for Ukrainian gets Ukrainian headings, dates ("27 березня 2025") and numbers (non-breaking space
thousands) with `<html lang="uk">`; the switcher in the header changes the language both ways
and the page comes back where it was. No Content-Security-Policy violation on the way (the
switcher is a plain form: no script, no inline style)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from commitments.models import Pledge

from .browser import ARTIFACTS, browser_test

pytestmark = browser_test

UKRAINIAN_MONTHS = "січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня"
UKRAINIAN_DATE = re.compile(rf"\b\d{{1,2}} ({UKRAINIAN_MONTHS}) \d{{4}}\b")
ENGLISH_DATE = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
)


@pytest.fixture
def site(live_server, seeded, public, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    url = urlsplit(live_server.url)
    return f"{url.scheme}://127.0.0.1:{url.port}"


def pledge_path() -> str:
    return f"/pledges/{Pledge.objects.get(slug='fr-gb-bulk-of-multinational-force-troops-2026').pk}/"


def test_a_ukrainian_browser_reads_ukrainian_pages_and_switches_to_english_and_back(new_context, site):
    context = new_context(locale="uk-UA", viewport={"width": 1366, "height": 768})
    page = context.new_page()

    page.goto(site + "/")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("h1")).to_have_text("Гарантії безпеки для України: коротко")
    expect(page.locator("h2#troops-title")).to_have_text("Обіцяні війська проти потрібних сил")
    expect(page.locator("nav[aria-label='Головне меню'] a[aria-current='page']")).to_have_text("Огляд")
    # The timeline's dates and the troop figures the Ukrainian way.
    timeline = page.locator("section[aria-labelledby='timeline-title'] table").inner_text()
    assert UKRAINIAN_DATE.search(timeline), timeline[:400]
    body = page.locator("main").inner_text()
    assert re.search(r"\d\u00a0\d{3}", body), "no number grouped with a non-breaking space"
    assert "військових" in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-uk-1366x768.png"), full_page=True)

    path = pledge_path()
    page.goto(site + path)
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("h2#facts-title")).to_have_text("Що пообіцяли")
    expect(page.locator("h2#timeline-title")).to_have_text("Хронологія статусу")
    timeline = page.locator("ol.status-timeline").inner_text()
    assert UKRAINIAN_DATE.search(timeline), timeline[:400]
    # The title has no Ukrainian version yet: its English is marked as English for screen readers.
    expect(page.locator("h1 [lang='en'], h1[lang='en']")).to_have_count(1)

    # The switcher: English, then back to Ukrainian, staying on the pledge's page.
    page.select_option("#language-choice", "en-gb")
    page.get_by_role("button", name="Змінити мову").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    assert urlsplit(page.url).path == path
    expect(page.locator("h2#facts-title")).to_have_text("What was promised")
    assert ENGLISH_DATE.search(page.locator("ol.status-timeline").inner_text())
    page.goto(site + "/")  # the cookie now decides, over the browser's Accept-Language
    expect(page.locator("h1")).to_have_text("Security guarantees for Ukraine at a glance")

    page.select_option("#language-choice", "uk")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("h1")).to_have_text("Гарантії безпеки для України: коротко")
    context.close()


def test_an_english_browser_reads_english_and_switches_to_ukrainian(new_context, site):
    context = new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site + "/pledges/?status=agreed")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.locator("h1")).to_have_text("Pledges")
    expect(page.locator("#language-choice")).to_have_value("en-gb")
    page.select_option("#language-choice", "uk")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("h1")).to_have_text("Зобов'язання")
    assert urlsplit(page.url).query == "status=agreed"  # back on the same list, same filter
    expect(page.locator("button[type=submit]", has_text="Застосувати фільтри")).to_be_visible()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"the Ukrainian pledge list is {width}px wide on a phone"
    context.close()
