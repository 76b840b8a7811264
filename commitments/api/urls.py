"""/api/: the REST API, its OpenAPI schema and its documentation (served from installed assets)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import schema, views  # noqa: F401 (schema registers the token scheme with drf-spectacular)

app_name = "api"

router = SimpleRouter()
router.register("pledges", views.PledgeViewSet, basename="pledge")
router.register("states", views.StateViewSet, basename="state")
router.register("summits", views.SummitViewSet, basename="summit")
router.register("declarations", views.DeclarationViewSet, basename="declaration")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("changes/", views.ChangeFeedView.as_view(), name="change-list"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found),  # [\s\S]: a path may hold an encoded newline
]
