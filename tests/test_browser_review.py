"""The review queue in a real browser (Playwright driving Debian's Chromium): with review on, an
analyst edits a pledge's title and is told it waits for review; the public page still shows the
old title; a reviewer opens the Revisions queue, sees the field diff, approves; the public page
shows the new title. No page logs a Content-Security-Policy violation (`new_context`)."""

import re

import pytest
from playwright.sync_api import expect

from commitments.models import Revision

from . import builders as make
from .browser import ARTIFACTS, browser_test
from .test_browser_admin import log_in

pytestmark = browser_test

NEW_TITLE = "France's EUR 2 billion for Ukraine, reviewed"


@pytest.fixture
def site(live_server, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.REVIEW_REQUIRED = True
    settings.PUBLIC_READ = True
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


def test_an_analysts_edit_is_approved_from_the_queue_and_then_public(new_context, site, transactional_db):
    pledge = make.french_pledge()
    make.user("ana", "Analyst", password=make.PASSWORD)
    make.user("rita", "Reviewer", password=make.PASSWORD)

    context, page = log_in(new_context, site, "ana")
    page.goto(f"{site}/admin/commitments/pledge/{pledge.pk}/change/")
    page.fill("input[name=title]", NEW_TITLE)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("Saved for review as revision #")
    expect(page.locator(".messagelist .warning")).to_contain_text("Pending revision")
    page.screenshot(path=str(ARTIFACTS / "review-1-saved.png"), full_page=True)
    public = context.new_page()
    public.goto(f"{site}/pledges/{pledge.pk}/")
    expect(public.locator("body")).to_contain_text(make.FRENCH_PLEDGE)
    expect(public.locator("body")).not_to_contain_text(NEW_TITLE)
    context.close()

    context, page = log_in(new_context, site, "rita")
    page.goto(f"{site}/admin/commitments/revision/")
    revision = Revision.objects.get()
    page.click(f"#result_list a:text('#{revision.pk}')")
    page.wait_for_url(re.compile(rf"/admin/commitments/revision/{revision.pk}/change/$"))
    diff = page.locator("table.revision-diff")
    expect(diff).to_contain_text(make.FRENCH_PLEDGE)  # the title when proposed (and published now)
    expect(diff).to_contain_text(NEW_TITLE)  # the proposed one
    page.screenshot(path=str(ARTIFACTS / "review-2-diff.png"), full_page=True)
    page.fill("textarea[name=decision_comment]", "Checked against the source")
    page.click("input[name=_approve]")
    expect(page.locator(".messagelist .success")).to_contain_text(f"Revision #{revision.pk} approved and published")

    public = context.new_page()
    public.goto(f"{site}/pledges/{pledge.pk}/")
    expect(public.locator("body")).to_contain_text(NEW_TITLE)
    context.close()
