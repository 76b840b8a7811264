"""The roles' rights on the models of migration 0006 (instruments, people, posts, statements): the
Analyst adds, changes and views them (an instrument's status through its change_status, as for
pledges) and deletes nothing; the Viewer views them. Written out, as in 0002_roles, so that this
migration grants the same whenever it runs."""

from django.db import migrations

ANALYST_EDITS = ["instrument", "instrumentparty", "instrumentstatuschange", "person", "post", "statement"]
ROLES = {
    "Analyst": [f"{action}_{model}" for model in ANALYST_EDITS for action in ("add", "change", "view")],
    "Viewer": [f"view_{model}" for model in ANALYST_EDITS],
}


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
    dependencies = [("commitments", "0006_instruments_people_statements")]

    operations = [migrations.RunPython(grant, revoke)]
