"""Who may read the register: one rule for the public pages, the API, the exports, the reports and
the integrity report of /healthz.

Anyone while the setting PUBLIC_READ is on; otherwise an active signed-in user: an analyst or
viewer with a browser session, or an API client whose token belongs to an active user. Who may
*write* is a matter of model permissions (the roles), checked by the admin and the API."""

from django.conf import settings


def may_read(user) -> bool:
    return bool(settings.PUBLIC_READ or (user is not None and user.is_authenticated and user.is_active))
