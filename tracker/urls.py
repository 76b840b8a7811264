from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Ukraine security guarantees tracker"
admin.site.site_title = "Guarantees tracker"
admin.site.index_title = "Pledges, summits and declarations"

urlpatterns = [
    path("admin/", admin.site.urls),
    # File exports and summary reports (plain views), before the DRF API so no router pattern shadows them.
    path("api/", include("commitments.export_urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
