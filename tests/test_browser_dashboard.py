"""The public pages in Debian's Chromium: the overview draws its charts from the seed data, a
reader can walk from a figure to the pledge and its sources, the filters work, and no page asks
for anything outside this server or logs a Content-Security-Policy violation (the `new_context`
fixture). Screenshots at desktop and phone widths go to test-artifacts/."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from commitments.choices import Category, InstrumentRole, InstrumentStatus, Stance, Status
from commitments.models import Declaration, ForceRequirement, Pledge, Summit

from . import builders as make
from .browser import ARTIFACTS, browser_test

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

pytestmark = browser_test


@pytest.fixture
def site(live_server, seeded, public, settings):
    """The live server's address written as 127.0.0.1, so "nothing outside 127.0.0.1" is literal.
    (The server binds an IPv4 socket to "localhost", i.e. 127.0.0.1.)"""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    url = urlsplit(live_server.url)
    return f"{url.scheme}://127.0.0.1:{url.port}"


@pytest.fixture
def page(new_context, site):
    """A page that records every request it makes, so a test can check where they went (and, as
    every page of `new_context`, fails the test if it logs a Content-Security-Policy violation)."""
    context = new_context(viewport=DESKTOP)
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

    expect(page).to_have_title(re.compile("^Overview"))
    expect(page.locator("svg.chart[role=img]")).to_have_count(7)
    eur_chart = page.locator("#chart-eur-by-state-title").locator("xpath=..")
    expect(eur_chart.locator("text.label", has_text="France")).to_be_visible()
    expect(eur_chart.locator("text.value", has_text="€2.0 bn")).to_be_visible()
    expect(eur_chart.locator("rect.bar")).to_have_count(1)
    euros = page.locator("dl.headline div", has_text="Euros pledged")
    expect(euros.locator(".figure")).to_have_text("€2.0 bn")
    troops = page.locator("dl.headline div", has_text="Troops pledged")
    expect(troops).to_contain_text("15,000–30,000 troops required")
    # The timeline draws a marker per meeting and dated declaration of the seed data, each a link
    # (the draft declaration's date is not reported, so it has no place on a time axis).
    expect(page.locator("svg.chart-timeline a")).to_have_count(8 + 4)
    # Every chart's figures are also in a table.
    france = page.get_by_role("table", name="Euros pledged by party").get_by_role("row", name=re.compile("^France"))
    expect(france.get_by_text("€2.0 bn")).to_be_visible()

    # The stylesheet was served (whitenoise in production, the live server's static handler here).
    assert any(url.endswith("dashboard.css") for url in page.requested)
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )
    screenshot(page, "overview")
    assert outside_this_server(page.requested) == []
    assert page.failed == []


def test_phone_width_needs_no_sideways_scrolling(page, site):
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
        "/instruments/",
    ):
        page.goto(site + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a phone"


def test_a_reader_goes_from_the_chart_to_the_pledge_and_its_sources(page, site):
    page.goto(site + "/")
    page.get_by_role("table", name="Euros pledged by party").get_by_role("link", name="France").click()
    page.wait_for_url(re.compile(r"/states/FR/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("France")

    page.get_by_role("link", name="French aid announcement of 2 billion euros").click()
    page.wait_for_url(re.compile(r"/pledges/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("French aid announcement of 2 billion euros")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("€2.0 bn")
    expect(facts).to_contain_text("2,000,000,000 EUR")

    # Every citation of the pledge, in order, each with its quote and its source; every status change.
    pledge = Pledge.objects.get(title="French aid announcement of 2 billion euros")
    citations = list(pledge.citations.select_related("source"))
    sources = page.locator("ol.citations > li")
    expect(sources).to_have_count(len(citations))
    expect(sources.locator("blockquote")).to_have_text([citation.quote for citation in citations])
    expect(sources.locator("cite")).to_have_text([citation.source.title for citation in citations])
    expect(page.locator("ol.status-timeline > li")).to_have_count(pledge.status_changes.count())
    screenshot(page, "pledge")

    page.goto(site + "/summits/")
    page.get_by_role("link", name=re.compile("leaders' summit, Paris, January 2026")).click()
    page.wait_for_url(re.compile(r"/summits/\d+/$"))
    counts = page.get_by_role("table", name="Reported counts per source")
    expect(counts.get_by_text("Exactly 35")).to_be_visible()
    expect(counts.get_by_text("Exactly 27")).to_be_visible()
    # Paris is the host ("taking place in the French capital"); no report names a chair or organiser.
    roles = page.locator("header dl.facts")
    expect(roles).to_contain_text("Hosted by")
    expect(roles).to_contain_text("France")
    expect(roles).not_to_contain_text("Chaired by")
    screenshot(page, "summit")
    assert outside_this_server(page.requested) == []


def test_filters_narrow_the_list_and_bad_input_is_explained(page, site):
    everything = Pledge.objects.count()
    matching = Pledge.objects.filter(status=Status.AGREED).count()
    assert 0 < matching < everything  # the seed data has agreed pledges and others, so the filter narrows
    page.goto(site + "/pledges/")
    results = page.locator("#results-title")
    expect(results).to_have_text(f"{everything} pledges")

    page.locator("summary", has_text="More filters").click()
    # No seed report supports a committed pledge (docs/data.md); agreed ones are a strict subset.
    page.locator("fieldset", has_text="Status").get_by_label("Agreed or endorsed", exact=False).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=agreed"))
    expect(results).to_have_text(re.compile(rf"^{matching} pledges? match(es)?$"))
    rows = page.locator("table.pledges tbody tr")
    expect(rows).to_have_count(matching)
    for index in range(matching):
        expect(rows.nth(index).locator("td").nth(3)).to_contain_text("Agreed")
    screenshot(page, "pledge-list-filtered")

    response = page.goto(site + "/pledges/?status=bogus&value_date_after=notadate")
    assert response.status == 400
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("bogus")
    expect(alert).to_contain_text(re.compile("date", re.IGNORECASE))
    assert outside_this_server(page.requested) == []


def test_a_reader_goes_from_the_overviews_instruments_to_an_instrument_and_who_spoke_about_it(page, site):
    """The seed's force requirement set against an instrument built here: one contribution in
    numbers, one in words, a status history, a lead and a statement by a named person."""
    force = make.instrument("browser-force", name="Multinational Force Ukraine (browser test)")
    make.instrument_party(force, "FR", InstrumentRole.LEAD, quote="led by France")
    make.move(force, InstrumentStatus.PROPOSED, make.DAY, note="Proposed in Paris.", quote="a force could be deployed")
    ForceRequirement.objects.filter(slug="multinational-force-size-2026").update(instrument=force)
    make.pledge(
        title="Five thousand troops", category=Category.TROOPS, troops_min=5000, troops_max=5000, contributes_to=force
    )
    make.pledge(title="Some troops", category=Category.TROOPS, quantity_text="some troops", contributes_to=force)
    speaker = make.person("browser-speaker", name="A Minister")
    make.post(holder=speaker, party="FR", title="Minister of the Armed Forces")
    make.statement(about=(force,), speaker=speaker, stance=Stance.QUALIFIES, quote="only after a ceasefire")

    page.goto(site + "/")
    instruments = page.locator("section#instruments")
    row = instruments.get_by_role("row", name=re.compile("^Multinational Force Ukraine"))
    expect(row).to_contain_text("Proposed")
    expect(row).to_contain_text("France")
    expect(row).to_contain_text("15,000–30,000 troops required; 5,000 troops contributed")
    expect(row).to_contain_text("1 troop contribution without a number")
    row.get_by_role("link", name="Multinational Force Ukraine (browser test)").click()
    page.wait_for_url(re.compile(r"/instruments/browser-force/$"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Multinational Force Ukraine (browser test)")
    expect(page.locator("header .byline")).to_have_text("Led by France")
    expect(page.locator("ol.status-timeline > li")).to_have_count(1)
    expect(page.locator("ol.status-timeline")).to_contain_text("a force could be deployed")
    # The requirement against the contributions that give a number, drawn and tabled.
    expect(page.locator("svg.chart[role=img]")).to_have_count(1)
    table = page.get_by_role("table", name="Troops: required and contributed")
    expect(table.get_by_role("row", name=re.compile("^Contributed in numbers"))).to_contain_text("5,000 troops")
    expect(table.get_by_role("row", name=re.compile("^Troop contributions without a number"))).to_contain_text("1")
    expect(table.get_by_role("row", name=re.compile("^Gap at the low end"))).to_contain_text("10,000 troops short")
    expect(page.locator("table.pledges tbody tr")).to_have_count(2)
    statement = page.locator("ol.statements > li")
    expect(statement).to_have_count(1)
    expect(statement).to_contain_text("Qualifies")
    expect(statement).to_contain_text("A Minister (Minister of the Armed Forces)")
    screenshot(page, "instrument")
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the instrument page is {overflow}px wider than a phone"
    page.set_viewport_size(DESKTOP)

    statement.get_by_role("link", name="A Minister").click()
    page.wait_for_url(re.compile(r"/people/browser-speaker/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("A Minister")
    expect(page.locator("ol.statements")).to_contain_text("only after a ceasefire")
    assert outside_this_server(page.requested) == []
    assert page.failed == []
