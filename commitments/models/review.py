"""Review before publication (issue 14): an edit waits here, as a `Revision`, until a second person
approves it.

The register's own tables hold the *published* state: what public pages, anonymous and token API
reads, exports and releases show. With the setting `REVIEW_REQUIRED` on, an edit made by a user (admin,
API, CSV import, a status change) is validated in full, as if it were written, and then stored here
instead of written. A user with the Reviewer role who is not its author approves it (it is then
written through the one write path, `commitments.review.approve`) or sends it back with a comment.
`commitments/review.py` holds the workflow; this module only the row and its rules."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class RevisionAction(models.TextChoices):
    CREATE = "create", _("Create")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")
    STATUS = "status", _("Status change")


class RevisionState(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved (published)")
    RETURNED = "returned", _("Sent back to its author")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=RevisionState.PENDING)


class Revision(models.Model):
    """An edit of one record, proposed by its author and waiting for (or past) a reviewer's decision."""

    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The kind of record the edit is for (pledge, summit, …)."),
    )
    object_id = models.BigIntegerField(
        null=True, blank=True, help_text=_("The record's id; empty for a record the edit would create.")
    )
    record = GenericForeignKey("content_type", "object_id")
    action = models.CharField(
        max_length=10, choices=RevisionAction.choices, help_text=_("What the edit does to the record.")
    )
    payload = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "The proposed values by field name: plain values, foreign keys as ids, many-to-many fields as "
            "lists of ids, inline rows (a pledge's citations) as lists; for a status change the change's fields."
        ),
    )
    base = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "The values of the same fields when the edit was proposed: what the field diff compares "
            "with, and what approval checks the record still holds (else a conflict)."
        ),
    )
    summary = models.CharField(
        max_length=300, blank=True, help_text=_("The record's name when the edit was proposed, for the queue.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # the audit trail names the author
        related_name="revisions",
        help_text=_("Who proposed the edit; the published write is recorded in their name."),
    )
    created_at = models.DateTimeField(default=timezone.now, help_text=_("When the edit was proposed."))
    state = models.CharField(
        max_length=10,
        choices=RevisionState.choices,
        default=RevisionState.PENDING,
        help_text=_("Pending until a reviewer approves it or sends it back, or its author withdraws it."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_revisions",
        help_text=_("Who approved it or sent it back (never its author); empty while pending or if withdrawn."),
    )
    reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it was approved, sent back or withdrawn; empty while pending.")
    )
    comment = models.TextField(
        blank=True, help_text=_("The reviewer's words: required when an edit is sent back, optional on approval.")
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-created_at", "-id"]
        permissions = [("review_revision", "Can approve or send back another user's revision")]
        indexes = [
            models.Index(fields=["content_type", "object_id", "state"], name="revision_record_state"),
            models.Index(fields=["state", "created_at"], name="revision_state_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | ~Q(reviewer=models.F("author")),
                name="revision_reviewer_not_author",
                violation_error_message=_("A revision is reviewed by someone other than its author."),
            ),
            models.CheckConstraint(
                condition=(Q(state=RevisionState.PENDING) & Q(reviewed_at__isnull=True) & Q(reviewer__isnull=True))
                | (Q(state=RevisionState.WITHDRAWN) & Q(reviewed_at__isnull=False) & Q(reviewer__isnull=True))
                | (
                    Q(state__in=[RevisionState.APPROVED, RevisionState.RETURNED])
                    & Q(reviewed_at__isnull=False)
                    & Q(reviewer__isnull=False)
                ),
                name="revision_decision_recorded",
                violation_error_message=_(
                    "A decided revision has its reviewer and time (a withdrawn one its time only); "
                    "a pending one has neither."
                ),
            ),
            models.CheckConstraint(
                condition=Q(action=RevisionAction.CREATE, object_id__isnull=True)
                | (~Q(action=RevisionAction.CREATE) & Q(object_id__isnull=False))
                | Q(action=RevisionAction.CREATE, state=RevisionState.APPROVED),
                name="revision_record_named",
                violation_error_message=_(
                    "An edit of an existing record names it; a proposed new record has no id until it is approved."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(state=RevisionState.RETURNED) | ~Q(comment=""),
                name="revision_returned_with_comment",
                violation_error_message=_("Say why the revision is sent back."),
            ),
        ]

    def __str__(self):
        return gettext("Revision #%(id)s: %(action)s %(model)s %(summary)s") % {
            "id": self.pk,
            "action": self.get_action_display().lower(),
            "model": self.content_type.name,
            "summary": self.summary,
        }

    @property
    def model(self):
        return self.content_type.model_class()
