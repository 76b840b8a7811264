"""`make bench`: the metrics of issue 12, each against its reference measured in the same run.

Two PostgreSQL databases, a small and a large one, are filled by `manage.py generate_synthetic`
(or reused when a previous run filled them at the same size, seed, generator version and
migrations: the `bench_meta` table in each says so). Then every metric is measured as medians of
alternated runs after a warm-up, and written to bench/results.json and docs/benchmarks.md.

    .venv/bin/python bench/harness.py [--pledges 1000000] [--small 10000] [--runs 5] [--timeout 120]
    .venv/bin/python bench/harness.py --smoke      # 500 / 200 pledges, 2 runs: checks the harness works

It exits 0 when every measurement was made, whether or not the targets hold (the results say),
and non-zero when the harness itself fails. See bench/README.md.
"""

import argparse
import datetime
import hashlib
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEED = 12
SECRET = "bench-only-not-a-secret-long-enough-for-the-production-check-01234"  # noqa: S105


def log(message: str) -> None:
    print(message, flush=True)


def database_url(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + name


def env_for(url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=SECRET,
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PUBLIC_READ="true",
        # Persistent connections, as docker-compose.yml runs production (the bare app keeps one too).
        CONN_MAX_AGE="60",
        # Throughput, not the rate limiter, is measured: a 429 would end the run.
        API_THROTTLE_ANON="off",
        API_THROTTLE_TOKEN="off",  # noqa: S106 (a rate, not a password)
        DJANGO_SETTINGS_MODULE="tracker.settings",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def psql(url: str, sql: str) -> str:
    out = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)
    return out.stdout.decode().strip()


def manage(url: str, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env_for(url), check=True, stdout=subprocess.DEVNULL)


def child(url: str, *args: str, env: dict | None = None) -> dict:
    out = subprocess.run(
        [PY, str(ROOT / "bench" / "child.py"), *args], cwd=ROOT, env=env or env_for(url), capture_output=True, text=True
    )
    if out.returncode:
        sys.stderr.write(out.stderr[-4000:])
        raise RuntimeError(f"bench/child.py {' '.join(args)} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# The databases


def generator_version() -> int:
    """commitments.synthetic.GENERATOR_VERSION, read without setting Django up."""
    text = (ROOT / "commitments" / "synthetic.py").read_text()
    return int(text.split("GENERATOR_VERSION = ", 1)[1].split()[0])


def ensure_database(base: str, name: str, pledges: int) -> dict:
    """Migrated, filled with `pledges` synthetic pledges (reused if already so), with the fill
    and its COPY reference timed; returns the `bench_meta` record."""
    import psycopg

    admin = database_url(base, "postgres")
    if not psql(admin, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):  # noqa: S608 (our own name)
        psql(admin, f'CREATE DATABASE "{name}"')
    url = database_url(base, name)
    manage(url, "migrate", "--no-input")
    migrations = psql(url, "SELECT string_agg(app || '.' || name, ',' ORDER BY app, name) FROM django_migrations")
    wanted = {
        "generator_version": generator_version(),
        "pledges": pledges,
        "seed": SEED,
        "migrations": hashlib.sha256(migrations.encode()).hexdigest()[:16],
    }
    psql(url, "CREATE TABLE IF NOT EXISTS bench_meta (id int PRIMARY KEY, meta jsonb NOT NULL)")
    stored = psql(url, "SELECT meta FROM bench_meta WHERE id = 1")
    meta = json.loads(stored) if stored else {}
    if meta and all(meta.get(k) == v for k, v in wanted.items()):
        log(f"  {name}: reusing {pledges:,} pledges generated {meta['generated_at']}")
        meta["reused"] = True
        return meta
    log(f"  {name}: generating {pledges:,} pledges …")
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [PY, "manage.py", "generate_synthetic", "--pledges", str(pledges), "--seed", str(SEED), "--flush",
             "--json", out.name],
            cwd=ROOT, env=env_for(url), check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        fill = json.load(open(out.name))
    copy = copy_reference(base, name, list(fill["rows"]))
    meta = {
        **wanted,
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "fill": fill,
        "copy": copy,
    }
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO bench_meta VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET meta = EXCLUDED.meta",
            [json.dumps(meta)],
        )
    log(
        f"  {name}: fill {fill['fill_seconds']:.1f} s, COPY of the same rows {copy['load_seconds']:.1f} s "
        f"(dump {copy['dump_seconds']:.1f} s)"
    )
    meta["reused"] = False
    return meta


def copy_reference(base: str, name: str, tables: list[str]) -> dict:
    """The same tables' rows dumped with COPY … TO and loaded back with COPY … FROM into an empty
    copy of the schema (pg_dump --schema-only: same indexes, constraints, deferred foreign keys),
    each table in its own transaction, in the order the generator writes them."""
    import psycopg

    source = database_url(base, name)
    target_name = f"{name}_copyref"
    admin = database_url(base, "postgres")
    psql(admin, f'DROP DATABASE IF EXISTS "{target_name}"')
    psql(admin, f'CREATE DATABASE "{target_name}"')
    target = database_url(base, target_name)
    schema = subprocess.run(["pg_dump", "--schema-only", "--no-owner", source], check=True, capture_output=True).stdout
    subprocess.run(["psql", target, "-Xq", "-v", "ON_ERROR_STOP=1"], input=schema, check=True, capture_output=True)
    # The small tables the generator makes through the ORM (timed, as its fill is) and the users
    # (the bench account, if a run made it: untimed, the generator makes none).
    small = ["auth_user", "commitments_state", "commitments_summit", "commitments_declaration", "commitments_source",
             "commitments_instrument"]  # fmt: skip
    dump_seconds = load_seconds = 0.0
    # The dumps go to files (a million pledges make gigabytes), read back in 1 MB pieces.
    with (
        tempfile.TemporaryDirectory(prefix="bench-copy-") as folder,
        psycopg.connect(source) as src,
        psycopg.connect(target, autocommit=True) as dst,
    ):
        for table in small + tables:
            started = time.monotonic()
            with open(Path(folder) / table, "wb") as out, src.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
            if table != "auth_user":
                dump_seconds += time.monotonic() - started
        # The generator loads with the summary's triggers off and rebuilds it once (a part of its
        # time); the reference loads the bare rows, so its triggers are off too.
        for table in small + tables:
            dst.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table in small + tables:
            started = time.monotonic()
            with (
                open(Path(folder) / table, "rb") as dump,
                dst.transaction(),
                dst.cursor().copy(f"COPY {table} FROM STDIN") as copy,
            ):
                while data := dump.read(1 << 20):
                    copy.write(data)
            if table != "auth_user":
                load_seconds += time.monotonic() - started
    psql(admin, f'DROP DATABASE "{target_name}"')
    return {"dump_seconds": round(dump_seconds, 3), "load_seconds": round(load_seconds, 3)}


# --------------------------------------------------------------------------------------------
# Servers and HTTP timings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_web_options() -> list[str]:
    """The gunicorn options bin/start-web (the container's start) gives, but where to listen, how
    many workers and the access log: e.g. a --timeout or a -c config file, so the export is
    measured as production serves it. (A ./gunicorn.conf.py is read by gunicorn itself.)"""
    import shlex

    line = next((ln for ln in (ROOT / "bin" / "start-web").read_text().splitlines() if "gunicorn " in ln), "")
    words = shlex.split(line.split("gunicorn ", 1)[1]) if line else []
    dropped = {"--bind", "-b", "--workers", "-w", "--access-logfile"}
    options, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in dropped:
            skip = True
        elif word.split("=")[0] in dropped or (":" in word and not word.startswith("-")):
            continue  # --bind=…, or the app (tracker.wsgi:application), given already
        else:
            options.append(word.replace("${PORT:-8000}", ""))
    return options


class Server:
    """gunicorn serving the project's WSGI app on one database: one sync worker. With `timeout`,
    the worker is killed past it and each SQL statement cancelled past it (statement_timeout), so a
    pathological page cannot hang the run; without, the project's own settings hold (bin/start-web's
    gunicorn options, a gunicorn.conf.py)."""

    def __init__(self, url: str, *, timeout: float | None):
        self.port = free_port()
        extra = {}
        command = [PY, "-m", "gunicorn", "tracker.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", "1", "--log-level", "warning"]
        if timeout is None:
            command += start_web_options()
        else:
            command += ["--timeout", str(int(timeout) + 5)]
            extra["PGOPTIONS"] = f"-c statement_timeout={int(timeout * 1000)}"
        self.process = subprocess.Popen(command, cwd=ROOT, env=env_for(url, **extra), start_new_session=True)
        self.wait_ready()

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_pid(self) -> int:
        """The worker's pid (after a killed worker, its replacement's, once it is up)."""
        self.wait_ready()
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0])

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(30)


class Truncated(Exception):
    """The server ended the response before its end (e.g. a killed worker): (status, bytes, seconds)."""


def get(port: int, path: str, cookie: str = "", timeout: float = 120, sink=None) -> tuple[int, int, float]:
    """GET over HTTP, the whole body read; (status, bytes, seconds). Raises TimeoutError past
    `timeout`, Truncated when the body ends before its end."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html,application/json"})
        response = conn.getresponse()
        size = 0
        while True:
            try:
                chunk = response.read(1 << 16)
            except (http.client.IncompleteRead, ConnectionError) as exc:
                partial = getattr(exc, "partial", b"")
                if sink and partial:
                    sink.write(partial)
                raise Truncated(response.status, size + len(partial), time.perf_counter() - started) from None
            if not chunk:
                break
            size += len(chunk)
            if sink:
                sink.write(chunk)
            if time.perf_counter() - started > timeout:  # the socket's timeout is per read; this is the total
                raise TimeoutError
        return response.status, size, time.perf_counter() - started
    except TimeoutError:
        raise TimeoutError(time.perf_counter() - started) from None
    finally:
        conn.close()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def export_run(server: Server, path: str, timeout: float) -> dict:
    """One full export: seconds, CSV rows (read back with the csv module) and the worker's RSS growth."""
    import csv

    pid = server.worker_pid()
    baseline = rss_kb(pid)
    peak = [baseline]
    done = threading.Event()

    def sample():
        while not done.wait(0.05):
            try:
                peak[0] = max(peak[0], rss_kb(pid))
            except (FileNotFoundError, ProcessLookupError):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryFile() as sink:
        complete = True
        try:
            status, size, seconds = get(server.port, path, timeout=timeout, sink=sink)
        except Truncated as exc:
            (status, size, seconds), complete = exc.args, False
        finally:
            done.set()
            sampler.join()
        sink.seek(0)
        import io

        try:
            rows = sum(1 for _ in csv.reader(io.TextIOWrapper(sink, encoding="utf-8-sig", newline=""))) - 1
        except (csv.Error, UnicodeDecodeError):  # a body cut inside a quoted field or a character
            rows = -1
    return {
        "status": status,
        "bytes": size,
        "seconds": seconds,
        "rows": rows,
        "complete": complete,
        "growth_mb": (peak[0] - baseline) / 1024,
    }


def psql_copy(url: str) -> float:
    with tempfile.NamedTemporaryFile(suffix=".csv") as out:
        started = time.perf_counter()
        psql(url, f"\\copy commitments_pledge TO '{out.name}' CSV HEADER")
        return time.perf_counter() - started


# --------------------------------------------------------------------------------------------
# The metrics


def metric(name, value, reference, ratio, target, passed, unit, notes="") -> dict:
    return {
        "metric": name,
        "value": None if value is None else round(value, 4),
        "reference": None if reference is None else round(reference, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "pass": bool(passed),
        "unit": unit,
        "notes": notes,
    }


def page_metric(name: str, compared: dict, large: str, small: str, factor: float, target: str, timeout: float):
    times, cancelled = compared["times"], compared["cancelled"]
    if large in cancelled or small in cancelled:
        which = large if large in cancelled else small
        value = statistics.median(times[large]) if times[large] else None
        reference = statistics.median(times[small]) if times[small] else None
        note = f"MISS: cancelled on the {which} database after {cancelled[which]} s (timeout {timeout:g} s)"
        return metric(name, value, reference, None, target, False, "s", note)
    value, reference = statistics.median(times[large]), statistics.median(times[small])
    ratio = value / reference
    return metric(name, value, reference, ratio, target, ratio <= factor, "s", f"medians of {len(times[large])} runs")


def measure(args, base: str, small_name: str, large_name: str) -> list[dict]:
    small_url, large_url = database_url(base, small_name), database_url(base, large_name)
    results = []
    log("Databases")
    ensure_database(base, small_name, args.small)
    large_meta = ensure_database(base, large_name, args.pledges)
    # Production's static storage (a manifest) needs collectstatic, as the container's build runs it.
    subprocess.run([PY, "manage.py", "collectstatic", "--no-input"], cwd=ROOT, env=env_for(small_url), check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    small_info = child(small_url, "prepare")
    large_info = child(large_url, "prepare")
    runs = args.runs

    log("API, in-process (both WSGI apps in one process, alternated)")
    api = child(large_url, "api", str(runs), large_info["state_code"])
    django_rps, bare_rps = 1 / api["list"]["django"], 1 / api["list"]["bare"]
    results.append(metric(
        f"API list page (state={large_info['state_code']}) rps ÷ bare WSGI app, same SQL", django_rps, bare_rps,
        django_rps / bare_rps, "≥ 0.5", django_rps / bare_rps >= 0.5, "req/s",
        f"{len(api['list_sql'])} statements replayed through psycopg; in-process WSGI calls, medians of {runs} batches",
    ))  # fmt: skip
    pages = api["pages"]
    results.append(metric(
        f"API page at row {api['deep_position']:,} ÷ page 1 (default order)", pages["deep"], pages["page1"],
        pages["deep"] / pages["page1"], "≤ 1.2", pages["deep"] / pages["page1"] <= 1.2, "s",
        "cursor built with encode_cursor(['id', pk, pk])",
    ))  # fmt: skip
    for ordering in ("-amount_eur", "updated_at", "status_changed_on"):
        ratio = pages[ordering] / pages["page1"]
        results.append(metric(f"API page 1 ordering={ordering} ÷ default page 1", pages[ordering], pages["page1"],
                              ratio, "≤ 1.2", ratio <= 1.2, "s"))  # fmt: skip

    log("Pages over HTTP (gunicorn, one worker per database, alternated)")
    servers = {"large": Server(large_url, timeout=args.timeout), "small": Server(small_url, timeout=args.timeout)}
    try:
        admin = "/admin/commitments/pledge/"
        # Each database has its own session: ask each server with its own cookie.
        compared = {}
        cookies = {"large": large_info["cookie"], "small": small_info["cookie"]}
        paths = {
            "admin list": admin,
            f"admin ?q={large_info['state_name']}": f"{admin}?q={large_info['state_name'].replace(' ', '+')}",
            "admin category filter": f"{admin}?category__exact=troops",
            "/pledges/": "/pledges/",
            "/ overview": "/",
        }
        for label, path in paths.items():
            merged = {"times": {}, "cancelled": {}}
            # Alternate large and small, each with its own session cookie.
            times = {"large": [], "small": []}
            cancelled = {}
            for attempt in range(runs + 1):
                for name in ("large", "small"):
                    if name in cancelled:
                        continue
                    try:
                        status, _size, seconds = get(servers[name].port, path, cookies[name], args.timeout)
                    except TimeoutError as exc:
                        cancelled[name] = round(exc.args[0], 1)
                        log(f"    {label} on {name}: cancelled after {cancelled[name]} s")
                        servers[name].wait_ready(seconds=args.timeout + 60)
                        continue
                    if status != 200:
                        raise RuntimeError(f"{path} on {name} answered {status}")
                    if attempt:
                        times[name].append(seconds)
            merged["times"], merged["cancelled"] = times, cancelled
            compared[label] = merged
        for label in list(paths)[:3]:
            results.append(page_metric(f"{label} at {args.pledges:,} ÷ at {args.small:,}", compared[label],
                                       "large", "small", 1.5, "≤ 1.5", args.timeout))  # fmt: skip
        results.append(page_metric(f"/pledges/ at {args.pledges:,} ÷ at {args.small:,}", compared["/pledges/"],
                                   "large", "small", 1.5, "≤ 1.5", args.timeout))  # fmt: skip
        results.append(page_metric(f"/ overview at {args.pledges:,} ÷ at {args.small:,}", compared["/ overview"],
                                   "large", "small", 1.5, "≤ 1.5 (large ≤ 1.5 × small)", args.timeout))  # fmt: skip
    finally:
        for server in servers.values():
            server.stop()

    log("CSV export over HTTP (gunicorn with the project's settings) vs psql \\copy")
    export_server = Server(large_url, timeout=None)
    try:
        export_run(export_server, f"/api/pledges/export.csv?state={large_info['state_code']}", 600)  # warm-up
        ours, theirs, growth, broken = [], [], [], []
        psql_copy(large_url)  # warm-up
        for _ in range(args.export_runs):
            run = export_run(export_server, "/api/pledges/export.csv", 3600)
            ours.append(run["seconds"])
            growth.append(run["growth_mb"])
            if run["status"] != 200 or not run["complete"] or run["rows"] != large_info["pledges"]:
                rows = "unreadable" if run["rows"] < 0 else f"{run['rows']:,}"
                cut = "connection cut" if not run["complete"] else "body complete"
                broken.append(f"HTTP {run['status']}, {cut} after {run['seconds']:.1f} s, {rows} rows")
            theirs.append(psql_copy(large_url))
    finally:
        export_server.stop()
    value, reference = statistics.median(ours), statistics.median(theirs)
    rows_ok = not broken
    note = f"medians of {len(ours)} runs; {large_info['pledges']:,} rows expected"
    if broken:
        note += f"; TRUNCATED in {len(broken)} of {len(ours)} runs ({'; '.join(sorted(set(broken))[:2])})"
    results.append(metric("full CSV export: psql \\copy time ÷ ours", value, reference, reference / value, "≥ 0.5",
                          reference / value >= 0.5 and rows_ok, "s", note))  # fmt: skip
    results.append(metric("full CSV export: worker RSS growth", max(growth), None, None, "≤ 50 MB",
                          max(growth) <= 50, "MB", "largest of the runs; VmRSS sampled every 50 ms"))  # fmt: skip

    fill, copy = large_meta["fill"], large_meta["copy"]
    ratio = copy["load_seconds"] / fill["fill_seconds"]
    results.append(metric(
        f"synthetic fill of {args.pledges:,} ÷ COPY of the same rows (COPY time ÷ fill time)", fill["fill_seconds"],
        copy["load_seconds"], ratio, "≥ 0.3", ratio >= 0.3, "s",
        f"{sum(fill['rows'].values()):,} rows; one run each, at generation ({large_meta['generated_at']}); "
        f"ANALYZE {fill['analyze_seconds']} s not counted",
    ))  # fmt: skip

    log("Status change")
    status = child(small_url, "status")
    results.append(metric("status change: SQL statements (POST /api/pledges/{id}/status/)", status["statements"],
                          None, None, "≤ 12", status["statements"] <= 12, "statements",
                          f"reads and writes; plus {status['transaction_control']} of transaction control "
                          "(BEGIN/COMMIT, savepoints), listed in bench/status-change-sql.txt"))  # fmt: skip
    if not args.smoke:  # the statements, for whoever makes them fewer
        Path(ROOT / "bench" / "status-change-sql.txt").write_text("\n".join(status["sql"]) + "\n")
    return results


# --------------------------------------------------------------------------------------------
# Reporting


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(int(meminfo[1]) / 2**20, 1),
        "python": platform.python_version(),
    }


def write_report(results: list[dict], info: dict, path: Path) -> None:
    def fmt(v):
        return "—" if v is None else (f"{v:,.4g}" if isinstance(v, float) else str(v))

    lines = [
        MARK_BEGIN,
        f"Run {info['date']} on {info['cores']} cores, {info['ram_gb']} GB RAM, {info['postgresql']}; "
        f"{info['pledges']:,} vs {info['small']:,} pledges; {info['runs']} runs; took {info['seconds']:.0f} s.",
        "",
        "| metric | value | reference | ratio | target | pass | unit | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['metric']} | {fmt(r['value'])} | {fmt(r['reference'])} | {fmt(r['ratio'])} | {r['target']} | "
            f"{'yes' if r['pass'] else '**no**'} | {r['unit']} | {r['notes']} |"
        )
    lines.append(MARK_END)
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if MARK_BEGIN in text:
        head, rest = text.split(MARK_BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(MARK_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Results of `make bench`\n\n" + "\n".join(lines) + "\n"
    path.write_text(text)


MARK_BEGIN = "<!-- bench:results (written by bench/harness.py) -->"
MARK_END = "<!-- /bench:results -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pledges", type=int, default=int(os.environ.get("BENCH_PLEDGES") or 1_000_000))
    parser.add_argument("--small", type=int, default=int(os.environ.get("BENCH_SMALL") or 10_000))
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each metric (after a warm-up)")
    parser.add_argument("--export-runs", type=int, default=None, help="runs of the full export (default --runs)")
    parser.add_argument(
        "--timeout", type=float, help="seconds before a page request is cancelled (default 120; smoke 60)"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 2 runs; results not written to docs/")
    parser.add_argument(
        "--base-url", default=os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432"
    )
    args = parser.parse_args()
    if args.smoke:
        args.pledges, args.small, args.runs = 500, 200, 2
    args.timeout = args.timeout or (60 if args.smoke else 120)
    args.export_runs = args.export_runs or args.runs
    prefix = "bench_smoke" if args.smoke else "bench"
    started = time.monotonic()
    log(f"Bench: {args.pledges:,} vs {args.small:,} pledges, {args.runs} runs, on {args.base_url}")
    results = measure(args, args.base_url, f"{prefix}_small", f"{prefix}_large")
    info = {
        **machine(),
        "postgresql": psql(database_url(args.base_url, "postgres"), "SHOW server_version")
        .split()[0]
        .join(["PostgreSQL ", ""]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
        "pledges": args.pledges,
        "small": args.small,
        "runs": args.runs,
        "seconds": time.monotonic() - started,
    }
    for r in results:
        log(f"  {'ok  ' if r['pass'] else 'MISS'} {r['metric']}: {r['value']} vs {r['reference']} → {r['ratio']} "
            f"(target {r['target']}) {r['notes']}")  # fmt: skip
    out = ROOT / "bench" / ("results-smoke.json" if args.smoke else "results.json")
    out.write_text(json.dumps({"machine": info, "results": results}, indent=2) + "\n")
    if not args.smoke:
        write_report(results, info, ROOT / "docs" / "benchmarks.md")
    log(f"Done in {info['seconds']:.0f} s: {sum(r['pass'] for r in results)}/{len(results)} targets met; {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
