"""docker-compose.yml and the settings agree on the environment; the Dockerfile does what compose expects."""

import re
import runpy

import pytest
import yaml
from django.conf import settings

from .conftest import PROJECT_DIR

COMPOSE = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (PROJECT_DIR / "tracker" / "settings.py").read_text()


def read_by_settings() -> set[str]:
    return set(re.findall(r"""(?:os\.environ\.get|env_bool|env_int|env_list)\(\s*"([A-Z_]+)\"""", SETTINGS_SOURCE))


def test_env_vars_lists_every_variable_the_settings_read():
    assert read_by_settings() == set(settings.ENV_VARS)


def test_every_variable_the_web_service_gets_is_read_by_the_settings():
    web_env = set(COMPOSE["services"]["web"]["environment"])
    assert web_env - set(settings.ENV_VARS) == set()


def test_the_web_service_gets_every_variable_production_needs():
    web_env = COMPOSE["services"]["web"]["environment"]
    assert set(settings.REQUIRED_IN_PRODUCTION) - set(web_env) == set()
    assert web_env["DEBUG"] == "false"
    assert web_env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in web_env["DATABASE_URL"]
    assert "?" in web_env["SECRET_KEY"], "SECRET_KEY must be required from the environment, never a default"


def test_compose_defaults_are_production_safe():
    """Plain HTTP and anonymous reads only when asked for (a local trial), never by default."""
    web_env = COMPOSE["services"]["web"]["environment"]
    assert web_env["HTTPS"] == "${HTTPS:-true}"
    assert web_env["PUBLIC_READ"] == "${PUBLIC_READ:-false}"
    assert "HTTPS=false PUBLIC_READ=true" in (PROJECT_DIR / "docker-compose.yml").read_text()


def test_postgres_16_with_a_pg_isready_healthcheck_that_web_waits_for():
    db, web = COMPOSE["services"]["db"], COMPOSE["services"]["web"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


def test_the_dockerfile_migrates_seeds_and_serves_with_gunicorn():
    """The container starts with bin/start-web (tests/test_seed.py runs it against a database)."""
    web = COMPOSE["services"]["web"]
    dockerfile = (PROJECT_DIR / web["build"]["dockerfile"]).read_text()
    assert dockerfile.split("CMD", 1)[1].strip() == '["sh", "bin/start-web"]'
    script = (PROJECT_DIR / "bin" / "start-web").read_text()
    assert script.index("manage.py migrate") < script.index("manage.py seed") < script.index("gunicorn tracker.wsgi")
    assert "collectstatic" in dockerfile
    assert "--config tracker/gunicorn.conf.py" in script


def gunicorn_config(monkeypatch, **env) -> dict:
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(PROJECT_DIR / "tracker" / "gunicorn.conf.py"))


def test_gunicorn_serves_with_gthread_workers_whose_timeout_does_not_cut_a_long_export(monkeypatch):
    """A sync worker is killed `timeout` seconds into any request, a streamed export included
    (tests/test_exports_gunicorn.py runs both for real)."""
    config = gunicorn_config(monkeypatch)
    assert config["worker_class"] == "gthread" and config["threads"] > 1
    assert (config["bind"], config["workers"], config["timeout"]) == ("0.0.0.0:8000", 3, 30)
    config = gunicorn_config(monkeypatch, PORT="9000", WEB_CONCURRENCY="5", GUNICORN_THREADS="8", GUNICORN_TIMEOUT="90")
    assert (config["bind"], config["workers"], config["threads"], config["timeout"]) == ("0.0.0.0:9000", 5, 8, 90)


@pytest.mark.parametrize("value", ["many", "0", "-3", "2.5"])
def test_a_gunicorn_setting_that_is_not_a_positive_whole_number_stops_the_start(monkeypatch, value):
    with pytest.raises(SystemExit, match="GUNICORN_TIMEOUT"):
        gunicorn_config(monkeypatch, GUNICORN_TIMEOUT=value)


def test_healthz_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
