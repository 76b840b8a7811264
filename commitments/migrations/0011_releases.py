"""Issue 14: numbered, immutable releases of the register (`Release`).

On PostgreSQL a trigger refuses any UPDATE or DELETE of a release row, so that not even raw SQL
rewrites what a report has cited (`Release.save()` and `delete()` refuse in Python too). The roles:
the Analyst and the Viewer see the releases in the admin; making one takes `add_release`, which the
"Reviewer" group has (the group is get_or_create'd: the review migration creates it too, in either
order). Written out, as in 0002_roles, so that this migration grants the same whenever it runs."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from commitments.postgres import PostgresOnlySQL

ROLES = {
    "Analyst": ["view_release"],
    "Viewer": ["view_release"],
    "Reviewer": ["view_release", "add_release"],
}

IMMUTABLE_SQL = """
CREATE FUNCTION commitments_release_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'release % cannot be changed or deleted: a release never changes once made', OLD.number
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER commitments_release_immutable
    BEFORE UPDATE OR DELETE ON commitments_release
    FOR EACH ROW EXECUTE FUNCTION commitments_release_immutable();
"""
MUTABLE_SQL = """
DROP TRIGGER IF EXISTS commitments_release_immutable ON commitments_release;
DROP FUNCTION IF EXISTS commitments_release_immutable();
"""


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("commitments")
    app_config.models_module = True  # see 0002_roles: the historical app config needs it
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for name, codenames in ROLES.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        permissions = Permission.objects.using(db).filter(content_type__app_label="commitments", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for role {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for name, codenames in ROLES.items():
        for group in Group.objects.using(db).filter(name=name):
            group.permissions.remove(
                *Permission.objects.using(db).filter(content_type__app_label="commitments", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0010_review"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Release",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "number",
                    models.PositiveIntegerField(
                        editable=False,
                        help_text="The release's number: 1, 2, 3… in the order they were made.",
                        unique=True,
                    ),
                ),
                ("title", models.CharField(help_text="What the release is, in one line ('Q1 2026').", max_length=200)),
                (
                    "notes",
                    models.TextField(
                        blank=True, help_text="Release notes: what changed and why, in the editor's words."
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        editable=False, help_text="When the release was made (UTC): the moment its snapshot was read."
                    ),
                ),
                (
                    "package",
                    models.BinaryField(
                        help_text="The data package (zip of CSV files and datapackage.json), byte for byte as served."
                    ),
                ),
                (
                    "package_sha256",
                    models.CharField(
                        editable=False,
                        help_text="SHA-256 of `package`, in hexadecimal: what a citation can quote.",
                        max_length=64,
                    ),
                ),
                (
                    "package_bytes",
                    models.PositiveBigIntegerField(editable=False, help_text="Size of `package` in bytes."),
                ),
                (
                    "snapshot",
                    models.BinaryField(
                        help_text="A gzip'd SQLite database holding every public table as it stood (database ids kept), which `?release=` reads and the diff compares."
                    ),
                ),
                (
                    "snapshot_sha256",
                    models.CharField(
                        editable=False,
                        help_text="SHA-256 of `snapshot` (the gzip'd bytes), checked before use.",
                        max_length=64,
                    ),
                ),
                (
                    "snapshot_bytes",
                    models.PositiveBigIntegerField(editable=False, help_text="Size of `snapshot` in bytes."),
                ),
                (
                    "counts",
                    models.JSONField(
                        editable=False, help_text="Rows per table of the data package in this release: {table: rows}."
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        help_text="Who made the release; empty for one made by `manage.py release`.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="releases",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-number"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("number__gte", 1)),
                        name="release_number_positive",
                        violation_error_message="A release number is 1 or more.",
                    )
                ],
            },
        ),
        PostgresOnlySQL(IMMUTABLE_SQL, MUTABLE_SQL),
        migrations.RunPython(grant, revoke),
    ]
