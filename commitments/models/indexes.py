"""Index kinds the register's models declare beyond Django's own."""

from django.db import models
from django.db.models.expressions import OrderBy


class NullsLastIndex(models.Index):
    """An index whose expressions say where NULLs go (`F("f").desc(nulls_last=True)`), to serve an
    `ORDER BY f DESC NULLS LAST, id DESC` (the API's pages: NULLs last in both directions). SQLite's
    CREATE INDEX has no NULLS clause, and needs none: its NULLs sort first, so `DESC` puts them
    last already. There the index is made without the clause; PostgreSQL gets it as written."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = [
            OrderBy(expression.expression, descending=expression.descending)
            if isinstance(expression, OrderBy)
            else expression
            for expression in self.expressions
        ]
        return models.Index(*plain, name=self.name).create_sql(model, schema_editor, using=using, **kwargs)
