"""Issue 12 at a million pledges: the overview's totals kept by PostgreSQL triggers
(`PledgeSummary`, commitments/summary_sql.py), filled once from the pledges already there.
On SQLite the table is created and stays empty (the figures are computed there)."""

import django.db.models.deletion
from django.db import migrations, models

from commitments import summary_sql
from commitments.postgres import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0007_roles_instruments"),
    ]

    operations = [
        migrations.CreateModel(
            name="PledgeSummary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "party",
                    models.ForeignKey(
                        db_column="party",
                        db_constraint=False,
                        db_index=False,
                        help_text="0: every top-level pledge; else the id of a pledger (State).",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="commitments.state",
                    ),
                ),
                ("status", models.CharField(max_length=20)),
                (
                    "category",
                    models.CharField(blank=True, help_text="Party −1 only; '' in the other cells.", max_length=30),
                ),
                ("pledges", models.BigIntegerField(default=0)),
                ("troop_pledges", models.BigIntegerField(default=0)),
                (
                    "troops_low",
                    models.BigIntegerField(default=0, help_text="Sum of the lower troop figures (0 for 'up to N')."),
                ),
                (
                    "troops_max_sum",
                    models.BigIntegerField(
                        default=0,
                        help_text="Sum of the upper troop figures; the high end only while no pledge is open-ended.",
                    ),
                ),
                ("troop_pledges_open_ended", models.BigIntegerField(default=0)),
                ("troop_pledges_unquantified", models.BigIntegerField(default=0)),
                ("money_pledges", models.BigIntegerField(default=0)),
                ("eur_pledges", models.BigIntegerField(default=0)),
                ("eur", models.DecimalField(decimal_places=2, default=0, max_digits=30)),
                ("money_pledges_without_eur", models.BigIntegerField(default=0)),
                ("pending_on_ceasefire", models.BigIntegerField(default=0)),
                (
                    "troop_pledges_joint",
                    models.BigIntegerField(default=0, help_text="Party rows only: joint troop pledges."),
                ),
                (
                    "eur_pledges_joint",
                    models.BigIntegerField(default=0, help_text="Party rows only: joint euro pledges."),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("party", "status", "category"), name="pledge_summary_cell")
                ],
            },
        ),
        # The triggers, then the cells of the pledges already recorded.
        PostgresOnlySQL(
            [summary_sql.CREATE_SQL, *summary_sql.REBUILD_SQL],
            reverse_sql=[summary_sql.DROP_SQL],
        ),
    ]
