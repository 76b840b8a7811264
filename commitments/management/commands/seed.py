"""Load the fixtures built from the seed reports. Idempotent: every record has a natural key,
so a second run updates the same rows instead of adding new ones."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
# Parents before children: natural-key lookups need the rows they point at.
FIXTURES = ["sources.yaml", "states.yaml", "summits.yaml", "declarations.yaml", "pledges.yaml"]


class Command(BaseCommand):
    help = "Load the seed fixtures (sources, states, summits, declarations, pledges). Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            # loaddata saves raw rows; history is written once below, by the seed, not per m2m signal.
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", *[FIXTURES_DIR / name for name in FIXTURES], verbosity=0)
            created, changed = self.record_history()
        from commitments.models import Pledge

        self.stdout.write(
            self.style.SUCCESS(
                f"Seed fixtures loaded: {Pledge.objects.count()} pledges; audit records: {created} created, "
                f"{changed} updated."
            )
        )

    def record_history(self) -> tuple[int, int]:
        """Give each seeded record one audit entry when it first appears, and one more whenever a
        later fixture changes it; a run that changes nothing records nothing."""
        from django.apps import apps
        from simple_history.utils import get_history_manager_for_model

        from commitments.audit import CHANGED, CREATED, record

        created = changed = 0
        for model in apps.get_app_config("commitments").get_models():
            if not hasattr(model._meta, "simple_history_manager_attribute"):
                continue
            history_model = get_history_manager_for_model(model).model
            latest = {}
            for entry in history_model.objects.order_by("history_date", "history_id"):
                latest[entry.id] = entry
            new, updated = [], []
            for obj in model._default_manager.all():
                entry = latest.get(obj.pk)
                if entry is None or entry.history_type == "-":
                    new.append(obj)
                elif self.differs(entry, obj, history_model):
                    updated.append(obj)
            record(new, CREATED, reason="Loaded from the seed fixtures")
            record(updated, CHANGED, reason="Updated from the seed fixtures")
            created, changed = created + len(new), changed + len(updated)
        return created, changed

    @staticmethod
    def differs(entry, obj, history_model) -> bool:
        if any(getattr(entry, f.attname) != getattr(obj, f.attname) for f in history_model.tracked_fields):
            return True
        for field in history_model._history_m2m_fields:
            target = field.m2m_reverse_field_name()
            was = {getattr(row, f"{target}_id") for row in getattr(entry, field.name).all()}
            now = set(getattr(obj, field.name).values_list("pk", flat=True))
            if was != now:
                return True
        return False
