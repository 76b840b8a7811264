"""Development only: empty the register and load the seed fixtures afresh."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commitments import seeding


class Command(BaseCommand):
    help = (
        "DEVELOPMENT ONLY: delete every pledge, summit, declaration, source and state, with their audit trail, "
        "and load the seed fixtures afresh. Refuses with DEBUG off. Accounts and API tokens are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="Do not ask to confirm.")

    def handle(self, *args, interactive, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refused: DEBUG is off, so this may be a production database. reset_to_fixtures deletes every "
                "record the analysts entered; it runs only with DEBUG=true. To add what is missing, use `seed`."
            )
        if interactive:
            answer = input("This deletes the whole register and its audit trail. Type 'reset' to continue: ")
            if answer.strip() != "reset":
                raise CommandError("Not reset: nothing was changed.")
        try:
            result = seeding.reset()
        except seeding.FixtureError as exc:
            raise CommandError(f"Not reset (nothing was changed): {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Register reset to the fixtures: {result.total_added} records loaded."))
