"""/api/: the REST API, its OpenAPI schema and its documentation (served from installed assets)."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .. import exports as exports_package
from . import exports, package, releases, review, schema, views, webhooks  # noqa: F401 (schema registers the token scheme with drf-spectacular)

app_name = "api"

router = SimpleRouter()
router.register("pledges", views.PledgeViewSet, basename="pledge")
router.register("states", views.StateViewSet, basename="state")
router.register("summits", views.SummitViewSet, basename="summit")
router.register("declarations", views.DeclarationViewSet, basename="declaration")
router.register("sources", views.SourceViewSet, basename="source")
router.register("instruments", views.InstrumentViewSet, basename="instrument")
router.register("people", views.PersonViewSet, basename="person")
router.register("posts", views.PostViewSet, basename="post")
router.register("statements", views.StatementViewSet, basename="statement")
router.register("force-requirements", views.ForceRequirementViewSet, basename="force-requirement")
router.register("citations", views.CitationViewSet, basename="citation")
router.register("status-changes", views.StatusChangeViewSet, basename="status-change")
router.register("revisions", review.RevisionViewSet, basename="revision")
router.register("instrument-status-changes", views.InstrumentStatusChangeViewSet, basename="instrument-status-change")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")

# File exports and summary reports: before the router, so no detail route shadows them. Every
# table as CSV and XLSX (`/api/<table>/export.csv`, `.xlsx`), with its FilterSet's filters.
files = [
    *(
        path(f"{table}/export.{extension}", view.as_view(table=table), name=f"export-{table}-{extension}")
        for table in exports_package.TABLES
        for extension, view in (("csv", exports.TableCSVView), ("xlsx", exports.TableXLSXView))
    ),
    path("reports/summary.csv", exports.SummaryCSVView.as_view(), name="report-summary-csv"),
    path("reports/summary.xlsx", exports.SummaryXLSXView.as_view(), name="report-summary-xlsx"),
    path("reports/summary.json", exports.SummaryJSONView.as_view(), name="report-summary-json"),
    path("data-package.zip", package.DataPackageZipView.as_view(), name="data-package-zip"),
    path("data-package.xlsx", package.DataPackageXLSXView.as_view(), name="data-package-xlsx"),
]

# Swagger UI under the Content-Security-Policy: the split view serves its start-up script as a file
# (docs/?script) rather than inline, the template moves drf-spectacular's inline <style> to a file,
# and this page alone may show data: images (Swagger UI's stylesheet draws its icons with them).
docs = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html")
)

# Releases: `[^/]+` so that any number reaches the view, which answers a JSON 404 for a bad one.
release_paths = [
    path("releases/", releases.ReleaseListView.as_view(), name="release-list"),
    re_path(r"^releases/(?P<number>[^/]+)/$", releases.ReleaseDetailView.as_view(), name="release-detail"),
    re_path(
        r"^releases/(?P<number>[^/]+)/package\.zip$", releases.ReleasePackageView.as_view(), name="release-package"
    ),
    re_path(
        r"^releases/(?P<number>[^/]+)/diff/(?P<other>[^/]+)/$", releases.ReleaseDiffView.as_view(), name="release-diff"
    ),
    re_path(
        r"^releases/(?P<number>[^/]+)/diff/(?P<other>[^/]+)/export\.csv$",
        releases.ReleaseDiffCSVView.as_view(),
        name="release-diff-csv",
    ),
]

urlpatterns = [
    *files,
    *release_paths,
    path("", views.ApiRootView.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("changes/", views.ChangeFeedView.as_view(), name="change-list"),
    path("docs/", docs, name="docs"),
    # Redoc was here: it cannot run under the policy (it fetches its logo from cdn.redoc.ly whatever
    # its options, and writes styles before it can be given a nonce). Swagger UI documents the same schema.
    path("redoc/", RedirectView.as_view(pattern_name="api:docs"), name="redoc"),
    path("", include(router.urls)),
    # [\s\S]: a path may hold an encoded newline. Named, so the browsable API's breadcrumbs leave it out.
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found, name="not-found"),
]
