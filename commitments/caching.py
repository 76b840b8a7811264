"""What the shared cache (CACHE_URL) raises when it cannot be reached, for the few places that go on
without it: the API throttles (let the request through), replica routing (read the primary), the
data page's sizes (measure again), the deep health check (report it).

After a failure a process leaves the cache alone for PAUSE_SECONDS (`paused()`): a Redis that
drops packets rather than refusing would otherwise cost every request the full socket timeout. The
deep health check still tries every time: it is what tells that Redis is back."""

import time

PAUSE_SECONDS = 10
_paused_until = [0.0]  # this process's own: only how long it skips a cache that just failed


def cache_errors() -> tuple[type[BaseException], ...]:
    """The Redis client's errors and socket errors (the local-memory cache raises neither)."""
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def paused() -> bool:
    """Whether the cache failed in this process within the last PAUSE_SECONDS."""
    return time.monotonic() < _paused_until[0]


def pause() -> None:
    """The cache just failed: skip it for a while."""
    _paused_until[0] = time.monotonic() + PAUSE_SECONDS


def resume() -> None:
    _paused_until[0] = 0.0
