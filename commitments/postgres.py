"""Migration operations for PostgreSQL only (triggers, trigram indexes, indexes with NULLS LAST):
on any other database (SQLite) they do nothing, so the same migrations run everywhere."""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """`RunSQL` that runs on PostgreSQL and is skipped elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
