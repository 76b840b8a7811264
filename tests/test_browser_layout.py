"""The public pages at a laptop's and a phone's size (1366×768, 390×844): nothing makes the page
scroll sideways, the pledge list becomes cards on the phone, no chart label is cut short, a pledge
page states its quantity once. Screenshots of each go to test-artifacts/ for a reviewer to look at."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from commitments.models import Pledge

from .browser import ARTIFACTS, browser_test

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SIZES = {"1366x768": LAPTOP, "390x844": PHONE}

pytestmark = browser_test


@pytest.fixture
def site(live_server, seeded, public, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    url = urlsplit(live_server.url)
    return f"{url.scheme}://127.0.0.1:{url.port}"


def pages() -> dict[str, str]:
    pledge = Pledge.objects.get(slug="fr-gb-bulk-of-multinational-force-troops-2026").pk
    return {"overview": "/", "pledge-list": "/pledges/", "pledge-page": f"/pledges/{pledge}/"}


@pytest.mark.parametrize("size", SIZES)
def test_no_page_scrolls_sideways_and_each_is_photographed(new_context, site, size):
    viewport = SIZES[size]
    context = new_context(viewport=viewport)
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in pages().items():
        page.goto(site + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= viewport["width"], f"{path} at {size} is {width}px wide"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"), full_page=True)
    context.close()


def test_the_pledge_list_is_cards_on_a_phone_and_a_table_on_a_laptop(new_context, site):
    context = new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(site + "/pledges/")
    first = page.locator("table.pledges tbody tr").first
    first.scroll_into_view_if_needed()
    # Every column of the row is within the phone's width, named (the header row is for screen readers only).
    for column in ("Pledged by", "Quantity", "Condition", "Status", "Sources"):
        cell = first.locator(f'td[data-label="{column}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], column
    assert page.evaluate("getComputedStyle(document.querySelector('table.pledges tr')).display") == "block"
    page.set_viewport_size(LAPTOP)
    expect(page.locator("table.pledges thead th").first).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('table.pledges tr')).display") == "table-row"
    context.close()


def test_chart_labels_are_whole_and_a_pledge_states_its_quantity_once(new_context, site):
    context = new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(site + "/")
    labels = page.locator("svg.chart-bars text.label")
    expect(labels.first).to_be_visible()
    for index in range(labels.count()):
        label = labels.nth(index)
        # What is drawn (the tspans) is the whole name in the label's <title>.
        drawn = " ".join(label.locator("tspan").all_text_contents())
        assert drawn == label.locator("title").text_content(), drawn
        assert "…" not in drawn
    expect(page.locator("svg.chart-bars text.label", has_text="Coalition of the Willing")).not_to_have_count(0)

    pledge = Pledge.objects.get(title="French aid announcement of 2 billion euros")
    page.goto(f"{site}/pledges/{pledge.pk}/")
    facts = page.locator("dl.facts")
    assert len(re.findall("€2.0 bn", facts.inner_text())) == 1
    expect(facts).to_contain_text("2,000,000,000 EUR")
    context.close()
