"""Rate limits for anonymous and token clients (settings API_THROTTLE_ANON / API_THROTTLE_TOKEN).

The rates are read on every request rather than once at import, so a settings override (tests,
a reconfigured process) takes effect. Counts live in the default cache: per process with the
default local-memory cache, shared when a shared cache is configured."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from ..models import ApiToken


class CurrentRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(CurrentRateMixin, AnonRateThrottle):
    """Anonymous clients, counted per IP address."""


class TokenThrottle(CurrentRateMixin, SimpleRateThrottle):
    """Token clients, counted per token; browser sessions of signed-in analysts are not limited."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
