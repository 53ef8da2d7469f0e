"""The cross-cutting machinery: settings for production, request ids, health, API docs."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_check_deploy_is_clean_on_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 64 + "-not-a-real-secret-but-long-and-random-enough-9f8e7d",
        "ALLOWED_HOSTS": "alliances.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://alliances.example.com",
        "DATABASE_URL": "postgres://app@db.example.com:5432/alliances",
        "REDIS_CACHE_URL": "redis://cache.example.com:6379/1",
        "CELERY_BROKER_URL": "redis://cache.example.com:6379/2",
        "MEDIA_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr or "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize("value", ["0", "29", "31"])
def test_a_due_day_some_months_lack_is_refused_at_start_up(value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    env["STATUS_REPORT_DUE_DAY"] = value
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert f"STATUS_REPORT_DUE_DAY must be between 1 and 28; it is {value}." in result.stderr


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(response["X-Request-ID"]) == 32
    echoed = client.get("/healthz", headers={"X-Request-ID": "lb-trace-12345678"})
    assert echoed["X-Request-ID"] == "lb-trace-12345678"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert forged["X-Request-ID"] != "<script>"


@pytest.mark.django_db
def test_logs_name_the_request_id(api, lead, caplog):
    from config.request_id import RequestIdLogFilter

    caplog.handler.addFilter(RequestIdLogFilter())
    caplog.set_level(logging.WARNING, logger="django.request")
    response = api(lead).get("/api/v1/alliances/999/")
    assert response.status_code == 404
    assert any(record.request_id == response["X-Request-ID"] for record in caplog.records)


@pytest.mark.django_db
def test_openapi_schema_and_offline_swagger_ui(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/alliances/{id}/transition/", "/api/v1/auth/token/", "/api/v1/me/"):
        assert path in text
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "unpkg" not in html


def test_schema_generation_has_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--fail-on-warn", "--file", os.devnull],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
