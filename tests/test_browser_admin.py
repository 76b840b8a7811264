"""The analysts' admin in a real browser (Playwright driving Debian's Chromium): find France's
EUR 2 billion pledge, change its status with a source, see it in History; two analysts editing
the same pledge; a Viewer sees no Save button. Screenshots go to test-artifacts/ (not committed)."""

import re

import pytest
from django.core.management import call_command

from commitments.models import Pledge

from . import admin_data as data
from .browser import ARTIFACTS, browser_test

pytestmark = browser_test


@pytest.fixture
def site(live_server, settings):
    # Production cookies are Secure; the live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


def log_in(browser, site, username):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{site}/admin/login/?next=/admin/commitments/pledge/")
    page.fill("#id_username", username)
    page.fill("#id_password", data.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/commitments/pledge/$"))
    return context, page


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def test_analyst_finds_the_french_pledge_changes_its_status_and_sees_it_in_history(browser, site, transactional_db):
    call_command("seed", verbosity=0)
    pledge = Pledge.objects.get(title=data.FRENCH_PLEDGE)
    assert (pledge.amount, pledge.currency, list(pledge.pledgers.values_list("code", flat=True))) == (
        2_000_000_000,
        "EUR",
        ["FR"],
    )
    data.user("ana", "Analyst")
    context, page = log_in(browser, site, "ana")

    page.fill("#searchbar", "2 billion")
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 1
    assert "€2.0 bn" in page.inner_text("#result_list")
    shot(page, "1-search")
    page.click(f"#result_list a:text('{data.FRENCH_PLEDGE}')")

    page.click("a.changestatuslink")
    page.select_option("select[name=status]", "in_implementation")
    page.fill("input[name=effective_date]", "01/04/2025")
    page.fill("textarea[name=note]", "First tranche reported as paid")
    page.click(".field-source .select2-selection")
    page.fill(".select2-search__field", "meets in Paris")
    page.click(".select2-results__option:has-text('meets in Paris')")
    shot(page, "2-change-status")
    page.click("input[name=apply]")

    page.wait_for_selector(".messagelist .success")
    assert "Status changed to “In implementation" in page.inner_text(".messagelist")
    assert "First tranche reported as paid" in page.inner_text("body")  # the status history inline
    page.click("a.historylink")
    history = page.inner_text("#change-history")
    assert "Status:" in history and "Announced" in history and "In implementation" in history
    assert "ana" in history
    shot(page, "3-history")
    context.close()

    pledge.refresh_from_db()
    assert pledge.status == "in_implementation"
    assert pledge.status_changes.latest().source.key == "seed-001-cow-meets-in-paris-march-2025"


def test_second_analyst_gets_the_differences_and_keeps_their_input(browser, site, transactional_db):
    pledge = data.french_pledge()
    data.user("ana", "Analyst")
    data.user("bob", "Analyst")
    url = f"{site}/admin/commitments/pledge/{pledge.pk}/change/"
    ana_context, ana = log_in(browser, site, "ana")
    bob_context, bob = log_in(browser, site, "bob")
    ana.goto(url)
    bob.goto(url)

    ana.fill("#id_title", "French aid: EUR 2 billion")
    ana.click("input[name=_save]")
    ana.wait_for_selector(".messagelist .success")

    bob.fill("#id_description", "Bob's reading of the speech")
    bob.click("input[name=_save]")
    bob.wait_for_selector(".errornote")
    errors = bob.inner_text(".errorlist.nonfield")
    assert "was changed by ana" in errors
    assert "Title: now French aid: EUR 2 billion; yours: French aid announcement of 2 billion euros." in errors
    assert bob.input_value("#id_description") == "Bob's reading of the speech"
    shot(bob, "4-lost-edit-caught")

    bob.click("input[name=_save]")  # having seen the differences, Bob overwrites deliberately
    bob.wait_for_selector(".messagelist .success")
    ana_context.close()
    bob_context.close()
    pledge.refresh_from_db()
    assert pledge.description == "Bob's reading of the speech"


def test_viewer_sees_no_save_button(browser, site, transactional_db):
    pledge = data.french_pledge()
    data.user("vic", "Viewer")
    context, page = log_in(browser, site, "vic")
    page.goto(f"{site}/admin/commitments/pledge/{pledge.pk}/change/")
    assert data.FRENCH_PLEDGE in page.inner_text("#content")
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("input[name=_continue]").count() == 0
    assert page.locator("a.changestatuslink").count() == 0
    shot(page, "5-viewer")
    context.close()
