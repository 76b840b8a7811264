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
