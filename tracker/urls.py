from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from .views import healthz

admin.site.site_header = _("Ukraine security guarantees tracker")
# The left-hand list of every model took 275 px of a 1366 px laptop screen from each page (issue 15);
# the admin's home page and the breadcrumbs lead to the same places.
admin.site.enable_nav_sidebar = False
admin.site.site_title = _("Guarantees tracker")
admin.site.index_title = _("Pledges, summits and declarations")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The language switcher's POST (Django's set_language): sets the language cookie, then back to `next`.
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("commitments.api.urls")),
    path("feeds/", include("commitments.notifications.urls")),
    # The public pages; "/" is the overview.
    path("", include("commitments.urls")),
]

handler500 = "tracker.errors.server_error"
