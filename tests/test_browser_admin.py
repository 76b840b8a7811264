"""The analysts' admin in a real browser (Playwright driving Debian's Chromium): find France's
EUR 2 billion pledge, change its status with a source, see it in History; two analysts editing
the same pledge; a Viewer sees no Save button. No page logs a Content-Security-Policy violation
(the `new_context` fixture). Screenshots go to test-artifacts/ (not committed)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from commitments.models import Pledge

from . import builders as make
from .browser import ARTIFACTS, browser_test

pytestmark = browser_test


@pytest.fixture
def site(live_server, settings):
    # Production cookies are Secure; the live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


def log_in(new_context, site, username):
    context = new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{site}/admin/login/?next=/admin/commitments/pledge/")
    page.fill("#id_username", username)
    page.fill("#id_password", make.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/commitments/pledge/$"))
    return context, page


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def test_analyst_finds_the_french_pledge_changes_its_status_and_sees_it_in_history(new_context, site, transactional_db):
    call_command("seed", verbosity=0)
    pledge = Pledge.objects.get(title=make.FRENCH_PLEDGE)
    assert (pledge.amount, pledge.currency, list(pledge.pledgers.values_list("code", flat=True))) == (
        2_000_000_000,
        "EUR",
        ["FR"],
    )
    make.user("ana", "Analyst", password=make.PASSWORD)
    context, page = log_in(new_context, site, "ana")

    page.fill("#searchbar", "2 billion")
    page.press("#searchbar", "Enter")
    # The unsearched list has a #result_list too: wait for the search's own page.
    page.wait_for_url(re.compile(r"[?&]q=2\+billion"))
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("€2.0 bn")
    shot(page, "1-search")
    page.click(f"#result_list a:has-text('{make.FRENCH_PLEDGE}')")

    page.click("a.changestatuslink")
    page.select_option("select[name=status]", "in_implementation")
    page.fill("input[name=effective_date]", "01/04/2025")
    page.fill("textarea[name=note]", "First tranche reported as paid")
    page.click(".field-source .select2-selection")
    page.fill(".select2-search__field", "meets in Paris")
    page.click(".select2-results__option:has-text('meets in Paris')")
    shot(page, "2-change-status")
    page.click("input[name=apply]")

    expect(page.locator(".messagelist .success")).to_contain_text("Status changed to “In implementation")
    expect(page.locator("body")).to_contain_text("First tranche reported as paid")  # the status history inline
    page.click("a.historylink")
    history = page.locator("#change-history")
    for text in ("Status:", "Announced", "In implementation", "ana"):
        expect(history).to_contain_text(text)
    shot(page, "3-history")
    context.close()

    pledge.refresh_from_db()
    assert pledge.status == "in_implementation"
    assert pledge.status_changes.latest().source.key == "seed-001-cow-meets-in-paris-march-2025"


def test_second_analyst_gets_the_differences_and_keeps_their_input(new_context, site, transactional_db):
    pledge = make.french_pledge()
    make.user("ana", "Analyst", password=make.PASSWORD)
    make.user("bob", "Analyst", password=make.PASSWORD)
    url = f"{site}/admin/commitments/pledge/{pledge.pk}/change/"
    ana_context, ana = log_in(new_context, site, "ana")
    bob_context, bob = log_in(new_context, site, "bob")
    ana.goto(url)
    bob.goto(url)

    ana.fill("#id_title", "French aid: EUR 2 billion")
    ana.click("input[name=_save]")
    expect(ana.locator(".messagelist .success")).to_be_visible()

    bob.fill("#id_description", "Bob's reading of the speech")
    bob.click("input[name=_save]")
    expect(bob.locator(".errornote")).to_be_visible()
    errors = bob.locator(".errorlist.nonfield")
    expect(errors).to_contain_text("was changed by ana")
    expect(errors).to_contain_text(
        "Title: now French aid: EUR 2 billion; yours: French aid announcement of 2 billion euros."
    )
    expect(bob.locator("#id_description")).to_have_value("Bob's reading of the speech")
    shot(bob, "4-lost-edit-caught")

    bob.click("input[name=_save]")  # having seen the differences, Bob overwrites deliberately
    expect(bob.locator(".messagelist .success")).to_be_visible()
    ana_context.close()
    bob_context.close()
    pledge.refresh_from_db()
    assert pledge.description == "Bob's reading of the speech"


def test_viewer_sees_no_save_button(new_context, site, transactional_db):
    pledge = make.french_pledge()
    make.user("vic", "Viewer", password=make.PASSWORD)
    context, page = log_in(new_context, site, "vic")
    page.goto(f"{site}/admin/commitments/pledge/{pledge.pk}/change/")
    # The pledge's page first, so that the absent buttons below are absent from it.
    expect(page.locator("#content")).to_contain_text(make.FRENCH_PLEDGE)
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(page.locator("input[name=_continue]")).to_have_count(0)
    expect(page.locator("a.changestatuslink")).to_have_count(0)
    shot(page, "5-viewer")
    context.close()
