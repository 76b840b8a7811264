"""Fill a scratch database with synthetic pledges for benchmarks (commitments.synthetic)."""

import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from commitments import synthetic
from commitments.models import Declaration, Pledge, Source, State, Summit


class Command(BaseCommand):
    help = (
        "Fill the database of DATABASE_URL with N synthetic pledges (joint pledges, shares, status histories, "
        "citations, audit records; about 200 parties) for benchmarks, by COPY on PostgreSQL. Use a separate "
        "scratch database, never the register: the command refuses a database that already holds pledges, "
        "parties, meetings, texts or sources, unless --flush is given, which DELETES EVERYTHING in it first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pledges", type=int, required=True, help="How many pledges (e.g. 1000000).")
        parser.add_argument("--states", type=int, default=200, help="How many parties (default 200).")
        parser.add_argument("--seed", type=int, default=12, help="Random seed (default 12): same seed, same data.")
        parser.add_argument(
            "--flush", action="store_true", help="Delete every record in the database first (a scratch database!)."
        )
        parser.add_argument(
            "--json", dest="json_path", metavar="PATH", help="Also write the timings and row counts to this file."
        )

    def handle(self, *args, pledges, states, seed, flush, json_path=None, **options):
        if pledges < 1 or states < 2:
            raise CommandError("Give at least one pledge and two parties.")
        held = [m.__name__ for m in (Pledge, State, Summit, Declaration, Source) if m.objects.exists()]
        if held and not flush:
            raise CommandError(
                f"This database already holds records ({', '.join(held)}). generate_synthetic writes only into an "
                "empty scratch database; to delete everything in this one first, add --flush."
            )
        if flush:
            started = time.monotonic()
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write(f"flushed in {time.monotonic() - started:.1f} s")
        result = synthetic.generate(pledges, states=states, seed=seed, progress=self.stdout.write)
        rows = sum(result["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{pledges:,} pledges ({rows:,} rows in the bulk-loaded tables) in {result['fill_seconds']:.1f} s; "
                f"after_bulk_load {result['after_bulk_load_seconds']:.1f} s, ANALYZE {result['analyze_seconds']:.1f} s"
            )
        )
        if json_path:
            with open(json_path, "w") as out:
                json.dump(result, out, indent=2)
