"""The pledge admin's CSV export action and import page, as a mixin of PledgeAdmin:

    from .exports import PledgeImportExportMixin

    class PledgeAdmin(PledgeImportExportMixin, TrackerAdmin):   # the mixin first
        ...

The mixin adds the action `export_pledges_action` (for users with the view permission), the page
`admin:commitments_pledge_import` (…/pledge/import/, for users who may add and change pledges)
and, in the change list's context, `pledge_import_allowed`. Its change-list template shows an
"Import CSV" button; a PledgeAdmin with its own `change_list_template` adds the button there:

    {% if pledge_import_allowed %}
      <li><a href="{% url 'admin:commitments_pledge_import' %}">Import CSV</a></li>
    {% endif %}

The admin's own get_urls, changelist_view and get_actions must call super(), as usual."""

import base64
import hashlib
from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import exports, imports, models

SESSION_KEY = "commitments_pledge_import"


@admin.action(description=_("Export selected pledges as CSV"), permissions=["view"])
def export_pledges_action(modeladmin, request, queryset):
    """The same file as /api/pledges/export.csv and `manage.py export_pledges`, for the selected
    rows (or, with "select all", every row the change list's filters match)."""
    name = f"pledges-{timezone.localdate():%Y-%m-%d}.csv"
    # With the byte-order mark, as every CSV route (commitments/api/exports.py BOM_VALUES): an
    # analyst opens it in Excel by double-click.
    return exports.counted_csv_response(queryset, lambda qs: exports.pledge_csv_chunks(qs, bom=True), name)


def import_pledges_view(request, model_admin):
    """Upload a CSV, see every error or a preview of every change, then confirm. Confirming
    validates the file again, so a pledge edited in between is caught, not overwritten."""
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    opts = models.Pledge._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": gettext("Import pledges from CSV"),
        "max_bytes": imports.MAX_FILE_BYTES,
        "max_rows": imports.MAX_ROWS,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(SESSION_KEY) or {}
        if not stored or stored.get("sha256") != request.POST["confirm"]:
            context["upload_error"] = gettext("The previewed file is no longer available. Upload it again.")
            return TemplateResponse(request, "commitments/admin/import_pledges.html", context)
        data = base64.b64decode(stored["data"])
        report = imports.import_pledges(data, user=request.user, reason=f"CSV import of {stored['name']} (admin)")
        if report.ok:
            del request.session[SESSION_KEY]
            messages.success(request, report.summary())
            return redirect(context["changelist_url"])
        context.update(report=report, file_name=stored["name"])
        return TemplateResponse(request, "commitments/admin/import_pledges.html", context)

    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["upload_error"] = gettext("Choose a CSV file to import.")
        elif upload.size > imports.MAX_FILE_BYTES:
            context["upload_error"] = gettext(
                "The file is %(size)s bytes; the import takes at most %(limit)s bytes."
            ) % {
                "size": number_format(upload.size, force_grouping=True),
                "limit": number_format(imports.MAX_FILE_BYTES, force_grouping=True),
            }
        else:
            data = upload.read()
            report = imports.plan_import(data)
            context.update(report=report, file_name=upload.name)
            if report.ok:
                digest = hashlib.sha256(data).hexdigest()
                request.session[SESSION_KEY] = {
                    "sha256": digest,
                    "name": upload.name,
                    "data": base64.b64encode(data).decode("ascii"),
                }
                context["confirm"] = digest
    return TemplateResponse(request, "commitments/admin/import_pledges.html", context)


class PledgeImportExportMixin:
    """Adds the export action and the import page to a Pledge ModelAdmin; the change list's
    "Import CSV" button (templates/admin/commitments/pledge/change_list.html) shows when
    `pledge_import_allowed`."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "export_pledges_action" not in actions and self.has_view_permission(request):
            actions["export_pledges_action"] = self.get_action(export_pledges_action)
        return actions

    def changelist_view(self, request, extra_context=None):
        allowed = self.has_add_permission(request) and self.has_change_permission(request)
        return super().changelist_view(request, {**(extra_context or {}), "pledge_import_allowed": allowed})

    def get_urls(self):
        view = self.admin_site.admin_view(partial(import_pledges_view, model_admin=self))
        return [path("import/", view, name="commitments_pledge_import"), *super().get_urls()]
