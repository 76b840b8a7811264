"""A long CSV export under a real gunicorn, with the project's configuration (tracker/gunicorn.conf.py)
and a worker timeout of 2 s: the export must either complete or fail visibly, never end as a
200 with a short file (issue 12: under gunicorn's default sync worker and 30 s timeout the
worker was killed ~160,000 rows into a million-pledge export, and the client saw a clean 200).

The export is made to last longer than the timeout for real: the client stops reading for 5 s
after the first bytes, so the worker blocks writing to a full socket (the file is larger than
the kernel's socket buffers) exactly as it does behind a slow client or a slow network."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import PROJECT_DIR, seed_dir

TIMEOUT = 2  # gunicorn's worker timeout in these tests, seconds
PAUSE = 5  # how long the client stops reading: longer than the timeout plus the master's 1 s tick
PLEDGES = 4000
# Each row carries a 4,000-character description: the file (~17 MB) is far larger than what the
# loopback socket buffers hold (a few MB), so the worker cannot finish while the client pauses.
DESCRIPTION_LENGTH = 4000


def _run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


FILL = f"""
from commitments.models import Pledge
Pledge.objects.bulk_create(
    Pledge(slug=f"long-export-{{i:05d}}", title=f"P{{i}}", category="funding", description="d" * {DESCRIPTION_LENGTH})
    for i in range({PLEDGES})
)
print(Pledge.objects.count())
"""


@pytest.fixture(scope="module")
def filled_env(tmp_path_factory) -> dict:
    """A SQLite file of its own with PLEDGES long pledges, and production-like settings."""
    path = tmp_path_factory.mktemp("long-export") / "export.sqlite3"
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
        "PATH": f"{venv_bin}:{os.environ['PATH']}",
        "DATABASE_URL": f"sqlite:///{path}",
        "SECRET_KEY": "test-only-not-a-secret-but-long-enough-for-the-production-check",
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PUBLIC_READ": "true",
        "API_THROTTLE_ANON": "off",
        "SEED_DIR": str(seed_dir()),
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_TIMEOUT": str(TIMEOUT),
    }
    _run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    assert _run([sys.executable, "manage.py", "shell", "-c", FILL], env).strip().splitlines()[-1] == str(PLEDGES)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serve(filled_env):
    """serve(*extra gunicorn arguments) -> (port, master process): gunicorn with the project's
    config file, as bin/start-web runs it."""
    servers = []

    def start(*extra: str):
        port = _free_port()
        command = [str(Path(sys.executable).parent / "gunicorn"), "tracker.wsgi:application"]
        server = subprocess.Popen(
            [*command, "--config", "tracker/gunicorn.conf.py", *extra],
            cwd=PROJECT_DIR,
            env={**filled_env, "PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        servers.append(server)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not start serving"
                time.sleep(0.3)
        return port, server

    yield start
    for server in servers:
        server.terminate()
        server.communicate(timeout=30)


def _worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


class SlowClient:
    """GET the full pledge export with a small receive buffer, read the first bytes, then stop
    reading for `pause` seconds (calling `during_pause` meanwhile), then read the rest."""

    def __init__(self, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        self.sock.settimeout(60)
        self.sock.connect(("127.0.0.1", port))
        self.sock.sendall(b"GET /api/pledges/export.csv HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        self.response = http.client.HTTPResponse(self.sock)
        self.response.begin()
        self.received = b""

    def read(self, *, pause: float, during_pause=None) -> bytes:
        try:
            self.received = self.response.read(64 * 1024)
            if during_pause:
                during_pause()
            time.sleep(pause)
            while chunk := self.response.read(1 << 20):
                self.received += chunk
            return self.received
        finally:
            self.sock.close()


def _rows(body: bytes) -> int:
    """Data rows of the export: lines after the header (no cell here holds a line break)."""
    return body.count(b"\r\n") - 1


def test_a_long_export_completes_with_the_projects_gunicorn_config(serve):
    port, _ = serve()
    client = SlowClient(port)
    assert client.response.status == 200
    expected = int(client.response.getheader("X-Row-Count"))
    assert expected == PLEDGES
    body = client.read(pause=PAUSE)
    assert _rows(body) == expected
    assert body.endswith(b"\r\n")
    assert body.rstrip(b"\r\n").rsplit(b"\r\n", 1)[-1].startswith(f"long-export-{PLEDGES - 1:05d},".encode())


def test_a_worker_killed_mid_export_is_an_error_for_the_client_not_a_short_file(serve):
    """A worker that dies mid-stream (killed here; out of memory or a redeploy in real life) ends the
    chunked body without its last chunk: the client's HTTP library raises, and the rows it did get
    fall short of X-Row-Count."""
    port, master = serve()
    client = SlowClient(port)
    expected = int(client.response.getheader("X-Row-Count"))

    def kill_the_worker():
        for pid in _worker_pids(master):
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(http.client.IncompleteRead):
        client.read(pause=1, during_pause=kill_the_worker)
    assert _rows(client.received) < expected


def test_the_old_sync_worker_is_killed_by_the_timeout_and_the_client_sees_it(serve):
    """What the config file prevents, shown for real: gunicorn's sync worker (the default before it)
    kills the export at the timeout. Even then the client is told (an incomplete chunked body),
    which is what makes the test above meaningful: the same pause under the project's config is
    a complete file."""
    port, _ = serve("--worker-class", "sync", "--threads", "1")
    client = SlowClient(port)
    expected = int(client.response.getheader("X-Row-Count"))
    with pytest.raises(http.client.IncompleteRead):
        client.read(pause=PAUSE)
    assert _rows(client.received) < expected
