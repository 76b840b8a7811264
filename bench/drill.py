"""The outage drill (`make drill`): what clients see while PostgreSQL restarts under load.

It starts a private PostgreSQL cluster in a temporary folder (initdb/pg_ctl; never the shared
server), loads the seed data, serves the tracker with gunicorn against it, puts a bounded load on
the API, the pages and /healthz, stops PostgreSQL for a few seconds and starts it again, and
reports every status code seen and when. Targets (docs/reliability.md):

- during the outage, only 503s (with Retry-After) — no 500, no hang, no dropped connection;
- from one second after PostgreSQL accepts connections again, no error at all;
- no gunicorn worker restarted or timed out.

Writes bench/drill-results.json and exits 1 when a target is missed."""

import argparse
import collections
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
URLS = ("/api/pledges/?page_size=20", "/api/instruments/", "/healthz", "/", "/api/changes/?page_size=50")
RECOVERY_SECONDS = 1.0  # errors allowed for this long after PostgreSQL accepts connections again


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        sys.exit(f"drill: {name} not found (install PostgreSQL's server package)")
    return found[-1]


def as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster in `folder`, listening on 127.0.0.1:`port`, trust auth."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"

    def ctl(self, *args, check=True):
        return subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), *args]), check=check, capture_output=True, text=True
        )

    def init(self):
        subprocess.run(
            as_postgres([pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
            check=True,
            capture_output=True,
        )

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.ctl("-l", str(self.folder / "postgres.log"), "-o", options, "-w", "start")

    def stop(self):
        self.ctl("-m", "fast", "-w", "stop", check=False)

    def accepting(self) -> bool:
        probe = [pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(probe, check=False).returncode == 0

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/tracker"


def environment(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "drill-only-not-a-secret-long-enough-for-the-production-check-0123",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "PUBLIC_READ": "true",
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "true",
        "API_THROTTLE_ANON": "off",
        "LOG_LEVEL": "WARNING",
    }


def load(base: str, until: threading.Event, rate: float, seen: list, threads: int = 4):
    """`threads` clients taking turns, `rate` requests a second in all, each answer recorded as
    (started, finished, status) with status an HTTP code or the name of the connection error."""
    gap = threads / rate

    def client(offset: int):
        n = offset
        while not until.is_set():
            url = base + URLS[n % len(URLS)]
            n += threads
            started = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (our own server)
                    response.read()
                    status, retry = response.status, response.headers.get("Retry-After")
            except urllib.error.HTTPError as exc:
                status, retry = exc.code, exc.headers.get("Retry-After")
            except OSError as exc:
                status, retry = type(exc).__name__, None
            seen.append((started, time.monotonic(), status, retry))
            time.sleep(max(0.0, gap - (time.monotonic() - started)))

    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    return workers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--rate", type=float, default=30.0, help="requests per second in all")
    parser.add_argument("--output", default=str(ROOT / "bench" / "drill-results.json"))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="tracker-drill-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder)
    server = None
    try:
        cluster.init()
        cluster.start()
        subprocess.run(
            [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "tracker"], check=True
        )
        env = environment(cluster.url)
        # As the container does: static files collected (gitignored staticfiles/), then the database.
        for command in (["collectstatic", "--no-input", "-v", "0"], ["migrate", "--no-input", "-v", "0"], ["seed"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        log = folder / "gunicorn.log"
        gunicorn = str(Path(PYTHON).parent / "gunicorn")
        server = subprocess.Popen(
            [
                gunicorn,
                "tracker.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--error-logfile",
                str(log),
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.2)
        booted = log.read_text().count("Booting worker")

        seen: list = []
        until = threading.Event()
        clients = load(base, until, args.rate, seen)
        time.sleep(5)
        down_at = time.monotonic()
        cluster.stop()
        time.sleep(args.outage)
        cluster.start()
        while not cluster.accepting():
            time.sleep(0.05)
        back_at = time.monotonic()
        time.sleep(10)
        until.set()
        for client in clients:
            client.join(timeout=20)
        server.terminate()
        server.wait(timeout=30)
        log_text = log.read_text()
    finally:
        if server is not None and server.poll() is None:
            server.kill()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)

    def phase(started):
        if started < down_at:
            return "before"
        if started < back_at + RECOVERY_SECONDS:
            return "outage"
        return "after"

    counts: dict = collections.defaultdict(collections.Counter)
    for started, _, status, _retry in seen:
        counts[phase(started)][str(status)] += 1
    outage_ok = all(s in ("200", "503") for s in counts["outage"])
    retry_ok = all(retry for started, _, status, retry in seen if status == 503)
    after_errors = sum(n for s, n in counts["after"].items() if s != "200") + sum(
        n for s, n in counts["before"].items() if s != "200"
    )
    not_ok = [(started, finished) for started, finished, status, _ in seen if status != 200]
    window = (max(f for _, f in not_ok) - min(s for s, _ in not_ok)) if not_ok else 0.0
    last_error_after_back = max((f - back_at for _, f in not_ok), default=0.0)
    restarts = log_text.count("Booting worker") - booted
    timeouts = log_text.count("WORKER TIMEOUT")
    results = {
        "requests": len(seen),
        "outage_seconds": round(back_at - down_at, 2),
        "status_codes": {name: dict(sorted(c.items())) for name, c in counts.items()},
        "error_window_seconds": round(window, 2),
        "last_error_after_postgres_accepts_seconds": round(last_error_after_back, 2),
        "worker_restarts": restarts,
        "worker_timeouts": timeouts,
        "targets": {
            "only_503_during_outage": outage_ok,
            "retry_after_on_every_503": retry_ok,
            "no_error_from_1s_after_recovery": after_errors == 0,
            "no_worker_restart": restarts == 0 and timeouts == 0,
        },
    }
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    if not all(results["targets"].values()):
        sys.exit("drill: a target was missed (see above)")


if __name__ == "__main__":
    main()
