"""Stateless web nodes behind a TLS proxy, sharing PostgreSQL and Redis."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
DEMO_DATA_ALLOWED = False  # load_demo refuses to run: its users' passwords are in the README
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")
DATABASES = {"default": database_config(env("DATABASE_URL"), metrics=True)}  # noqa: F405
# Shared by every web node: throttle counts. A short socket timeout keeps an outage quick (the
# token throttle then fails open, /readyz says "cache": "down").
CACHES = {
    "default": {
        **env.cache_url("REDIS_CACHE_URL", backend="config.cache.MeteredRedisCache"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
# Report jobs and housekeeping run on Celery workers through Redis; never eagerly inside a web
# request. Job files go through Django's storage API: MEDIA_ROOT must be a folder every web node
# and worker shares (or configure STORAGES["default"] for shared storage).
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes come over plain HTTP to the node's address (config.probes answers them first anyway).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# Email goes out only through EMAIL_URL (SMTP); without it nobody is emailed (the inbox still
# has every notification).
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
