"""Import pledges and status updates from a CSV file: every row checked first, all or nothing."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from commitments import imports


class Command(BaseCommand):
    help = (
        "Import a pledge CSV (the export's columns; docs/exports.md). Every row is validated first and every "
        "error reported with its row and column; if any row fails nothing is written. --dry-run only reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file; '-' reads stdin.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report the changes; write nothing.")
        parser.add_argument("--user", help="Username recorded in the audit trail as the author of the changes.")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get_by_natural_key(options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user '{options['user']}'.") from None
        path = options["file"]
        if path == "-":
            data = sys.stdin.buffer.read(imports.MAX_FILE_BYTES + 1)
        else:
            file = Path(path)
            if not file.is_file():
                raise CommandError(f"{path}: no such file.")
            size = file.stat().st_size
            if size > imports.MAX_FILE_BYTES:
                raise CommandError(
                    f"{path} is {size:,} bytes; the import takes at most {imports.MAX_FILE_BYTES:,} bytes. "
                    "Split it into several files."
                )
            data = file.read_bytes()
        report = imports.import_pledges(
            data, dry_run=options["dry_run"], user=user, reason=f"CSV import of {Path(path).name}"
        )
        for line in report.lines():
            (self.stderr if report.errors else self.stdout).write(line)
        if report.errors:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
