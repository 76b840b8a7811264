"""Indexes for the API's pages (issue 12): a `(field, id)` index for every `?ordering=` of the pledge
list, each commented with its query in `Pledge.Meta.indexes`, and one on the pledgers' link table
for `?state=`. The `DESC NULLS LAST` ones are PostgreSQL's form (`NullsLastIndex`); SQLite gets
them as plain `DESC`, where NULLs come last already."""

import commitments.models.indexes
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0007_roles_instruments"),
    ]

    operations = [
        # updated_at's own index goes: (updated_at, id) below serves `updated_since=` and the
        # ordering, where the planner read the single-column one plus an incremental sort by id.
        migrations.AlterField(
            model_name="historicalpledge",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name="pledge",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        # GET /api/pledges/?state=XX: `id IN (SELECT pledge_id FROM … WHERE state_id = …)` read in
        # pledge order from this index and merged with the pledges' primary key (a page costs the
        # state's own rows before it, not the whole table's); the unique (pledge_id, state_id)
        # index Django makes serves only the other direction. The link table is Django's own
        # (auto-created), so its index is SQL here; the statement is the same on both databases.
        migrations.RunSQL(
            "CREATE INDEX pledge_pledgers_state_pledge ON commitments_pledge_pledgers (state_id, pledge_id)",
            reverse_sql="DROP INDEX pledge_pledgers_state_pledge",
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["updated_at", "id"], name="pledge_updated_at_id"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["title", "id"], name="pledge_title_id"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["category", "id"], name="pledge_category_id"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["status", "id"], name="pledge_status_id"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["status_changed_on", "id"], name="pledge_changed_on_id"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=commitments.models.indexes.NullsLastIndex(
                models.OrderBy(models.F("status_changed_on"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="pledge_changed_on_id_desc",
            ),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["amount_eur", "id"], name="pledge_amount_eur_id"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=commitments.models.indexes.NullsLastIndex(
                models.OrderBy(models.F("amount_eur"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="pledge_amount_eur_id_desc",
            ),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["troops_max", "id"], name="pledge_troops_max_id"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=commitments.models.indexes.NullsLastIndex(
                models.OrderBy(models.F("troops_max"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="pledge_troops_max_id_desc",
            ),
        ),
    ]
