from django.db import connection
from django.http import JsonResponse

from commitments import integrity
from commitments.access import may_read


def healthz(request):
    """Liveness and database reachability, for the container healthcheck. `?deep=1` also runs
    the register's integrity checks (commitments.integrity) for monitoring: 503 when any fails,
    with the number of breaches per check, and the breaches themselves for those who may read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if request.GET.get("deep") not in ("1", "true"):
        return JsonResponse({"status": "ok"})
    results = integrity.run()
    failing = any(results.values())
    body = {
        "status": "failing" if failing else "ok",
        "checks": {name: len(problems) for name, problems in results.items()},
    }
    if failing and may_read(request.user):
        body["problems"] = [
            {"check": p.check, "record": p.record, "message": p.message}
            for problems in results.values()
            for p in problems[:100]
        ]
    return JsonResponse(body, status=503 if failing else 200)
