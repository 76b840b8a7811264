"""A URLconf whose admin hooks the import page and export action into PledgeAdmin exactly as
commitments/admin_exports.py tells admin.py to, so the hook is tested whatever admin.py becomes."""

from django.contrib import admin
from django.urls import include, path
from simple_history.admin import SimpleHistoryAdmin

from commitments.admin_exports import PledgeImportExportMixin
from commitments.models import Pledge

site = admin.AdminSite(name="admin")


@admin.register(Pledge, site=site)
class PledgeAdmin(PledgeImportExportMixin, SimpleHistoryAdmin):
    list_display = ["title", "category", "status"]


urlpatterns = [
    path("admin/", site.urls),
    path("api/", include("commitments.export_urls")),
]
