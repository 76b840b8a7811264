"""What the shared cache (CACHE_URL) raises when it cannot be reached, for the few places that go on
without it: the API throttles (let the request through), replica routing (read the primary), the
data page's sizes (measure again), the deep health check (report it)."""


def cache_errors() -> tuple[type[BaseException], ...]:
    """The Redis client's errors and socket errors (the local-memory cache raises neither)."""
    from redis.exceptions import RedisError

    return (RedisError, OSError)
