"""`make bench-services`: the production settings (DEBUG off, PostgreSQL, Redis cache and
broker, query metrics) with what a loopback load test needs and nothing else changed: plain
HTTP on 127.0.0.1, its own database, Redis databases and media folder (bench/services.py sets
them), and a URLconf that adds the floor view (bench/floor_urls.py). Never used to serve
anything but the benchmark."""

import os

# What production reads from the environment, defaulted for a throwaway run on loopback.
for _name, _value in {
    "SECRET_KEY": "bench-services-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/benchsvc",
    "REDIS_CACHE_URL": "redis://127.0.0.1:6379/8",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
    "SECURE_SSL_REDIRECT": "false",
}.items():
    os.environ.setdefault(_name, _value)

from .production import *  # noqa: E402, F403

# The production URLconf plus the floor view; the production URLs never carry it.
ROOT_URLCONF = "bench.floor_urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
