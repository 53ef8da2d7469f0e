"""Probes, answered before anything validates the Host header or redirects to HTTPS, so a load
balancer or Prometheus can address a node by its IP:

- GET /healthz: the process is alive; touches neither the database nor the cache.
- GET /readyz: the database and the cache answer; otherwise 503 naming what is down.
- GET /metrics: Prometheus metrics (django-prometheus), only with
  `Authorization: Bearer <METRICS_TOKEN>`; a 404 when METRICS_TOKEN is unset."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django_prometheus.exports import ExportToDjangoView

logger = logging.getLogger(__name__)


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as error:
        logger.warning("Readiness: the database is down (%s: %s)", type(error).__name__, error)
        return False


def _cache_up() -> bool:
    try:
        cache.set("readyz-probe", "1", 10)
        return cache.get("readyz-probe") == "1"
    except Exception as error:
        logger.warning("Readiness: the cache is down (%s: %s)", type(error).__name__, error)
        return False


def readyz(request):
    checks = {"database": _database_up(), "cache": _cache_up()}
    body = {name: "up" if up else "down" for name, up in checks.items()}
    down = [name for name, up in checks.items() if not up]
    if down:
        body = {"status": "unavailable", **body, "detail": f"Down: {', '.join(down)}."}
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ok", **body})


def metrics(request):
    token = settings.METRICS_TOKEN
    if not token:
        return JsonResponse({"detail": "Not found."}, status=404)
    given = request.headers.get("Authorization", "")
    if not constant_time_compare(given, f"Bearer {token}"):
        response = JsonResponse({"detail": "A valid metrics bearer token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return ExportToDjangoView(request)


PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        return probe(request)
