"""Numbered releases of the register: what a report can cite ("as of release 7").

A release is made once (`commitments.releases.make_release`) and never changes: `save()` refuses
an update, `delete()` and the queryset's `update()`/`delete()` refuse, and on PostgreSQL a trigger
refuses any UPDATE or DELETE of the table (migration 0010), so not even raw SQL rewrites one.

It holds the register twice, frozen: `package`, the data package (the zip `/api/data-package.zip`
serves, built from the release's own snapshot), which is what readers download and cite; and
`snapshot`, a gzip'd SQLite database with every public table as it stood (database ids kept), which
`?release=N` reads the API and the exports from and the diff compares. docs/releases.md explains
the design and its storage cost."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ReleaseIsImmutable(Exception):
    """A release cannot be changed or deleted once made."""


IMMUTABLE = _("A release never changes once made: make a new release instead.")

# The columns of a release that are not its two blobs: what lists and metadata read.
METADATA_FIELDS = (
    "id",
    "number",
    "title",
    "notes",
    "created_at",
    "created_by",
    "package_sha256",
    "package_bytes",
    "snapshot_sha256",
    "snapshot_bytes",
    "counts",
)


class ReleaseQuerySet(models.QuerySet):
    def metadata(self):
        """Releases without their blobs (`package`, `snapshot`): a list never loads them."""
        return self.only(*METADATA_FIELDS)

    def update(self, **kwargs):
        raise ReleaseIsImmutable(IMMUTABLE)

    def delete(self):
        raise ReleaseIsImmutable(IMMUTABLE)

    update.queryset_only = True
    delete.queryset_only = True


class Release(models.Model):
    """A numbered, dated, immutable snapshot of the whole public register."""

    number = models.PositiveIntegerField(
        unique=True, editable=False, help_text=_("The release's number: 1, 2, 3… in the order they were made.")
    )
    title = models.CharField(max_length=200, help_text=_("What the release is, in one line ('Q1 2026')."))
    notes = models.TextField(blank=True, help_text=_("Release notes: what changed and why, in the editor's words."))
    created_at = models.DateTimeField(
        editable=False, help_text=_("When the release was made (UTC): the moment its snapshot was read.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        # A release is a published record: the account that made it cannot vanish from under it.
        on_delete=models.PROTECT,
        related_name="releases",
        help_text=_("Who made the release; empty for one made by `manage.py release`."),
    )
    package = models.BinaryField(
        editable=False,
        help_text=_("The data package (zip of CSV files and datapackage.json), byte for byte as served."),
    )
    package_sha256 = models.CharField(
        max_length=64, editable=False, help_text=_("SHA-256 of `package`, in hexadecimal: what a citation can quote.")
    )
    package_bytes = models.PositiveBigIntegerField(editable=False, help_text=_("Size of `package` in bytes."))
    snapshot = models.BinaryField(
        editable=False,
        help_text=_(
            "A gzip'd SQLite database holding every public table as it stood (database ids kept), "
            "which `?release=` reads and the diff compares."
        ),
    )
    snapshot_sha256 = models.CharField(
        max_length=64, editable=False, help_text=_("SHA-256 of `snapshot` (the gzip'd bytes), checked before use.")
    )
    snapshot_bytes = models.PositiveBigIntegerField(editable=False, help_text=_("Size of `snapshot` in bytes."))
    counts = models.JSONField(
        editable=False, help_text=_("Rows per table of the data package in this release: {table: rows}.")
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="release_number_positive",
                violation_error_message=_("A release number is 1 or more."),
            ),
        ]

    def __str__(self):
        return gettext("Release %(number)s: %(title)s") % {"number": self.number, "title": self.title}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReleaseIsImmutable(IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReleaseIsImmutable(IMMUTABLE)
