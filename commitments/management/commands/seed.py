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
            created = self.record_initial_history()
        from commitments.models import Pledge

        self.stdout.write(
            self.style.SUCCESS(
                f"Seed fixtures loaded: {Pledge.objects.count()} pledges; {created} audit records created."
            )
        )

    def record_initial_history(self) -> int:
        """Give every seeded record one 'created by the seed' audit entry, once."""
        from django.apps import apps

        created = 0
        for model in apps.get_app_config("commitments").get_models():
            manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
            if not manager_name or model._meta.model_name.startswith("historical"):
                continue
            history_model = getattr(model, manager_name).model
            recorded = history_model.objects.values("id")
            missing = list(model._default_manager.exclude(pk__in=recorded))
            if missing:
                rows = getattr(model, manager_name).bulk_history_create(
                    missing, default_change_reason="Loaded from the seed fixtures"
                )
                self.record_m2m_history(history_model, rows)
                created += len(missing)
        return created

    def record_m2m_history(self, history_model, history_rows):
        """bulk_history_create leaves out many-to-many fields (a pledge's pledgers); add them, so the
        first audit entry shows the record whole."""
        from django.apps import apps

        for field in getattr(history_model, "_history_m2m_fields", []):
            m2m_history = apps.get_model(history_model._meta.app_label, f"{history_model.__name__}_{field.name}")
            through = field.remote_field.through
            source_name = field.m2m_field_name()
            target_name = field.m2m_reverse_field_name()
            by_owner = {}
            for link in through.objects.filter(**{f"{source_name}__in": [h.id for h in history_rows]}):
                by_owner.setdefault(getattr(link, f"{source_name}_id"), []).append(link)
            # The m2m history copies each through row, its id included.
            m2m_history.objects.bulk_create(
                m2m_history(
                    history=row,
                    id=link.id,
                    **{f"{source_name}_id": row.id, f"{target_name}_id": getattr(link, f"{target_name}_id")},
                )
                for row in history_rows
                for link in by_owner.get(row.id, [])
            )
