"""Settings come from the environment and refuse what they cannot understand."""

import os
import subprocess
import sys

import pytest

from .conftest import PROJECT_DIR

STRONG = "test-only-but-strong-enough-" + "k3y-" * 8  # 60 characters, many different
SQLITE = "sqlite:////tmp/settings-probe.sqlite3"
PROBE = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tracker.settings'); django.setup(); "


def run(env, code="print('ok')"):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "PUBLIC_READ")}
    return subprocess.run(
        [sys.executable, "-c", PROBE + code], cwd=PROJECT_DIR, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "TRUE!", "2"])
def test_debug_must_be_true_or_false(value):
    result = run({"DEBUG": value, "SECRET_KEY": STRONG})
    assert result.returncode != 0
    assert f"DEBUG={value!r} is not a boolean" in result.stderr


def test_development_needs_no_configuration_and_uses_sqlite():
    result = run({"DEBUG": "true"}, "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_database_url_and_lists_are_read():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['CONN_HEALTH_CHECKS'], s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.USE_TZ)"
    )
    result = run(
        {
            "SECRET_KEY": STRONG,
            "DATABASE_URL": "postgres://u@db:5432/tracker",
            "ALLOWED_HOSTS": "a.org, b.org",
            "CSRF_TRUSTED_ORIGINS": "https://a.org",
            "CONN_HEALTH_CHECKS": "false",
        },
        code,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "django.db.backends.postgresql tracker False ['a.org', 'b.org'] ['https://a.org'] True"
    )


def test_an_integer_setting_must_be_an_integer():
    result = run({"SECRET_KEY": STRONG, "DATABASE_URL": SQLITE, "CONN_MAX_AGE": "forever"})
    assert result.returncode != 0
    assert "CONN_MAX_AGE='forever' is not an integer" in result.stderr


@pytest.mark.parametrize(
    "key, reason",
    [
        ("short-key", "it has 9 characters; give at least 50"),
        ("a" * 60, "it has fewer than 5 different characters"),
        ("django-insecure-" + "x1y2z3" * 8, "one of Django's generated development keys"),
    ],
)
def test_production_refuses_a_weak_secret_key(key, reason):
    result = run({"DEBUG": "false", "SECRET_KEY": key, "DATABASE_URL": SQLITE})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for DEBUG off" in result.stderr and reason in result.stderr
    assert run({"DEBUG": "true", "SECRET_KEY": key}).returncode == 0  # development does not care


def test_production_refuses_to_fall_back_to_sqlite_silently():
    result = run({"DEBUG": "false", "SECRET_KEY": STRONG})
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    chosen = run({"DEBUG": "false", "SECRET_KEY": STRONG, "DATABASE_URL": SQLITE})
    assert chosen.returncode == 0, chosen.stderr
