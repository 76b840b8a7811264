"""The address a request comes from, behind NUM_PROXIES reverse proxies: one rule for the API
throttles (DRF's NUM_PROXIES) and the login limits (django-axes' AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings


def client_address(request) -> str | None:
    """Each proxy appends the address it was reached from to X-Forwarded-For, so the client is the
    NUM_PROXIES-th entry from the right; what a client wrote further left is its own claim and is
    ignored. With no header (a request that bypassed the proxy), the connection's address."""
    count = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if count <= 0 or not forwarded:
        return request.META.get("REMOTE_ADDR")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(count, len(hops))] if hops else request.META.get("REMOTE_ADDR")
