"""Review before publication (issue 14): the Revision table, and the Reviewer role.

The Reviewer approves or sends back other users' revisions (`review_revision`) and reads the
register as a Viewer does (to judge an edit against the record); the Analyst sees the queue
(`view_revision`) and withdraws their own pending revisions (a rule of authorship, no permission).
Written out, as in 0002_roles, so that the migration grants the same whenever it runs. The
Reviewer group is got or created: the releases migration of the same issue may have made it."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


VIEWED = [
    "pledge",
    "summit",
    "declaration",
    "source",
    "citation",
    "statuschange",
    "attendance",
    "attendancereport",
    "declarationparty",
    "declarationcomponent",
    "forcerequirement",
    "state",
    "instrument",
    "instrumentparty",
    "instrumentstatuschange",
    "person",
    "post",
    "statement",
]
ROLES = {
    "Reviewer": ["view_revision", "review_revision", *(f"view_{model}" for model in VIEWED)],
    "Analyst": ["view_revision"],
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
    dependencies = [
        ("commitments", "0009_overview_summary"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Revision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "object_id",
                    models.BigIntegerField(
                        blank=True, help_text="The record's id; empty for a record the edit would create.", null=True
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("create", "Create"),
                            ("change", "Change"),
                            ("delete", "Delete"),
                            ("status", "Status change"),
                        ],
                        help_text="What the edit does to the record.",
                        max_length=10,
                    ),
                ),
                (
                    "payload",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The proposed values by field name: plain values, foreign keys as ids, many-to-many fields as lists of ids, inline rows (a pledge's citations) as lists; for a status change the change's fields.",
                    ),
                ),
                (
                    "base",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The values of the same fields when the edit was proposed: what the field diff compares with, and what approval checks the record still holds (else a conflict).",
                    ),
                ),
                (
                    "summary",
                    models.CharField(
                        blank=True,
                        help_text="The record's name when the edit was proposed, for the queue.",
                        max_length=300,
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, help_text="When the edit was proposed."),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending review"),
                            ("approved", "Approved (published)"),
                            ("returned", "Sent back to its author"),
                            ("withdrawn", "Withdrawn by its author"),
                        ],
                        default="pending",
                        help_text="Pending until a reviewer approves it or sends it back, or its author withdraws it.",
                        max_length=10,
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When it was approved, sent back or withdrawn; empty while pending.",
                        null=True,
                    ),
                ),
                (
                    "comment",
                    models.TextField(
                        blank=True,
                        help_text="The reviewer's words: required when an edit is sent back, optional on approval.",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        help_text="Who proposed the edit; the published write is recorded in their name.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revisions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        help_text="The kind of record the edit is for (pledge, summit, …).",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who approved it or sent it back (never its author); empty while pending or if withdrawn.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviewed_revisions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [("review_revision", "Can approve or send back another user's revision")],
                "indexes": [
                    models.Index(fields=["content_type", "object_id", "state"], name="revision_record_state"),
                    models.Index(fields=["state", "created_at"], name="revision_state_created"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("reviewer__isnull", True),
                            models.Q(("reviewer", models.F("author")), _negated=True),
                            _connector="OR",
                        ),
                        name="revision_reviewer_not_author",
                        violation_error_message="A revision is reviewed by someone other than its author.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "pending"), ("reviewed_at__isnull", True), ("reviewer__isnull", True)),
                            models.Q(
                                ("state", "withdrawn"), ("reviewed_at__isnull", False), ("reviewer__isnull", True)
                            ),
                            models.Q(
                                ("state__in", ["approved", "returned"]),
                                ("reviewed_at__isnull", False),
                                ("reviewer__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="revision_decision_recorded",
                        violation_error_message="A decided revision has its reviewer and time (a withdrawn one its time only); a pending one has neither.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("action", "create"), ("object_id__isnull", True)),
                            models.Q(models.Q(("action", "create"), _negated=True), ("object_id__isnull", False)),
                            models.Q(("action", "create"), ("state", "approved")),
                            _connector="OR",
                        ),
                        name="revision_record_named",
                        violation_error_message="An edit of an existing record names it; a proposed new record has no id until it is approved.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "returned"), _negated=True),
                            models.Q(("comment", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="revision_returned_with_comment",
                        violation_error_message="Say why the revision is sent back.",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
