import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def seed_dir() -> Path:
    return Path(os.environ.get("SEED_DIR") or PROJECT_DIR.parent / "shared" / "seeds")


# For tests that read the seed reports: skipped, saying why, where the folder is absent.
needs_seeds = pytest.mark.skipif(
    not seed_dir().is_dir(),
    reason=f"seed reports not found at {seed_dir()} (set SEED_DIR); quotes cannot be checked against them",
)


@pytest.fixture
def seeded(db):
    """The database after `manage.py seed`."""
    from django.core.management import call_command

    call_command("seed", verbosity=0)


# Records and accounts from tests/builders.py (imported in the fixtures: Django is set up by then).


@pytest.fixture(autouse=True)
def review_off(settings):
    """REVIEW_REQUIRED off unless a test turns it on (the `review_on` fixture): the suite's tests of
    direct publication predate review; tests/test_review*.py switch it on."""
    settings.REVIEW_REQUIRED = False


@pytest.fixture
def review_on(settings):
    """REVIEW_REQUIRED on: a user's edit waits for a reviewer (docs/review.md)."""
    settings.REVIEW_REQUIRED = True


@pytest.fixture
def reviewer(db):
    """A staff account in the Reviewer role, named "rita"."""
    from .builders import user

    return user("rita", "Reviewer")


@pytest.fixture
def public(settings):
    """PUBLIC_READ on: anyone may read the pages, the API and the exports."""
    settings.PUBLIC_READ = True


@pytest.fixture
def register(db) -> dict:
    """The export and import tests' register (builders.register)."""
    from .builders import register

    return register()


@pytest.fixture
def world(db) -> dict:
    """The public pages' small register (builders.world)."""
    from .builders import world

    return world()


@pytest.fixture
def analyst(db):
    """A staff account in the Analyst role, named "ana"."""
    from .builders import user

    return user("ana", "Analyst")


@pytest.fixture
def viewer(db):
    """A staff account in the Viewer role, named "vic"."""
    from .builders import user

    return user("vic", "Viewer")


@pytest.fixture
def superuser(db):
    """A superuser named "root"."""
    from .builders import user

    return user("root", superuser=True)


@pytest.fixture
def analyst_client(client, analyst):
    """The test client (`client`), signed in as the analyst."""
    client.force_login(analyst)
    return client


@pytest.fixture
def viewer_client(viewer):
    """A test client of its own, signed in as the viewer."""
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(viewer)
    return signed_in


@pytest.fixture
def superuser_client(superuser):
    """A test client of its own, signed in as the superuser."""
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(superuser)
    return signed_in


def pytest_configure(config):
    # Production serves hashed files collected by `collectstatic`; tests serve them from the apps.
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright, for the browser tests (tests/browser.py)."""
    from .browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, MISSING, TIMEOUT_MS

    if not CHROMIUM.exists():
        pytest.fail(f"REQUIRE_BROWSER is set and {MISSING}.")

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
    # one unless told the caller knows what it does (the tests' ORM calls are outside page actions).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Makes browser contexts (`new_context(viewport=…)`) whose pages are watched for
    Content-Security-Policy violations (tests/browser.py); each context's list is its
    `csp_violations`. Whatever the test asserts, it fails (at teardown) if any page logged one."""
    from .browser import TIMEOUT_MS, watch_for_csp_violations

    made = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.csp_violations = watch_for_csp_violations(context)
        made.append(context)
        return context

    yield make
    for context in made:
        for page in context.pages:
            settle_quietly(page)
        context.close()
    violations = [violation for context in made for violation in context.csp_violations]
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


def settle_quietly(page) -> None:
    """settle() for the end of a test, where a page the test left mid-navigation is no failure."""
    from playwright.sync_api import Error

    from .browser import settle

    try:
        settle(page)
    except Error:
        pass


def pytest_terminal_summary(terminalreporter):
    """Browser tests skipped for want of Chromium are said loudly at the end, not left as a line
    of 's' in the progress dots."""
    from .browser import MISSING

    skipped = [r for r in terminalreporter.stats.get("skipped", []) if MISSING in str(r.longrepr)]
    if skipped:
        terminalreporter.section("BROWSER TESTS NOT RUN", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(skipped)} browser tests were SKIPPED: {MISSING}; then run `make test` again.",
            red=True,
            bold=True,
        )
