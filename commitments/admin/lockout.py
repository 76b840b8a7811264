"""What a login from a locked-out address gets (django-axes' AXES_LOCKOUT_CALLABLE): 429 Too Many
Requests with Retry-After, and a page saying why and for how long, not a bare error."""

from django.conf import settings
from django.shortcuts import render


def locked_out(request, credentials, *args, **kwargs):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"minutes": max(1, round(seconds / 60)), "failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
