"""An install an operator can trust: the real client behind proxies, sign-in lockout, a cache
outage, health probes by IP, metrics, and database outages answered as a JSON 503."""

import logging

import pytest
import redis
from django.core.cache.backends.base import BaseCache
from django.db import OperationalError, connection
from rest_framework.test import APIClient

from config.api.throttling import FailOpenScopedRateThrottle
from config.client_address import client_address

TOKEN = "/api/v1/auth/token/"


class BrokenCache(BaseCache):
    """A cache whose server is down: every call raises, as Django's Redis backend does."""

    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to redis:6379.")

    add = get = set = touch = delete = clear = has_key = incr = get_many = set_many = _down


BROKEN_CACHE = {"default": {"BACKEND": "tests.test_operations.BrokenCache"}}


@pytest.fixture
def token_rate(monkeypatch, settings):
    def set_rate(rate):
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": rate}
        monkeypatch.setattr(FailOpenScopedRateThrottle, "THROTTLE_RATES", rates)

    return set_rate


def sign_in(client, username, password, **headers):
    return client.post(
        TOKEN, {"username": username, "password": password}, format="json", headers=headers
    )


# The real client -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("6.6.6.6", 0, "10.0.0.9"),
        ("6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),
        ("6.6.6.6, 203.0.113.7, 10.0.0.2", 2, "203.0.113.7"),
        ("203.0.113.7", 2, "203.0.113.7"),
        ("", 1, "10.0.0.9"),
    ],
)
def test_only_the_trusted_proxies_entries_are_believed(forwarded, proxies, expected):
    meta = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(meta, proxies) == expected


def test_a_forged_forwarded_for_does_not_bypass_the_token_throttle(lead, token_rate, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    token_rate("3/minute")
    client = APIClient()
    codes = [
        sign_in(client, "lead", "guess", **{"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]


def test_behind_one_proxy_the_throttle_counts_the_address_it_saw(lead, token_rate, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    token_rate("3/minute")
    client = APIClient()
    forged_prefix = [
        sign_in(client, "x", "y", **{"X-Forwarded-For": f"6.6.6.{i}, 203.0.113.7"}).status_code
        for i in range(4)
    ]
    assert forged_prefix == [400, 400, 400, 429]
    others = [
        sign_in(client, "x", "y", **{"X-Forwarded-For": f"203.0.113.{100 + i}"}).status_code
        for i in range(3)
    ]
    assert others == [400, 400, 400]


# Lockout ----------------------------------------------------------------------------------


def test_repeated_failed_sign_ins_lock_out_the_username_from_that_address(lead, settings):
    settings.AXES_FAILURE_LIMIT = 3
    lead.set_password("correct horse")
    lead.save()
    client = APIClient()
    codes = [sign_in(client, "lead", "guess").status_code for _ in range(3)]
    assert codes[:2] == [400, 400]
    locked = sign_in(client, "lead", "correct horse")
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "detail" in locked.json()
    assert int(locked["Retry-After"]) > 0
    # Another address is not locked out of the account, and the address not out of others'.
    settings.TRUSTED_PROXY_COUNT = 1
    elsewhere = sign_in(client, "lead", "correct horse", **{"X-Forwarded-For": "203.0.113.9"})
    assert elsewhere.status_code == 200


def test_the_admin_login_locks_out_too(lead, settings, client):
    settings.AXES_FAILURE_LIMIT = 3
    lead.set_password("correct horse")
    lead.save()
    for _ in range(3):
        client.post("/admin/login/", {"username": "lead", "password": "guess"})
    response = client.post("/admin/login/", {"username": "lead", "password": "correct horse"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_in_works_while_the_cache_is_down(lead, settings, caplog):
    lead.set_password("correct horse")
    lead.save()
    settings.CACHES = BROKEN_CACHE
    caplog.set_level(logging.WARNING, logger="config.api.throttling")
    response = sign_in(APIClient(), "lead", "correct horse")
    assert response.status_code == 200
    assert response.json()["token"]
    assert [r.getMessage() for r in caplog.records if "cache is unavailable" in r.getMessage()]


# Probes and metrics -----------------------------------------------------------------------


def test_healthz_answers_a_probe_by_ip_without_the_database(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database_and_the_cache(client):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "cache": "up"}


@pytest.mark.django_db
def test_readyz_names_the_cache_when_it_is_down(client, settings):
    settings.CACHES = BROKEN_CACHE
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 503
    assert response.json()["cache"] == "down"
    assert response.json()["database"] == "up"


@pytest.mark.django_db
def test_readyz_names_the_database_when_it_is_down(client):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with connection.execute_wrapper(refuse):
        response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["cache"] == "up"


def test_metrics_are_not_public(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_HOST="10.1.2.3").status_code == 404
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics", HTTP_HOST="10.1.2.3").status_code == 401
    wrong = client.get("/metrics", HTTP_HOST="10.1.2.3", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401


@pytest.mark.django_db
def test_metrics_with_the_token_report_latency_by_view(client, settings, lead):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    APIClient().post(TOKEN, {"username": "lead", "password": "guess"}, format="json")
    response = client.get(
        "/metrics", HTTP_HOST="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert (
        'django_http_requests_latency_seconds_by_view_method_count{method="POST",view="auth-token"}'
        in text
    )


# Database outages -------------------------------------------------------------------------


def _raising(message):
    def wrapper(execute, sql, params, many, context):
        raise OperationalError(message)

    return wrapper


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("connection to server at 10.0.0.5 failed: Connection refused", "unreachable"),
        ("database or disk is full", "disk_full"),
        ("attempt to write a readonly database", "read_only"),
        ("unable to open database file", "cannot_open"),
    ],
)
def test_a_database_outage_is_a_json_503_with_retry_after(api, lead, caplog, message, cause):
    client = api(lead)
    caplog.set_level(logging.ERROR, logger="config.outage")
    with connection.execute_wrapper(_raising(message)):
        response = client.get("/api/v1/alliances/")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert body["cause"] == cause
    assert "10.0.0.5" not in body["detail"]
    assert int(response["Retry-After"]) > 0
    assert any(message in r.getMessage() for r in caplog.records)


def test_the_admin_gets_a_503_too(client, superuser):
    client.force_login(superuser)
    with connection.execute_wrapper(_raising("server closed the connection unexpectedly")):
        response = client.get("/admin/alliances/alliance/")
    assert response.status_code == 503


def test_a_missing_table_is_not_called_an_outage(api, lead):
    from config.outage import outage_cause

    assert outage_cause(OperationalError("no such table: alliances_alliance")) is None


READ_ONLY = {
    # SQLite itself refuses every write: "attempt to write a readonly database".
    "sqlite": ("PRAGMA query_only = ON", "PRAGMA query_only = OFF"),
    # As a hot standby does: "cannot execute INSERT in a read-only transaction".
    "postgresql": (
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
    ),
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_only_database_is_a_503_and_the_app_recovers(api, head):
    client = api(head)
    body = {"code": "ONC", "name": "Oncology"}
    read_only, read_write = READ_ONLY[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(read_only)
    try:
        response = client.post("/api/v1/therapeutic-areas/", body, format="json")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(read_write)
    assert response.status_code == 503
    assert response.json()["cause"] == "read_only"
    assert client.post("/api/v1/therapeutic-areas/", body, format="json").status_code == 201


# Settings ---------------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 64 + "-not-a-real-secret-but-long-and-random-enough-9f8e7d",
    "ALLOWED_HOSTS": "alliances.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://alliances.example.com",
    "DATABASE_URL": "postgres://app@db.example.com:5432/alliances",
    "REDIS_CACHE_URL": "redis://cache.example.com:6379/1",
    "CELERY_BROKER_URL": "redis://cache.example.com:6379/2",
}


def _production(*args):
    import os
    import subprocess
    import sys
    from pathlib import Path

    unset = ("MEDIA_ROOT", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "STATIC_ROOT")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(__file__).resolve().parents[1],
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_needs_only_what_the_code_uses():
    result = _production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_meters_database_and_cache_calls():
    result = _production(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE']); "
        "print(settings.CACHES['default']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [
        "django_prometheus.db.backends.postgresql",
        "config.cache.MeteredRedisCache",
    ]
