"""Token authentication against `ApiToken` (hashed keys, read-only or read-write)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from ..models import ApiToken
from ..models.tokens import hash_key

# Recording every use would turn each read into a write; a minute is precise enough for
# "is this token still in use?".
LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`). The request runs as the token's user,
    with `request.auth` set to the token so permissions can check whether it may write."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        parts = header.split() if isinstance(header, str) else header.decode("latin-1").split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(gettext("Invalid Authorization header: give 'Token <key>'."))
        key = parts[1]
        if not key.isascii() or "\x00" in key:
            raise exceptions.AuthenticationFailed(gettext("Invalid token."))
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(gettext("Invalid token."))
        now = timezone.now()
        if token.last_used is None or now - token.last_used > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'
