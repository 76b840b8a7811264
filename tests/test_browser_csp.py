"""The Content-Security-Policy in Chromium: every kind of page an analyst or a reader opens (the admin
pages the analysts use, the public pages, the browsable API, the API documentation) loads and runs
under it without a violation; and the watch that says so does catch what the policy refuses."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from commitments import exports
from commitments.models import Declaration, Instrument, Person, Pledge, Source, Summit

from . import builders as make
from .browser import browser_test, settle

pytestmark = browser_test


@pytest.fixture
def site(live_server, settings, transactional_db):
    # Production cookies are Secure; the live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    call_command("seed", verbosity=0)
    make.user("ana", "Analyst", password=make.PASSWORD)
    return live_server.url


def visit(page, url):
    """Go to `url` (or, given None, stay on the page an action led to) and check that the page
    logged no violation, naming it if it did."""
    if url is not None:
        page.goto(url)
    settle(page)
    assert page.context.csp_violations == [], f"{page.url} broke the policy"


def edited_pledges_csv() -> dict:
    """The pledge export with one figure changed: a file the import page previews."""
    rows = list(csv.DictReader(io.StringIO("".join(exports.pledge_csv_chunks()), newline="")))
    rows[0]["troops_min"] = "1234"
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return {"name": "pledges.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}


def test_the_analysts_admin_pages_break_no_rule(new_context, site):
    pledge = Pledge.objects.get(title=make.FRENCH_PLEDGE)
    admin = f"{site}/admin/commitments/pledge/"
    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()

    visit(page, f"{site}/admin/login/?next=/admin/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", make.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    visit(page, None)

    # The list: search, a filter, a row selected for an action (the admin's actions script).
    visit(page, f"{admin}?q=billion")
    visit(page, f"{admin}?status__exact=announced")
    page.locator("#result_list tbody input.action-select").first.check()
    expect(page.locator(".action-counter")).to_contain_text("1 of")
    page.select_option("select[name=action]", "change_status_action")
    page.click("button[name=index]")
    expect(page.locator("#selected-records li")).to_have_count(1)
    visit(page, None)

    # The change form with its inlines and autocomplete widgets; a new row added to an inline.
    visit(page, f"{admin}{pledge.pk}/change/")
    page.locator(".add-row a").first.click()
    visit(page, None)
    visit(page, f"{admin}add/")

    # Change status: the autocomplete for the source and the calendar for the date.
    visit(page, f"{admin}{pledge.pk}/change-status/")
    page.click(".field-source .select2-selection")
    page.fill(".select2-search__field", "meets in Paris")
    expect(page.locator(".select2-results__option", has_text="meets in Paris")).to_be_visible()
    page.keyboard.press("Escape")
    page.locator(".field-effective_date .datetimeshortcuts a").last.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    visit(page, None)

    # History, where simple-history's one style attribute is admitted by its hash, and no other.
    visit(page, f"{admin}{pledge.pk}/history/")
    assert page.evaluate("getComputedStyle(document.querySelector('p.paginator')).borderTopWidth") == "0px"
    page.locator("#change-history tbody a").first.click()
    visit(page, None)

    # CSV import: the upload form, then the preview of a changed file.
    visit(page, f"{admin}import/")
    page.set_input_files("input[type=file]", edited_pledges_csv())
    page.click("input[type=submit][value=Preview]")
    expect(page.locator("#import-summary")).to_contain_text("1 changed")
    visit(page, None)
    visit(page, f"{admin}deleted/")


def test_the_public_pages_break_no_rule(new_context, site):
    page = new_context().new_page()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", make.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    for path in (
        "/",
        "/pledges/",
        "/pledges/?status=agreed",
        f"/pledges/{Pledge.objects.get(title=make.FRENCH_PLEDGE).pk}/",
        "/instruments/",
        f"/instruments/{Instrument.objects.first().slug}/",
        "/summits/",
        f"/summits/{Summit.objects.first().pk}/",
        "/declarations/",
        f"/declarations/{Declaration.objects.first().pk}/",
        "/states/",
        "/states/FR/",
        f"/people/{Person.objects.first().slug}/",
        "/sources/",
        "/sources/?kind=bogus",  # the 400 page with its messages
        f"/sources/{Source.objects.first().key}/",
        "/data/",
        "/changes/",
        "/search/?q=France",
        "/search/?q=" + "x" * 201,  # the 400 page with its message
    ):
        visit(page, site + path)
    # The favicon is this server's (a data: URL would be refused).
    assert page.evaluate("document.querySelector('link[rel=icon]').href").startswith(f"{site}/static/")


def test_the_browsable_api_and_the_api_documentation_break_no_rule(new_context, site):
    pledge = Pledge.objects.get(title=make.FRENCH_PLEDGE)
    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", make.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    for path in ("/api/", "/api/changes/", f"/api/pledges/{pledge.pk}/", "/api/pledges/"):
        visit(page, site + path)
    # DRF's one style attribute (here on the Filters button) is admitted by its hash, so it applies.
    filters = page.get_by_role("button", name="Filters")
    assert filters.evaluate("button => getComputedStyle(button).float") == "right"
    filters.click()
    expect(page.locator("#filtersModal")).to_be_visible()
    visit(page, None)

    # Swagger UI: its start-up script is a file, and it can call the API from the page.
    visit(page, f"{site}/api/docs/")
    operation = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/$")))
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    visit(page, None)

    # Redoc cannot run under the policy (see commitments/api/urls.py): its address leads to Swagger UI.
    page.goto(f"{site}/api/redoc/")
    page.wait_for_url(re.compile(r"/api/docs/$"))
    visit(page, None)


def test_the_watch_catches_what_the_policy_refuses(new_context, site):
    """A real page, with its real header, given an inline script, a style attribute and a data:
    image on the way to the browser: none of them runs or loads, and the watch reports each one."""
    context = new_context()
    page = context.new_page()

    def inject(route):
        response = route.fetch()
        body = response.text().replace(
            "</main>",
            '<script>window.injected = true;</script><p id="styled" style="color: rgb(255, 0, 0)">x</p>'
            '<img alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main>',
        )
        route.fulfill(response=response, body=body)

    page.route(f"{site}/", inject)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", make.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{site}/")
    settle(page)

    assert page.evaluate("window.injected") is None
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
    reported = "\n".join(context.csp_violations)
    for directive in ("script-src-elem", "style-src-attr", "img-src"):
        assert f": {directive} blocked" in reported, reported
    assert "console:" in reported  # Chromium's own line is heard as well as the DOM event
    context.csp_violations.clear()  # expected here; the fixture fails the test on any other
