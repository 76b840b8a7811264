"""`manage.py export_package -o FILE`: the whole register as a data package (the zip that
/api/data-package.zip serves), or with --xlsx as one workbook (/api/data-package.xlsx)."""

import os

from django.core.management.base import BaseCommand, CommandError

from commitments.exports.package import write_package
from commitments.exports.workbook import write_package_workbook


class Command(BaseCommand):
    help = (
        "Write the whole register as a Frictionless data package (a zip of one CSV per table and "
        "datapackage.json), or with --xlsx as one Excel workbook (docs/exports.md, 'Data package')."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="File to write (a .zip, or a .xlsx with --xlsx).")
        parser.add_argument("--xlsx", action="store_true", help="Write the Excel workbook instead of the zip.")

    def handle(self, *args, **options):
        output = options["output"]
        if output == "-":
            raise CommandError("The package is binary: give a file with -o FILE.")
        # Written beside the target and renamed at the end: a failed export leaves no half file.
        partial = f"{output}.partial"
        try:
            with open(partial, "wb") as fileobj:
                if options["xlsx"]:
                    write_package_workbook(fileobj)
                    summary = ""
                else:
                    package = write_package(fileobj)
                    summary = f", {len(package['resources'])} tables, {package['hash']}"
            os.replace(partial, output)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        self.stdout.write(f"Wrote {output} ({os.path.getsize(output)} bytes{summary}).")
