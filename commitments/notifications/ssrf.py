"""Where a webhook may point: HTTPS on a public address, checked when it is registered and again
at each delivery, which then connects to the very address checked (so a DNS answer that changes
between the check and the connection cannot turn it to the server's own network).

`WEBHOOK_ALLOW_PRIVATE` lifts both rules, for local receivers (tests, `make run`); with DEBUG on,
plain HTTP is allowed on public addresses too."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL: the Host header and the name the TLS certificate must carry
    port: int
    path: str  # the path and query string to request
    address: str  # the checked IP address to connect to


def allow_private() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE)


def allow_http() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE or settings.DEBUG)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def check_url(url: str) -> Target:
    """The URL's target with a checked address to connect to; ValidationError if it may not be used."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(_("Enter a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter an http or https URL with a host name."))
    if scheme == "http" and not allow_http():
        raise ValidationError(_("Webhook URLs must use HTTPS."))
    if parts.username or parts.password:
        raise ValidationError(_("A webhook URL may not carry a user name or password."))
    host = parts.hostname
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValidationError(_("The host %(host)s could not be found.") % {"host": host}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise ValidationError(_("The host %(host)s could not be found.") % {"host": host})
    if not allow_private():
        private = [address for address in addresses if not is_public(address)]
        if private:
            raise ValidationError(
                _(
                    "The host %(host)s resolves to an address that is not public (%(address)s): webhooks "
                    "may only call public addresses."
                )
                % {"host": host, "address": private[0]}
            )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
