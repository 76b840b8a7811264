"""The admin roles, as data: "Analyst" edits the register, "Viewer" reads it. Superusers need no group.

The lists are written out rather than computed from the current models, so that this migration
grants the same permissions whenever it runs. A model added later gets its permissions in the
migration that adds it."""

from django.db import migrations

ANALYST_EDITS = [
    "pledge",
    "summit",
    "declaration",
    "source",
    "citation",
    "statuschange",  # add = may record a status change through Pledge.change_status
    "attendance",
    "attendancereport",
    "declarationparty",
    "declarationcomponent",
    "forcerequirement",
]
ANALYST_VIEWS = ["state"]
ALL_MODELS = [*ANALYST_EDITS, *ANALYST_VIEWS]

ROLES = {
    # No delete permission at all, no say over parties (states) or accounts: removing records
    # is for superusers, who can also restore a deleted pledge.
    "Analyst": [
        *(f"{action}_{model}" for model in ANALYST_EDITS for action in ("add", "change", "view")),
        *(f"view_{model}" for model in ANALYST_VIEWS),
    ],
    "Viewer": [f"view_{model}" for model in ALL_MODELS],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created by a post_migrate signal, i.e. after *all* migrations;
    # a fresh database would not have them yet when this runs. The historical app config has
    # no models module, which create_permissions takes as "nothing to do", hence the flag.
    app_config = apps.get_app_config("commitments")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    finally:
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)
        permissions = Permission.objects.using(schema_editor.connection.alias).filter(
            content_type__app_label="commitments", codename__in=codenames
        )
        found = set(permissions.values_list("codename", flat=True))
        missing = set(codenames) - found
        if missing:
            raise RuntimeError(f"Permissions missing for role {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
