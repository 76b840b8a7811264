"""docker-compose.yml's topology (docs/deploy.md): PostgreSQL, Redis, migrations run once, two web
replicas behind the nginx proxy of deploy/nginx.conf, and the worker, all from one image and one
environment. Checked as parsed YAML (and by `docker compose config` where Docker Compose is installed)."""

import os
import re
import shutil
import subprocess

import pytest
import yaml

from tracker.settings import cache_settings

from .conftest import PROJECT_DIR

COMPOSE = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
NGINX = (PROJECT_DIR / "deploy" / "nginx.conf").read_text()


def test_the_services():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "proxy"}


def test_web_worker_and_migrate_run_one_image_with_one_environment():
    app = [SERVICES[name] for name in ("migrate", "web", "worker")]
    assert all(service["build"] == app[0]["build"] and service["image"] == app[0]["image"] for service in app)
    assert app[0]["environment"] == app[1]["environment"] == app[2]["environment"]
    assert "x-app" in COMPOSE and COMPOSE["x-app"]["environment"] is not None


def test_migrations_run_once_before_any_replica_or_the_worker_starts():
    migrate = SERVICES["migrate"]
    command = " ".join(migrate["command"])
    assert "manage.py migrate" in command and command.index("migrate --no-input") < command.index("manage.py seed")
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in " ".join(SERVICES[name]["command"])


def test_two_web_replicas_serve_with_gunicorn_and_only_the_proxy_is_published():
    web = SERVICES["web"]
    assert web["deploy"]["replicas"] == 2
    assert web["command"][:2] == ["gunicorn", "tracker.wsgi:application"]
    assert "--config" in web["command"] and "tracker/gunicorn.conf.py" in web["command"]
    assert "ports" not in web, "two replicas cannot publish one port: the proxy does"
    assert SERVICES["proxy"]["ports"] == ["8000:80"]
    assert SERVICES["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_worker_runs_the_task_queue():
    assert SERVICES["worker"]["command"] == ["python", "manage.py", "db_worker", "--no-reload"]


def test_redis_is_the_shared_cache_and_keeps_nothing_on_disk():
    redis = SERVICES["redis"]
    assert redis["image"].startswith("redis:7")
    command = redis["command"]
    assert command[command.index("--save") + 1] == "" and command[command.index("--appendonly") + 1] == "no"
    env = SERVICES["web"]["environment"]
    assert cache_settings(env["CACHE_URL"], "tracker")["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert "@redis:6379" in env["CACHE_URL"] or "//redis:6379" in env["CACHE_URL"]
    assert SERVICES["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert env["NUM_PROXIES"] == "${NUM_PROXIES:-1}", "the proxy's X-Forwarded-For names the client"


def test_the_proxy_config_balances_over_the_web_replicas_and_forwards_who_asked():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    upstream = re.search(r"upstream (\w+) \{(.*?)\}", NGINX, re.S)
    assert upstream, "an upstream block"
    name, body = upstream.groups()
    assert re.search(r"server web:8000 resolve\b", body), "every replica of `web`, re-resolved as they change"
    assert f"proxy_pass http://{name};" in NGINX
    assert "resolver 127.0.0.11" in NGINX  # Docker's DNS
    for header in ("Host $http_host", "X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto"):
        assert f"proxy_set_header {header}" in NGINX
    assert "/proxy-health" in " ".join(proxy["healthcheck"]["test"]) and "location = /proxy-health" in NGINX


@pytest.mark.skipif(not shutil.which("docker"), reason="Docker is not installed")
def test_docker_compose_accepts_the_file():
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("Docker Compose (the `docker compose` plugin) is not installed")
    env = {**os.environ, "SECRET_KEY": "x" * 50, "POSTGRES_PASSWORD": "test"}
    result = subprocess.run(
        ["docker", "compose", "-f", str(PROJECT_DIR / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
