"""The analysts' admin on a laptop (1366×768), a desktop (1920×1080) and a phone (390×844), on the
seeded data (32 pledges): the pledge list shows at least 15 rows with its key columns inside the
window, without scrolling sideways; the change form's citations fit its width. Screenshots of the
list and the form go to test-artifacts/ (admin-changelist-1366x768.png, …)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from commitments.models import Pledge

from . import builders as make
from .browser import ARTIFACTS, browser_test

pytestmark = browser_test

# The columns an analyst scans: header class of each (Django's "column-<name>").
KEY_COLUMNS = ["pledge_title", "pledgers_list", "category_label", "status_label", "status_changed_on", "quantity"]
LAPTOP = {"width": 1366, "height": 768}
DESKTOP = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(live_server, settings, transactional_db):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    ARTIFACTS.mkdir(exist_ok=True)
    call_command("seed", verbosity=0)
    make.user("ana", "Analyst", password=make.PASSWORD)
    return live_server.url


def log_in(new_context, site, viewport):
    context = new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{site}/admin/login/?next=/admin/commitments/pledge/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", make.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/commitments/pledge/$"))
    return page


def size(viewport) -> str:
    return f"{viewport['width']}x{viewport['height']}"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def inside_window(box, viewport) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5


@pytest.mark.parametrize("viewport", [LAPTOP, DESKTOP], ids=size)
def test_pledge_list_shows_fifteen_rows_with_the_key_columns(new_context, site, viewport):
    page = log_in(new_context, site, viewport)
    expect(page.locator("#result_list tbody tr")).to_have_count(Pledge.objects.count())
    page.screenshot(path=str(ARTIFACTS / f"admin-changelist-{size(viewport)}.png"))
    assert no_sideways_scroll(page)
    for column in KEY_COLUMNS:
        header = page.locator(f"#result_list thead th.column-{column}")
        assert inside_window(header.bounding_box(), viewport), column
    # Rows whose title cell is wholly inside the window, as first shown (no scrolling).
    visible = page.evaluate(
        """() => [...document.querySelectorAll('#result_list tbody tr')].filter(row => {
             const box = row.getBoundingClientRect();
             return box.top >= 0 && box.bottom <= window.innerHeight;
           }).length"""
    )
    assert visible >= 15, f"{visible} rows on screen"
    # Short status labels, the full text as the cell's title.
    cell = page.locator("#result_list tbody td.field-status_label span[title]").first
    assert " (" not in cell.inner_text()
    assert cell.get_attribute("title")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=size)
def test_screenshots_of_the_list_and_the_change_form(new_context, site, viewport):
    page = log_in(new_context, site, viewport)
    page.screenshot(path=str(ARTIFACTS / f"admin-changelist-{size(viewport)}.png"))
    pledge = Pledge.objects.get(title=make.FRENCH_PLEDGE)
    page.goto(f"{site}/admin/commitments/pledge/{pledge.pk}/change/")
    expect(page.locator("#citations-group")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"admin-change-form-{size(viewport)}.png"), full_page=True)
    if viewport is LAPTOP:
        assert no_sideways_scroll(page)
        # The inline's last columns, Attribution and Delete, inside the window without scrolling sideways.
        for cell in ("thead th.column-attribution", "thead th:last-child"):
            header = page.locator(f"#citations-group {cell}").first
            header.scroll_into_view_if_needed()
            assert inside_window(header.bounding_box(), viewport), cell


def test_the_filtered_list_is_kept_after_the_bulk_status_action(new_context, site):
    page = log_in(new_context, site, LAPTOP)
    page.goto(f"{site}/admin/commitments/pledge/?pledgers__id__exact={france().pk}")
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    shown = rows.count()
    page.check("#action-toggle")
    page.select_option("select[name=action]", "change_status_action")
    page.click("button[name=index]")
    page.select_option("select[name=status]", "stalled")
    page.fill("input[name=effective_date]", "01/11/2026")
    page.fill("textarea[name=note]", "No news of it since the summit")
    page.click(".field-source .select2-selection")
    page.fill(".select2-search__field", "meets in Paris")
    page.click(".select2-results__option:has-text('meets in Paris')")
    page.click("input[name=apply]")
    expect(page.locator(".messagelist .success")).to_contain_text("Status changed to “Stalled”")
    assert f"pledgers__id__exact={france().pk}" in page.url
    expect(rows).to_have_count(shown)
    expect(page.locator("#changelist-filter")).to_contain_text("France")


def france():
    from commitments.models import State

    return State.objects.get(code="FR")
