"""Recount the maintained totals (`PledgeSummary`) from the pledges: after a bulk load made with
the triggers off (`commitments.summary.triggers_suspended`), or to repair. PostgreSQL only."""

from django.core.management.base import BaseCommand

from commitments import summary


class Command(BaseCommand):
    help = "Recount the overview's maintained totals from the pledges (PostgreSQL; SQLite computes them)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, database="default", **options):
        if not summary.maintained(database):
            self.stdout.write("Nothing to do: this database computes the totals on each request.")
            return
        cells = summary.rebuild(database)
        self.stdout.write(f"Summary rebuilt: {cells} cells.")
