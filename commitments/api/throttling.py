"""Rate limits for anonymous and token clients (settings API_THROTTLE_ANON / API_THROTTLE_TOKEN).

The rates are read on every request rather than once at import, so a settings override (tests,
a reconfigured process) takes effect. Counts live in the default cache: per process with the
default local-memory cache, shared by every process and host when CACHE_URL names a Redis.

DRF's own throttles keep a list of request times per client and write it back after reading it:
two workers answering the same client at once both read the same list and each add one, so
together they let through more than the rate. Here every request is one atomic increment
(`cache.incr`, Redis INCR) of a counter per client and window of the rate's length, and the
previous window's count is carried over in proportion to the part of it still inside the last
period (rounded up): a client never gets more than the rate in a burst across two windows, and
the workers together let through exactly the rate. A refused request is taken back off the count,
so a client that keeps knocking is let in again as soon as its earlier requests age out.

If the shared cache cannot be reached the throttle lets the request through (logged, at most once
a minute per process; the process then leaves the cache alone for a few seconds,
commitments/caching.py): the limit protects capacity, not data (writes need a login or a token,
and the login limits live in the database), so a Redis outage must not take the API down with it."""

import logging
import math
import time

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from .. import caching
from ..caching import cache_errors
from ..models import ApiToken

log = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 60
_last_warning = [0.0]  # this process's last warning about the cache: only to keep the log short


class SharedCountThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        if caching.paused():
            return True  # it failed a moment ago: not another timeout for this request
        now = self.timer()
        window, elapsed = divmod(now, self.duration)
        current, previous = f"{self.key}:{int(window)}", f"{self.key}:{int(window) - 1}"
        try:
            # add + incr: one round trip each, atomic in Redis and in the local-memory cache.
            self.cache.add(current, 0, self.duration * 2 + 1)
            try:
                count = self.cache.incr(current)
            except ValueError:  # the counter expired between add and incr (a process stalled)
                self.cache.add(current, 1, self.duration * 2 + 1)
                count = 1
            earlier = self.cache.get(previous) or 0
        except cache_errors() as error:
            caching.pause()
            self._warn(error)
            return True
        carried = math.ceil(earlier * (1 - elapsed / self.duration))
        if carried + count <= self.num_requests:
            return True
        try:
            self.cache.decr(current)
        except (ValueError, *cache_errors()):
            pass  # the count stays one too high until the window ends: stricter, never looser
        self._wait = self._wait_for(earlier, count - 1, elapsed)
        return False

    def _wait_for(self, earlier: int, counted: int, elapsed: float) -> float:
        """Seconds until the next request would be let through."""
        room = self.num_requests - counted - 1  # what the previous window may still carry
        if room < 0 or earlier == 0:  # this window alone is full: until it ends
            return self.duration - elapsed
        # carried = ceil(earlier * (1 - t / duration)) <= room once t >= duration * (1 - room / earlier)
        return max(self.duration * (1 - room / earlier) - elapsed, 0)

    def wait(self):
        return max(math.ceil(getattr(self, "_wait", self.duration)), 1)

    @staticmethod
    def _warn(error):
        if time.monotonic() - _last_warning[0] >= WARN_EVERY_SECONDS:
            _last_warning[0] = time.monotonic()
            log.warning("API throttle: the cache cannot be reached (%s); requests are let through unthrottled", error)


class AnonThrottle(SharedCountThrottle):
    """Anonymous clients, counted per IP address (behind NUM_PROXIES proxies: X-Forwarded-For's)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        return AnonRateThrottle.get_cache_key(self, request, view)


class TokenThrottle(SharedCountThrottle):
    """Token clients, counted per token; browser sessions of signed-in analysts are not limited."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
