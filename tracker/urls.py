from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Ukraine security guarantees tracker"
admin.site.site_title = "Guarantees tracker"
admin.site.index_title = "Pledges, summits and declarations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("commitments.api.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
