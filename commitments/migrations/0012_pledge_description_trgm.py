"""Issue 15: the admin's pledge search reads the description too (PledgeAdmin.get_search_results).
On PostgreSQL a trigram index serves its `icontains` as migration 0009's serve title and slug
(a no-op on SQLite)."""

from django.db import migrations

from commitments.postgres import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("commitments", "0011_releases")]

    operations = [
        PostgresOnlySQL(
            [
                "CREATE INDEX pledge_description_trgm ON commitments_pledge "
                "USING gin (UPPER(description::text) gin_trgm_ops)",
            ],
            reverse_sql=["DROP INDEX IF EXISTS pledge_description_trgm"],
        ),
    ]
