"""The access log never writes a calendar address's secret (it is the only credential a
calendar client has)."""

import datetime
import types

from gunicorn.config import Config

from config.gunicorn_logging import RedactingLogger

SECRET = "Zq3x-9Yt_secretsecretsecretsecretsecret0"


def test_a_calendar_secret_never_reaches_the_access_log():
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/calendar/{SECRET}.ics?x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/api/v1/calendar/{SECRET}.ics",
        "QUERY_STRING": "x=1",
        "HTTP_REFERER": f"https://example.com/api/v1/calendar/{SECRET}.ics",
    }
    response = types.SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = types.SimpleNamespace(headers=[])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))
    line = " ".join(str(value) for value in atoms.values())
    assert SECRET not in line
    assert atoms["r"] == "GET /api/v1/calendar/….ics?x=1 HTTP/1.1"
    assert atoms["U"] == "/api/v1/calendar/….ics"


def test_other_paths_are_logged_as_they_were():
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/calendar/feed-url/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/api/v1/calendar/feed-url/",
    }
    response = types.SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(
        response, types.SimpleNamespace(headers=[]), environ, datetime.timedelta(0)
    )
    assert atoms["r"] == "GET /api/v1/calendar/feed-url/ HTTP/1.1"
