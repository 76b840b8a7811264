"""API tokens: how scripts and partner systems authenticate to the REST API."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 30  # 40 URL-safe characters, as long as DRF's own tokens
PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A secret that authenticates API requests as its user (`Authorization: Token <key>`).

    Only a SHA-256 hash of the key is stored, so a leaked database does not leak working tokens;
    the key itself is shown once, when the token is issued. A token is read-only unless
    `can_write` is set, and even a read-write token can do no more than its user's permissions
    allow: the token narrows the user's rights, it never widens them."""

    name = models.CharField(max_length=100, help_text=_("What the token is for, e.g. 'partner dashboard sync'."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # a token acts as its user; without the user it means nothing
        related_name="api_tokens",
    )
    prefix = models.CharField(
        max_length=PREFIX_LENGTH, editable=False, help_text=_("First characters of the key, to tell tokens apart.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(
        default=False,
        help_text=_("Read-write: may create, change and delete within the user's permissions. Otherwise read-only."),
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]
        verbose_name = _("API token")

    def __str__(self):
        access = "read-write" if self.can_write else "read-only"
        return f"{self.name} ({self.prefix}…, {access})"

    @classmethod
    def issue(cls, user, *, name: str, can_write: bool = False) -> tuple["ApiToken", str]:
        """Create a token for `user`; returns it with the key, which is not stored and not shown again."""
        key = secrets.token_urlsafe(TOKEN_BYTES)
        token = cls.objects.create(
            user=user, name=name, can_write=can_write, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key)
        )
        return token, key

    def assign_key(self) -> str:
        """Give an unsaved token a new key (the admin's add form); returns the key to show once."""
        key = secrets.token_urlsafe(TOKEN_BYTES)
        self.prefix, self.key_hash = key[:PREFIX_LENGTH], hash_key(key)
        return key
