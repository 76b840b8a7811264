import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, connections
from django.http import JsonResponse

from commitments import caching, integrity
from commitments.access import may_read
from commitments.caching import cache_errors

from .db_routers import REPLICA

log = logging.getLogger(__name__)


def healthz(request):
    """Liveness and database reachability, for the container healthcheck. `?deep=1` also runs
    the register's integrity checks (commitments.integrity) for monitoring: 503 when any fails,
    with the number of breaches per check, and the breaches themselves for those who may read;
    and, where they are configured, whether the shared cache (CACHE_URL) and the read replica
    (DATABASE_REPLICA_URL) answer (`services`; 503 when one does not)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if request.GET.get("deep") not in ("1", "true"):
        return JsonResponse({"status": "ok"})
    results = integrity.run()
    services = shared_services()
    failing = any(results.values()) or any(state != "ok" for state in services.values())
    body = {
        "status": "failing" if failing else "ok",
        "checks": {name: len(problems) for name, problems in results.items()},
    }
    if services:
        body["services"] = services
    if failing and may_read(request.user):
        body["problems"] = [
            {"check": p.check, "record": p.record, "message": p.message}
            for problems in results.values()
            for p in problems[:100]
        ]
    return JsonResponse(body, status=503 if failing else 200)


def shared_services() -> dict[str, str]:
    """ "ok" or "unreachable" for the shared cache and the read replica, those configured."""
    services = {}
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        try:
            cache.set("healthz", 1, 10)
            services["cache"] = "ok" if cache.get("healthz") == 1 else "unreachable"
            caching.resume()  # back: the throttles count again at once
        except cache_errors() as error:
            log.warning("Health check: the shared cache cannot be reached (%s)", error)
            services["cache"] = "unreachable"
    if REPLICA in settings.DATABASES:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT 1")
            services["replica"] = "ok"
        except DatabaseError as error:
            log.warning("Health check: the read replica cannot be reached (%s)", error)
            services["replica"] = "unreachable"
    return services
