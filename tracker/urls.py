from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from .views import healthz

admin.site.site_header = "Ukraine security guarantees tracker"
admin.site.site_title = "Guarantees tracker"
admin.site.index_title = "Pledges, summits and declarations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
