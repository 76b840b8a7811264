"""The browsable API (the API's HTML pages for a signed-in analyst) under the Content-Security-Policy."""

from rest_framework import renderers

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
