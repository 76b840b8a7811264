import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def seed_dir() -> Path:
    return Path(os.environ.get("SEED_DIR") or PROJECT_DIR.parent / "shared" / "seeds")


@pytest.fixture
def seeded(db):
    """The database after `manage.py seed`."""
    from django.core.management import call_command

    call_command("seed", verbosity=0)


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
    from .browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
    # one unless told the caller knows what it does (the tests' ORM calls are outside page actions).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
