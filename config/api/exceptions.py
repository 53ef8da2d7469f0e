"""One place that turns domain errors into HTTP: DomainError → 409 {"code", "detail"}; Django's
ValidationError → 400 {field: [messages]} (a dotted field, "overrides.startup.specialist",
becomes nested objects); everything else keeps DRF's shapes (404 {"detail"}, 403 {"detail"});
a body over the size limit is a 413 {"detail"}; every 409 carries a `code`."""

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.api.parsers import RequestTooLarge
from config.errors import DomainError


def nested(message_dict: dict) -> dict:
    """{"a.b": [m]} → {"a": {"b": [m]}}: a service names a nested field by its path. A name
    that cannot nest (an empty part, or one that is both a field and a parent: keys a client
    chose, such as ".0" or "") stays as it came."""
    out: dict = {}
    for path, messages in message_dict.items():
        key = "non_field_errors" if path == "__all__" else path
        *parents, last = key.split(".")
        node = out
        for part in parents if all(key.split(".")) else [None]:
            child = node.get(part, {}) if part is not None else None
            if not isinstance(child, dict):
                node = None
                break
            node = node.setdefault(part, child)
        if node is None:
            out[key] = list(messages)
        elif isinstance(node.get(last), dict):  # "a.b" came first: "a" is about a as a whole
            node[last].setdefault("non_field_errors", []).extend(messages)
        else:
            node[last] = list(messages)
    return out


def validation_detail(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return nested(error.message_dict)
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(
            {"code": exc.code, "detail": exc.detail, **exc.extra}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            {"code": "in_use", "detail": "It is still referenced and cannot be deleted."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError("The form has too many fields or files.")
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request could not be read.")
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and response.status_code == status.HTTP_409_CONFLICT
        and isinstance(response.data, dict)
        and "code" not in response.data
    ):
        # Every 409 says which rule in `code` (e.g. an Idempotency-Key still in flight).
        response.data = {"code": exc.get_codes(), **response.data}
    return response
