"""Check what must hold between the register's records (commitments.integrity); exit non-zero on a breach."""

from django.core.management.base import BaseCommand, CommandError

from commitments import integrity
from commitments.models import Pledge, Source


class Command(BaseCommand):
    help = (
        "Check the register's integrity: status = latest status change, histories chained, versions = audit "
        "records, quotes found in their sources' stored text, pledgers, shares. Lists every breach; exits 1 if any."
    )

    def add_arguments(self, parser):
        parser.add_argument("checks", nargs="*", metavar="CHECK", help=f"Only these: {', '.join(integrity.CHECKS)}.")

    def handle(self, *args, checks, **options):
        unknown = sorted(set(checks) - set(integrity.CHECKS))
        if unknown:
            raise CommandError(f"No check named {', '.join(unknown)}; the checks are {', '.join(integrity.CHECKS)}.")
        results = integrity.run(checks or None)
        for name, problems in results.items():
            description = integrity.CHECKS[name][0]
            if problems:
                self.stdout.write(self.style.ERROR(f"✗ {name}: {description}: {len(problems)} breach(es)"))
                for problem in problems:
                    self.stdout.write(f"    {problem.record}: {problem.message}")
            else:
                self.stdout.write(self.style.SUCCESS(f"✓ {name}: {description}"))
        if "quotes" in results:
            checkable = len(integrity.source_texts())
            total = Source.objects.count()
            self.stdout.write(
                f"  (quotes checked against {checkable} of {total} sources; the others have no stored text and "
                "no seed report under SEED_DIR)"
            )
        breaches = sum(len(problems) for problems in results.values())
        if breaches:
            raise CommandError(f"{breaches} integrity breach(es) in {Pledge.objects.count()} pledges; see above.")
