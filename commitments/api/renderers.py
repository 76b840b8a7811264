"""The browsable API (the API's HTML pages for a signed-in analyst) under the Content-Security-Policy."""

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from rest_framework import renderers
from rest_framework.utils.breadcrumbs import get_breadcrumbs

from ..csp import style_attributes


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's page has one style attribute (on its Extra Actions menu and Filters button); this renderer's
    responses admit exactly that declaration (tracker.middleware.CSPMiddleware reads `csp_update`).
    The Pygments stylesheet DRF writes inline is left out: it colours highlighted code in
    Markdown view descriptions, and Markdown is not installed."""

    csp_update = style_attributes("float: right; margin-right: 10px")

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        return context

    def get_breadcrumbs(self, request):
        """DRF's breadcrumbs (each address the path passes through that a view answers), without the
        addresses only the catch-all JSON 404 answers (`/api/summits` without its slash: DRF lists
        it as "Not Found"), and with the record's key on a record's address ("Summit paris-2025")."""
        crumbs = []
        for name, url in get_breadcrumbs(request.path, request):
            try:
                match = resolve(urlsplit(url).path)
            except Resolver404:
                continue
            if match.url_name == "not-found":
                continue
            if getattr(match.func, "initkwargs", {}).get("suffix") == "Instance" and match.kwargs:
                name = f"{name} {next(iter(match.kwargs.values()))}"
            crumbs.append((name, url))
        return crumbs
