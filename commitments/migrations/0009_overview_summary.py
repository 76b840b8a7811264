"""Issue 12 at a million pledges: the overview's totals kept by PostgreSQL triggers
(`PledgeSummary`, commitments/summary_sql.py), filled once from the pledges already there.
On SQLite the table is created and stays empty (the figures are computed there)."""

import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from commitments import summary_sql
from commitments.postgres import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0008_keyset_ordering_indexes"),
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
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["condition", "id"], name="pledge_condition_id"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(
                condition=models.Q(
                    ("category", "troops"),
                    ("part_of__isnull", True),
                    ("troops_max__isnull", True),
                    ("troops_min__isnull", True),
                ),
                fields=["id"],
                name="pledge_troops_unquantified",
            ),
        ),
        # pg_trgm (a no-op on SQLite): trigram indexes serve `icontains`, which Django writes as
        # UPPER(col::text) LIKE UPPER('%term%'): each index is on that very expression.
        TrigramExtension(),
        PostgresOnlySQL(
            [
                # admin search (PledgeAdmin.get_search_results): title / slug icontains; also the
                # FilterSet's `q` on title (pages and API)
                "CREATE INDEX pledge_title_trgm ON commitments_pledge USING gin (UPPER(title::text) gin_trgm_ops)",
                "CREATE INDEX pledge_slug_trgm ON commitments_pledge USING gin (UPPER(slug::text) gin_trgm_ops)",
                # admin search: a cited source's title or publisher icontains (sources grow with pledges)
                "CREATE INDEX source_title_trgm ON commitments_source USING gin (UPPER(title::text) gin_trgm_ops)",
                "CREATE INDEX source_publisher_trgm ON commitments_source "
                "USING gin (UPPER(publisher::text) gin_trgm_ops)",
                # (/pledges/ and a state's page, ORDER BY status_changed_on DESC NULLS LAST, id DESC,
                # read migration 0008's pledge_changed_on_id_desc.)
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS pledge_title_trgm",
                "DROP INDEX IF EXISTS pledge_slug_trgm",
                "DROP INDEX IF EXISTS source_title_trgm",
                "DROP INDEX IF EXISTS source_publisher_trgm",
            ],
        ),
    ]
