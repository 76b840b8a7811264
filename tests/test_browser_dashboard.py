"""The public pages in Debian's Chromium: the overview draws its charts from the seed data, a
reader can walk from a figure to the pledge and its sources, the filters work, and no page asks
for anything outside this server. Screenshots at desktop and phone widths go to test-artifacts/."""

import re
from urllib.parse import urlsplit

import pytest

from .browser import ARTIFACTS, browser_test

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

pytestmark = browser_test


@pytest.fixture
def site(live_server, seeded, settings):
    """The live server's address written as 127.0.0.1, so "nothing outside 127.0.0.1" is literal.
    (The server binds an IPv4 socket to "localhost", i.e. 127.0.0.1.)"""
    settings.PUBLIC_READ = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    url = urlsplit(live_server.url)
    return f"{url.scheme}://127.0.0.1:{url.port}"


@pytest.fixture
def page(browser, site):
    """A page that records every request it makes, so a test can check where they went."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.requested = []
    page.failed = []
    page.on("request", lambda request: page.requested.append(request.url))
    page.on("requestfailed", lambda request: page.failed.append(request.url))
    page.on("response", lambda response: response.status >= 400 and page.failed.append(response.url))
    yield page
    context.close()


def outside_this_server(urls: list[str]) -> list[str]:
    return [url for url in urls if urlsplit(url).scheme not in ("data",) and urlsplit(url).hostname != "127.0.0.1"]


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_overview_draws_its_charts_from_the_seed_data_and_fetches_nothing_from_elsewhere(page, site):
    page.goto(site + "/")

    assert page.title().startswith("Overview")
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == 5
    eur_chart = page.locator("#chart-eur-by-state-title").locator("xpath=..")
    assert eur_chart.locator("text.label", has_text="France").is_visible()
    assert eur_chart.locator("text.value", has_text="€2.0 bn").is_visible()
    assert eur_chart.locator("rect.bar").count() == 1
    euros = page.locator("dl.headline div", has_text="Euros pledged")
    assert euros.locator(".figure").inner_text() == "€2.0 bn"
    troops = page.locator("dl.headline div", has_text="Troops pledged")
    assert "15,000–30,000 troops required" in troops.inner_text()
    # The timeline draws a marker per meeting and declaration of the seed data, each a link.
    assert page.locator("svg.chart-timeline a").count() == 8 + 5
    # Every chart's figures are also in a table.
    france = page.get_by_role("table", name="Euros pledged by party").get_by_role("row", name=re.compile("^France"))
    assert france.get_by_text("€2.0 bn").is_visible()

    # The stylesheet was served (whitenoise in production, the live server's static handler here).
    assert any(url.endswith("dashboard.css") for url in page.requested)
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )
    screenshot(page, "overview")
    assert outside_this_server(page.requested) == []
    assert page.failed == []


def test_phone_width_needs_no_sideways_scrolling(page, site):
    from commitments.models import Declaration, Pledge, Summit

    pledge = Pledge.objects.get(slug="fr-gb-bulk-of-multinational-force-troops-2026").pk
    summit = Summit.objects.get(slug="paris-summit-2026-01-06").pk
    declaration = Declaration.objects.get(slug="declaration-of-intent-multinational-force-2026").pk
    page.set_viewport_size(PHONE)
    for path in (
        "/",
        "/pledges/",
        f"/pledges/{pledge}/",
        f"/summits/{summit}/",
        f"/declarations/{declaration}/",
        "/states/FR/",
        "/states/",
    ):
        page.goto(site + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a phone"


def test_a_reader_goes_from_the_chart_to_the_pledge_and_its_sources(page, site):
    page.goto(site + "/")
    page.get_by_role("table", name="Euros pledged by party").get_by_role("link", name="France").click()
    page.wait_for_url(re.compile(r"/states/FR/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "France"

    page.get_by_role("link", name="French aid announcement of 2 billion euros").click()
    page.wait_for_url(re.compile(r"/pledges/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "French aid announcement of 2 billion euros"
    facts = page.locator("dl.facts")
    assert "€2.0 bn" in facts.inner_text()
    assert "2,000,000,000 EUR" in facts.inner_text()

    sources = page.locator("ol.citations > li")
    assert sources.count() >= 1
    first = sources.first
    assert first.locator("blockquote").inner_text().strip()
    assert first.locator("cite").inner_text().strip()
    assert page.locator("ol.status-timeline > li").count() >= 1
    screenshot(page, "pledge")

    page.goto(site + "/summits/")
    page.get_by_role("link", name=re.compile("leaders' summit, Paris, January 2026")).click()
    counts = page.get_by_role("table", name="Reported counts per source")
    assert counts.get_by_text("Exactly 35").is_visible()
    assert counts.get_by_text("Exactly 27").is_visible()
    screenshot(page, "summit")
    assert outside_this_server(page.requested) == []


def test_filters_narrow_the_list_and_bad_input_is_explained(page, site):
    page.goto(site + "/pledges/")
    everything = int(page.get_by_role("heading", level=2, name=re.compile(r"^\d+ pledges")).inner_text().split()[0])

    page.locator("summary", has_text="More filters").click()
    page.locator("fieldset", has_text="Status").get_by_label("Committed or signed", exact=False).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=committed"))
    heading = page.get_by_role("heading", level=2, name=re.compile(r"^\d+ pledges? match"))
    matching = int(heading.inner_text().split()[0])
    assert 0 < matching < everything
    rows = page.locator("table.pledges tbody tr")
    assert rows.count() == matching
    for index in range(matching):
        assert "Committed" in rows.nth(index).locator("td").nth(3).inner_text()
    screenshot(page, "pledge-list-filtered")

    response = page.goto(site + "/pledges/?status=bogus&value_date_after=notadate")
    assert response.status == 400
    alert = page.get_by_role("alert")
    assert "bogus" in alert.inner_text()
    assert "date" in alert.inner_text().lower()
    assert outside_this_server(page.requested) == []
