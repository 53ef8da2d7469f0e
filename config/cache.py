"""Django's Redis cache, counted in the Prometheus metrics (gets, hits, misses, failures) as
django-prometheus counts its own backends (its Redis one needs django-redis)."""

from django.core.cache.backends.redis import RedisCache
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)

BACKEND = "redis"


class MeteredRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        django_cache_get_total.labels(backend=BACKEND).inc()
        try:
            value = super().get(key, default=None, version=version)
        except Exception:
            django_cache_get_fail_total.labels(backend=BACKEND).inc()
            raise
        if value is None:
            django_cache_misses_total.labels(backend=BACKEND).inc()
            return default
        django_cache_hits_total.labels(backend=BACKEND).inc()
        return value
