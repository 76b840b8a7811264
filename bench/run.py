"""Benchmarks run by `make bench`. Targets are judged against a reference measured in the same run.

Streaming CSV export memory (issue 5): a worker exporting a million pledges through
/api/pledges/export.csv must grow by at most 50 MB, and memory must stay flat, i.e. not grow with
the row count: the export of all rows is compared with the export of a 100× smaller subset (the
reference; at least 10,000 rows) in the same run. If the export held its rows, the ratio would approach 100.

Each export runs in a fresh process that goes through Django's request handler with the real view
and reads the whole streamed body; growth is the process's peak resident memory (VmHWM, reset
after warm-up) minus its resident memory before the request.

    .venv/bin/python bench/run.py [--rows 1000000] [--keep]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/some_scratch_db .venv/bin/python bench/run.py

Without BENCH_DATABASE_URL the data go to a temporary SQLite file, deleted afterwards. A
PostgreSQL database given there is flushed and filled: never point it at data you need.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_GROWTH_MB = 50.0
# All rows vs the reference subset: at most this much more memory, or memory is not flat.
MAX_GROWTH_RATIO = 3.0
SMALL_SUMMIT = "bench-small"


def django_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        # DEBUG off as in production: with DEBUG on Django keeps every query, which is its own leak.
        DEBUG="false",
        SECRET_KEY="bench-only-not-a-secret-long-enough-for-the-production-check-01234",  # noqa: S106
        HTTPS="false",  # the test client speaks plain HTTP
        ALLOWED_HOSTS="testserver",
        PUBLIC_READ="true",
        DJANGO_SETTINGS_MODULE="tracker.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --------------------------------------------------------------------------------------------
# Data


def populate(rows: int, small: int) -> None:
    """`rows` pledges: one or two pledgers (every tenth joint), one citation each, the kinds of
    values the export formats (troops, money, text with commas, quotes and formula characters)."""
    import datetime
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from commitments.models import Source, State, Summit

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    State.objects.bulk_create(
        [State(code=f"Q{chr(65 + i // 26)}{chr(65 + i % 26)}", name=f"State {i}", kind="coalition") for i in range(50)]
    )
    states = list(State.objects.order_by("code"))
    sources = [
        Source.objects.create(key=f"source-{i}", title=f'Report "{i}", with a comma', seed_file=f"{i}.txt")
        for i in range(5)
    ]
    small_summit = Summit.objects.create(
        slug=SMALL_SUMMIT, title="Reference subset", kind="leaders_summit", date=datetime.date(2025, 3, 2)
    )
    other = Summit.objects.create(
        slug="bench-all", title="Others", kind="leaders_summit", date=datetime.date(2026, 1, 6)
    )
    # Plain INSERTs with explicit ids: a million model instances through bulk_create take minutes.
    now = timezone.now()
    columns = (
        "id, slug, title, description, category, summit_id, troops_min, troops_max, amount, currency, value_date, "
        "fx_rate, amount_eur, monitoring_role, monitoring_means, quantity_text, condition, condition_text, "
        "condition_state, status, version, created_at, updated_at"
    )
    pledge_sql = f"INSERT INTO commitments_pledge ({columns}) VALUES ({', '.join(['%s'] * 23)})"  # noqa: S608 (constants)
    link_sql = "INSERT INTO commitments_pledge_pledgers (pledge_id, state_id) VALUES (%s, %s)"
    citation_sql = (
        "INSERT INTO commitments_citation (key, pledge_id, source_id, quote, attribution, field) "
        "VALUES (%s, %s, %s, %s, '', '')"
    )
    batch = 20_000
    started = time.monotonic()
    for start in range(0, rows, batch):
        pledges, links, citations = [], [], []
        for n in range(start, min(start + batch, rows)):
            kind = n % 4
            money = Decimal(n) + Decimal("0.50") if kind == 1 else None
            pledges.append(
                (
                    n + 1,
                    f"bench-{n}",
                    f"Pledge {n}: troops, money and text" if n % 7 else f"=SUM(A{n})",
                    f'Line one, "quoted"\nline two of pledge {n}',
                    ("troops", "funding", "monitoring", "diplomatic")[kind],
                    (small_summit if n < small else other).pk,
                    1000 + n % 5000 if kind == 0 else None,
                    2000 + n % 5000 if kind == 0 else None,
                    money,
                    "EUR" if kind == 1 else "",
                    datetime.date(2025, 3, 2) if kind == 1 else None,
                    Decimal(1) if kind == 1 else None,
                    money,
                    "lead" if kind == 2 else "",
                    "drones, satellites" if kind == 2 else "",
                    "thousands of troops" if n % 11 == 0 else "",
                    "not_stated",
                    "",
                    "not_applicable",
                    "announced",
                    1,
                    now,
                    now,
                )
            )
            links.append((n + 1, states[n % 50].pk))
            if n % 10 == 0:
                links.append((n + 1, states[(n + 1) % 50].pk))  # every tenth pledge is joint
            citations.append((f"bench-{n}", n + 1, sources[n % 5].pk, f"the phrase supporting pledge {n}"))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(pledge_sql, pledges)
            cursor.executemany(link_sql, links)
            cursor.executemany(citation_sql, citations)
        if start and start % 200_000 == 0:
            print(f"  {start:,} pledges in {time.monotonic() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('commitments_pledge', 'id'), %s)", [rows + 1])
            cursor.execute("ANALYZE")


# --------------------------------------------------------------------------------------------
# One measurement, in its own process


def rss_kb(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure(query: str) -> dict:
    """Export once through the request handler; report rows, bytes, seconds and memory growth."""
    setup_django()
    import gc

    from django.test import Client

    client = Client()
    # Warm-up: import every module, compile the templates, open the connection.
    warm = client.get(f"/api/pledges/export.csv?summit={SMALL_SUMMIT}&q=no-such-pledge")
    assert warm.status_code == 200, warm.status_code
    b"".join(warm.streaming_content)
    gc.collect()
    baseline = rss_kb()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset VmHWM, so the peak below is this export's
        peak_source = "VmHWM"
    except OSError:
        peak_source = "sampled VmRSS"
    started = time.monotonic()
    response = client.get(f"/api/pledges/export.csv?{query}")
    assert response.status_code == 200, response.status_code
    size = lines = 0
    sampled = baseline
    first_chunk_seconds = None
    for chunk in response.streaming_content:
        if first_chunk_seconds is None:
            first_chunk_seconds = time.monotonic() - started
        size += len(chunk)
        lines += chunk.count(b"\r\n")
        sampled = max(sampled, rss_kb())
    seconds = time.monotonic() - started
    peak = rss_kb("VmHWM") if peak_source == "VmHWM" else sampled
    return {
        "query": query,
        "bytes": size,
        "csv_lines": lines,
        "seconds": round(seconds, 1),
        "first_chunk_seconds": round(first_chunk_seconds or 0, 3),
        "baseline_mb": round(baseline / 1024, 1),
        "growth_mb": round((max(peak, sampled) - baseline) / 1024, 1),
        "peak_from": peak_source,
    }


def run_child(database_url: str, query: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", query],
        env=django_env(database_url),
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def reference_rows(rows: int) -> int:
    """A hundredth of the rows, but at least ten export chunks (of 1,000), so the reference holds
    everything a long export holds at once; at most half the rows."""
    return max(1, min(max(rows // 100, 10_000), rows // 2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="pledges to export (default a million)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--populate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file and print its path")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database in BENCH_DATABASE_URL as a previous run filled it, without refilling",
    )
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.populate is not None:
        setup_django()
        populate(args.populate, reference_rows(args.populate))
        return 0

    scratch = tempfile.mkdtemp(prefix="tracker-bench-")
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
    small = reference_rows(args.rows)
    print(f"Streaming CSV export memory: {args.rows:,} pledges vs a reference of {small:,} ({database_url})")
    started = time.monotonic()
    if not (args.reuse and os.environ.get("BENCH_DATABASE_URL")):
        command = [sys.executable, __file__, "--populate", str(args.rows)]
        subprocess.run(command, env=django_env(database_url), check=True)
        print(f"  data ready in {time.monotonic() - started:.0f} s")
    reference = run_child(database_url, f"summit={SMALL_SUMMIT}")
    full = run_child(database_url, "")
    if not args.keep and database_url.startswith("sqlite:///"):
        for path in Path(scratch).glob("*"):
            path.unlink()
        Path(scratch).rmdir()

    ratio = full["growth_mb"] / max(reference["growth_mb"], 0.1)
    rows_ok = full["csv_lines"] >= args.rows + 1 and reference["csv_lines"] >= small + 1
    growth_ok = full["growth_mb"] <= TARGET_GROWTH_MB
    flat_ok = ratio <= MAX_GROWTH_RATIO
    for name, result in (("reference", reference), ("all rows", full)):
        print(
            f"  {name:9}: {result['csv_lines'] - 1:>9,} rows, {result['bytes'] / 2**20:7.1f} MB "
            f"of CSV in {result['seconds']:6.1f} s, first chunk after {result['first_chunk_seconds']} s; "
            f"worker grew {result['growth_mb']} MB over {result['baseline_mb']} MB ({result['peak_from']})"
        )
    verdict = "ok" if growth_ok else "FAIL"
    print(f"  growth, all rows: {full['growth_mb']} MB (target ≤ {TARGET_GROWTH_MB:.0f} MB): {verdict}")
    print(
        f"  growth ratio all/reference for {args.rows / small:.0f}× the rows: {ratio:.2f} "
        f"(flat if ≤ {MAX_GROWTH_RATIO}): {'ok' if flat_ok else 'FAIL'}"
    )
    if not rows_ok:
        print("  FAIL: the export did not contain every row")
    return 0 if (growth_ok and flat_ok and rows_ok) else 1


if __name__ == "__main__":
    sys.exit(main())
