"""What the export commands share: the API's filters as options, CSV or XLSX, a file or stdout.
(The leading underscore keeps Django from listing this module as a command.)"""

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from commitments import exports


class ExportCommand(BaseCommand):
    table = ""

    @property
    def help(self):
        return (
            f"Write the {self.table} export (the same columns as /api/{self.table}/export.csv) to a file or stdout. "
            "Filters are the API's query parameters; repeat an option for several values."
        )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="-", help="File to write; '-' (the default) is stdout.")
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="csv (default) or xlsx.")
        parser.add_argument("--bom", action="store_true", help="Start the CSV with a UTF-8 BOM (for Excel).")
        group = parser.add_argument_group("filters", "the API's filters (docs/exports.md)")
        for param, label in exports.filter_params(exports.TABLES[self.table].filterset):
            group.add_argument(
                "--" + param.replace("_", "-"), dest=f"filter__{param}", action="append", metavar="VALUE", help=label
            )

    def handle(self, *args, **options):
        data = QueryDict(mutable=True)
        for key, values in options.items():
            if key.startswith("filter__") and values:
                data.setlist(key.removeprefix("filter__"), values)
        queryset, errors = exports.filtered_queryset(self.table, data)
        if errors:
            lines = [f"--{name.replace('_', '-')}: {' '.join(messages)}" for name, messages in errors.items()]
            raise CommandError("Invalid filter:\n" + "\n".join(lines))
        output = options["output"]
        if options["format"] == "xlsx":
            if output == "-":
                raise CommandError("An XLSX workbook is binary: give a file with -o FILE.xlsx.")
            with open(output, "wb") as fileobj:
                exports.write_xlsx(self.table, queryset, fileobj)
            return
        chunks = exports.table_csv_chunks(self.table, queryset, bom=options["bom"])
        if output == "-":
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        # newline="" keeps the CSV's own CRLF line ends as they are.
        with open(output, "w", encoding="utf-8", newline="") as fileobj:
            for chunk in chunks:
                fileobj.write(chunk)
