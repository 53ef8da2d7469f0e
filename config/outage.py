"""While the database is unreachable, full or read-only, a request is answered with a JSON 503
{"detail", "code": "database_unavailable", "cause"} and a Retry-After header, and the log says
the cause in one line; nothing is cached, so the next request after the database returns is
served as usual (PostgreSQL connections are health-checked, CONN_HEALTH_CHECKS)."""

import logging

from django.db import InterfaceError, InternalError, OperationalError
from django.http import JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

# (text in the driver's message, cause code, what to tell the client); first match wins.
CAUSES = [
    ("database or disk is full", "disk_full", "the database's disk is full"),
    ("readonly database", "read_only", "the database is read-only"),
    ("unable to open database file", "cannot_open", "the database file cannot be opened"),
    ("disk i/o error", "io_error", "the database's disk cannot be read or written"),
    ("database is locked", "busy", "the database is busy"),
]
# SQLite reports a missing table (migrations not run) and bad SQL as OperationalError too:
# those are bugs or a skipped `migrate`, not an outage, and stay 500s.
NOT_AN_OUTAGE = ("no such table", "no such column", "syntax error")
READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: read-only transaction (e.g. a standby)


def outage_cause(error: BaseException | None) -> tuple[str, str] | None:
    """(code, description) when `error` means the database cannot serve, else None."""
    if isinstance(error, InternalError):
        if getattr(error.__cause__, "sqlstate", None) == READ_ONLY_SQLSTATE:
            return "read_only", "the database is read-only"
        return None
    if not isinstance(error, OperationalError | InterfaceError):
        return None
    message = str(error).lower()
    if any(text in message for text in NOT_AN_OUTAGE):
        return None
    for text, code, description in CAUSES:
        if text in message:
            return code, description
    return "unreachable", "the database cannot be reached"


def outage_response(request, error: BaseException, cause: tuple[str, str]) -> JsonResponse:
    code, description = cause
    logger.error(
        "Database unavailable (%s) answering %s %s: %s: %s",
        code,
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    response = JsonResponse(
        {
            "detail": f"The service is unavailable because {description}; retry later.",
            "code": "database_unavailable",
            "cause": code,
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    """Turns a view's database outage into the 503. Errors raised outside views (e.g. saving a
    session) reach handler500, which gives the same answer (config.urls.server_error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        cause = outage_cause(exception)
        if cause is None:
            return None
        return outage_response(request, exception, cause)
