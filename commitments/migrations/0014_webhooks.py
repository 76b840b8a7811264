"""Issue 16: webhooks and their deliveries. Analysts may register webhooks of their own (add,
change and view them; the admin and the API show each user only their own, a superuser all): a
webhook only tells its owner what is already published. As everywhere, an Analyst deletes nothing:
they switch a webhook off (`active`). The Viewer role gets none: a webhook makes the server call
out, which a read-only account has no need of. Written out, as 0007_roles_instruments."""

import commitments.models.webhooks
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ROLES = {"Analyst": [f"{action}_webhook" for action in ("add", "change", "view")]}


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
        ("commitments", "0013_ukrainian_content"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Webhook",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "url",
                    models.URLField(
                        help_text="Where the events are sent (POST). HTTPS, on a public address.",
                        max_length=500,
                        verbose_name="URL",
                    ),
                ),
                ("description", models.CharField(blank=True, max_length=200, verbose_name="description")),
                (
                    "events",
                    models.JSONField(
                        default=list,
                        help_text='The event types wanted, e.g. ["pledge.status_changed", "instrument.*"]; "*" is all.',
                        verbose_name="events",
                    ),
                ),
                (
                    "secret",
                    models.CharField(
                        default=commitments.models.webhooks.new_secret,
                        editable=False,
                        max_length=100,
                        verbose_name="secret",
                    ),
                ),
                (
                    "active",
                    models.BooleanField(
                        default=True, help_text="Inactive webhooks are sent nothing.", verbose_name="active"
                    ),
                ),
                (
                    "created",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created"),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webhooks",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook",
                "verbose_name_plural": "webhooks",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "event_id",
                    models.CharField(
                        default=commitments.models.webhooks.new_event_id,
                        editable=False,
                        help_text="The webhook-id header: the same on every attempt and on a replay.",
                        max_length=64,
                        verbose_name="event id",
                    ),
                ),
                ("event_type", models.CharField(max_length=50, verbose_name="event type")),
                ("payload", models.JSONField(verbose_name="payload")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "pending"),
                            ("succeeded", "succeeded"),
                            ("failed", "failed, will retry"),
                            ("gave_up", "gave up"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "last_status_code",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="last status code"),
                ),
                ("last_error", models.CharField(blank=True, max_length=500, verbose_name="last error")),
                ("response_excerpt", models.TextField(blank=True, verbose_name="response excerpt")),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="next attempt at")),
                ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="delivered at")),
                (
                    "created",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created"),
                ),
                (
                    "webhook",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="commitments.webhook",
                        verbose_name="webhook",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook delivery",
                "verbose_name_plural": "webhook deliveries",
                "ordering": ["-created", "-id"],
                "indexes": [models.Index(fields=["webhook", "-created"], name="delivery_webhook_created")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
