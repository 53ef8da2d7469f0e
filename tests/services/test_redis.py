"""The shared cache: throttle counts are kept in Redis, so every web node sees them."""

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.services


def test_cache_is_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache.set("probe", "value", 5)
    assert cache.get("probe") == "value"


def test_celery_has_a_real_broker():
    from config.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
