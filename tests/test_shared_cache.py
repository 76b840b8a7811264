"""The shared cache (CACHE_URL): API throttles hold across processes through Redis, and only
through it; a Redis that does not answer lets requests through within seconds instead of failing
them; the deep health check reports it; CACHE_URL is parsed strictly.

Redis comes from the machine (127.0.0.1:6379, database 15), or is started for the session when
`redis-server` is installed; otherwise these tests are skipped, unless REQUIRE_REDIS is set (CI,
.ci/run), which makes a missing Redis a failure. Every key these tests write carries a prefix of
this session's own, deleted before and after: the test workers of one run (pytest-xdist) share the
database, and one's FLUSHDB would reset another's counts mid-test."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
from django.core.cache import cache

from commitments import caching

from .conftest import PROJECT_DIR
from .test_settings import SQLITE, STRONG, run

REQUIRED = os.environ.get("REQUIRE_REDIS", "").lower() in ("1", "true", "yes", "on")
TEST_DB = 15


def ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# This session's keys: CACHE_KEY_PREFIX values start with it.
PREFIX = f"test{uuid.uuid4().hex[:12]}"


def flush(url: str) -> None:
    """Delete this session's keys (and only those)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2)
    for key in client.scan_iter(match=f"{PREFIX}*"):
        client.delete(key)


@pytest.fixture(scope="session")
def redis_url():
    """The URL of a Redis database only these tests use."""
    server = folder = None
    if ping(6379):
        url = f"redis://127.0.0.1:6379/{TEST_DB}"
    elif shutil.which("redis-server"):
        port, folder = free_port(), tempfile.mkdtemp(prefix="test-redis-")
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not ping(port):
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"redis-server did not answer on port {port} within 10 seconds")
            time.sleep(0.05)
        url = f"redis://127.0.0.1:{port}/{TEST_DB}"
    else:
        reason = "Redis is not running and redis-server is not installed: apt-get install redis-server"
        if REQUIRED:
            pytest.fail(f"REQUIRE_REDIS is set and {reason}")
        pytest.skip(reason)
    flush(url)
    try:
        yield url
    finally:
        flush(url)
        if server is not None:
            server.terminate()
            server.wait(10)
            shutil.rmtree(folder, ignore_errors=True)


# One process: N anonymous API requests from one address through the real throttle (the API's
# throttle classes, the settings' rates and cache), each as DRF makes it, a new throttle a request.
CLIENT = """
import django, json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()
from django.test import RequestFactory
from rest_framework.request import Request
from commitments.api.throttling import AnonThrottle
start_at, attempts = float(sys.argv[1]), int(sys.argv[2])
time.sleep(max(start_at - time.time(), 0))
answers = []
for _ in range(attempts):
    request = Request(RequestFactory().get("/api/states/", REMOTE_ADDR="198.51.100.7"))
    throttle = AnonThrottle()
    answers.append(200 if throttle.allow_request(request, None) else 429)
print(json.dumps(answers))
"""


def two_processes(env: dict, attempts: int = 4) -> list[list[int]]:
    """Two separate Python processes, each making `attempts` requests at the same moment."""
    environment = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "API_THROTTLE_ANON")}
    environment.update({"CACHE_KEY_PREFIX": PREFIX, **env})
    start_at = str(time.time() + 3)  # both set up Django first, then start together
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, start_at, str(attempts)],
            cwd=PROJECT_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    answers = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        answers.append(json.loads(out))
    return answers


def test_a_throttle_is_shared_by_two_processes_through_redis(redis_url):
    answers = two_processes({"CACHE_URL": redis_url, "API_THROTTLE_ANON": "4/min"})
    together = answers[0] + answers[1]
    assert together.count(200) == 4, answers
    assert together.count(429) == 4, answers


def test_without_a_shared_cache_each_process_counts_alone():
    """The local-memory default: each process lets the whole rate through (what CACHE_URL fixes)."""
    answers = two_processes({"API_THROTTLE_ANON": "4/min"})
    assert answers == [[200, 200, 200, 200], [200, 200, 200, 200]]


def test_two_deployments_sharing_one_redis_count_apart(redis_url):
    """CACHE_KEY_PREFIX: one deployment's clients do not use up another's rate."""
    first = two_processes(
        {"CACHE_URL": redis_url, "API_THROTTLE_ANON": "4/min", "CACHE_KEY_PREFIX": f"{PREFIX}-first"}, 2
    )
    second = two_processes(
        {"CACHE_URL": redis_url, "API_THROTTLE_ANON": "4/min", "CACHE_KEY_PREFIX": f"{PREFIX}-second"}, 2
    )
    assert first == second == [[200, 200], [200, 200]]


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": PREFIX,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


def test_the_api_throttle_counts_in_redis_and_answers_429_with_retry_after(redis_url, settings, client, db):
    settings.CACHES = redis_cache(redis_url)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "token": None}}
    settings.PUBLIC_READ = True
    codes = [client.get("/api/states/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert 0 < int(client.get("/api/states/")["Retry-After"]) <= 60
    keys = __import__("redis").Redis.from_url(redis_url).keys(f"{PREFIX}:*")
    assert any(b"throttle_anon_" in key for key in keys), keys


@pytest.fixture
def redis_down(settings):
    """A Redis URL where nothing listens."""
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    caching.resume()
    yield
    cache.close()
    caching.resume()  # this process's pause must not reach the next test's (local-memory) throttle


@pytest.fixture
def cache_calls(monkeypatch):
    """How many times the throttle asked Redis to add a key."""
    from django.core.cache.backends.redis import RedisCache

    calls = []
    real_add = RedisCache.add

    def add(self, *args, **kwargs):
        calls.append(args[0])
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "add", add)
    return calls


def test_with_redis_down_the_throttle_lets_requests_through_and_logs_it(
    redis_down, settings, client, db, caplog, cache_calls
):
    """Fail open: the limit guards capacity, not data; an outage of the cache must not take the API
    with it. After one failure the process leaves Redis alone for a while (a Redis that drops
    packets would otherwise cost every request the socket timeout)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "token": None}}
    settings.PUBLIC_READ = True
    from commitments.api import throttling

    throttling._last_warning[0] = 0.0
    started = time.monotonic()
    codes = [client.get("/api/states/").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    assert time.monotonic() - started < 10
    warnings = [r for r in caplog.records if "cache cannot be reached" in r.getMessage()]
    assert len(warnings) == 1, "one warning a minute, not one a request"
    assert len(cache_calls) == 1 and caching.paused()


def test_with_redis_down_the_data_page_is_measured_without_the_cache(redis_down, settings, client, db):
    settings.PUBLIC_READ = True
    assert client.get("/data/").status_code == 200


def test_deep_healthz_checks_the_shared_cache(redis_url, settings, client, db):
    settings.CACHES = redis_cache(redis_url)
    body = client.get("/healthz?deep=1").json()
    assert body["services"] == {"cache": "ok"}
    assert client.get("/healthz").json() == {"status": "ok"}  # the liveness check never needs Redis
    cache.close()
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["status"] == "failing" and response.json()["services"] == {"cache": "unreachable"}
    assert client.get("/healthz").status_code == 200
    assert not caching.paused(), "the health check tries Redis every time, and says when it is back"


def test_the_pause_ends_when_redis_answers_again(redis_url, settings, client, db):
    settings.CACHES = redis_cache(redis_url)
    caching.pause()
    assert client.get("/healthz?deep=1").json()["services"] == {"cache": "ok"}
    assert not caching.paused()
    caching.resume()


def test_deep_healthz_without_a_shared_cache_reports_no_services(client, db):
    assert "services" not in client.get("/healthz?deep=1").json()


PRINT_CACHE = "from django.conf import settings as s; import json; print(json.dumps(s.CACHES['default']))"


def test_cache_url_unset_is_each_process_memory():
    result = run({"DEBUG": "true"}, PRINT_CACHE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize("url", ["redis://cache:6379/0", "rediss://user:secret@cache.example.org:6380/2"])
def test_cache_url_redis_is_djangos_redis_backend_with_timeouts_and_a_prefix(url):
    result = run({"DEBUG": "true", "CACHE_URL": url, "CACHE_KEY_PREFIX": "tracker-prod"}, PRINT_CACHE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "tracker-prod",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }


@pytest.mark.parametrize("url", ["memcached://cache:11211", "cache:6379", "redis://", "http://redis:6379"])
def test_cache_url_of_another_kind_stops_the_process_naming_it(url):
    result = run({"DEBUG": "false", "SECRET_KEY": STRONG, "DATABASE_URL": SQLITE, "CACHE_URL": url}, PRINT_CACHE)
    assert result.returncode != 0
    assert f"CACHE_URL={url!r} is not a Redis URL" in result.stderr


@pytest.mark.parametrize("prefix", ["two words", "x" * 65, "a:b"])
def test_cache_key_prefix_is_checked(prefix):
    result = run({"DEBUG": "true", "CACHE_KEY_PREFIX": prefix}, PRINT_CACHE)
    assert result.returncode != 0
    assert "CACHE_KEY_PREFIX=" in result.stderr


@pytest.mark.parametrize(("value", "expected"), [("", 0), ("0", 0), ("1", 1), ("2", 2)])
def test_num_proxies_sets_the_throttles_and_the_login_limits_address(value, expected):
    code = (
        "from django.conf import settings as s; "
        "print(s.NUM_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES'], s.AXES_CLIENT_IP_CALLABLE)"
    )
    result = run({"DEBUG": "true", "NUM_PROXIES": value}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(expected), str(expected), "tracker.client_address.client_address"]


@pytest.mark.parametrize("value", ["-1", "one"])
def test_num_proxies_must_be_a_count(value):
    result = run({"DEBUG": "true", "NUM_PROXIES": value}, "print(1)")
    assert result.returncode != 0 and f"NUM_PROXIES={value}" in result.stderr.replace("'", "")


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(rf, settings):
    """What a client writes into X-Forwarded-For itself is ignored: the proxy appends the real one."""
    from tracker.client_address import client_address

    settings.NUM_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5", REMOTE_ADDR="172.18.0.3")
    assert client_address(request) == "203.0.113.5"
    assert client_address(rf.get("/", REMOTE_ADDR="172.18.0.3")) == "172.18.0.3"
    settings.NUM_PROXIES = 0  # nothing in front: the header is the client's own claim
    assert client_address(request) == "172.18.0.3"


def test_a_client_cannot_pick_its_own_throttle_count_with_x_forwarded_for(settings, client, db):
    settings.PUBLIC_READ = True
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "token": None}}
    cache.clear()
    codes = [client.get("/api/states/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]
    cache.clear()
