"""Releases in the admin: a user with `add_release` (the Reviewer role) makes one from the add
form (title and notes; the register is frozen as it stands); everyone who may view releases sees
the list and each release read-only. Nobody changes or deletes one (the model and, on
PostgreSQL, a trigger refuse it too)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Release
from ..models.releases import METADATA_FIELDS
from ..releases import make_release

SHOWN = [
    "number",
    "title",
    "notes",
    "created_at",
    "created_by",
    "package_sha256",
    "package_bytes",
    "snapshot_sha256",
    "snapshot_bytes",
    "rows",
    "links",
]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "created_at", "created_by", "package_bytes", "short_hash"]
    list_display_links = ["number", "title"]
    search_fields = ["title", "notes"]
    actions = None
    ordering = ["-number"]

    def get_queryset(self, request):
        # Never the blobs: a list or a page of metadata loads kilobytes, not the package and snapshot.
        return super().get_queryset(request).only(*METADATA_FIELDS).select_related("created_by")

    def get_fields(self, request, obj=None):
        return ["title", "notes"] if obj is None else SHOWN

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else SHOWN

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            # Making a release opens its own transaction (one consistent read of the register,
            # REPEATABLE READ on PostgreSQL), which the admin's usual wrapping one would make
            # a READ COMMITTED one; nothing else is written by this form.
            extra_context = {**(extra_context or {}), "title": gettext("Make a release of the register as it stands")}
            return self._changeform_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # The form has checked the title (required, at most 200 characters) as make_release does.
        release = make_release(obj.title, obj.notes, request.user)
        obj.pk, obj.number, obj.created_at = release.pk, release.number, release.created_at
        obj._state.adding = False
        obj._state.db = release._state.db

    def save_related(self, request, form, formsets, change):
        pass  # a release has no many-to-many fields or inlines

    @admin.display(description=_("SHA-256 of the package"))
    def short_hash(self, obj):
        return obj.package_sha256[:16] + "…"

    @admin.display(description=_("Rows per table"))
    def rows(self, obj):
        return ", ".join(f"{table}: {count}" for table, count in obj.counts.items())

    @admin.display(description=_("Links"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("api:release-package", args=[obj.number]),
            gettext("Data package (zip)"),
            reverse("api:release-detail", args=[obj.number]),
            gettext("Metadata (API)"),
            reverse("pages:release-diff", args=[obj.number, "now"]),
            gettext("Changes since"),
        )
