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
