"""One place that turns domain errors into HTTP: DomainError → 409 {"code", "detail"}; Django's
ValidationError → 400 {field: [messages]} (a dotted field, "overrides.startup.specialist",
becomes nested objects); everything else keeps DRF's shapes (404 {"detail"}, 403 {"detail"})."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError


def nested(message_dict: dict) -> dict:
    """{"a.b": [m]} → {"a": {"b": [m]}}: a service names a nested field by its path."""
    out: dict = {}
    for path, messages in message_dict.items():
        *parents, last = (path if path != "__all__" else "non_field_errors").split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
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
    return drf_exception_handler(exc, context)
