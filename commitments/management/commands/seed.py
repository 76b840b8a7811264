"""Add what the seed fixtures hold and the database lacks; never change what is there."""

from django.core.management.base import BaseCommand, CommandError

from commitments import seeding
from commitments.models import Pledge


class Command(BaseCommand):
    help = (
        "Add the fixture records the database lacks (sources, states, summits, declarations, pledges, with what "
        "belongs to them). Never changes, re-adds or deletes a record that exists or was deleted: the database is "
        "the analysts'. --diff lists where the fixtures and the database differ (exit status 1 if they do)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--diff", action="store_true", help="Write nothing; list the differences between fixtures and database."
        )

    def handle(self, *args, diff, **options):
        if diff:
            return self.report_differences()
        try:
            result = seeding.seed()
        except seeding.FixtureError as exc:
            raise CommandError(f"Nothing was seeded: {exc}") from None
        added = result.added_words()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seed: added {added}. {result.present} fixture records were in the database already and were left "
                f"as they are, with all that belongs to them. {Pledge.objects.count()} pledges in the database."
            )
        )
        for label in result.skipped_deleted:
            self.stdout.write(f"  not added again (deleted by an analyst): {label}")
        count = len(seeding.differences())
        if count:
            self.stdout.write(
                f"  {count} difference{'s' if count != 1 else ''} between the fixtures and the database; "
                "`manage.py seed --diff` lists them."
            )

    def report_differences(self):
        found = seeding.differences()
        for difference in found:
            self.stdout.write(str(difference))
        if found:
            raise CommandError(
                f"{len(found)} difference{'s' if len(found) != 1 else ''} between the fixtures and the database "
                "(nothing was changed)."
            )
        self.stdout.write(self.style.SUCCESS("The database holds the fixtures as they are."))
