"""`Idempotency-Key` on POST: the same key and body replay the first successful response; the
same key with another body is a 422 `idempotency_key_reused`; a retry while the first request
is still running is a 409 `idempotency_key_in_flight`. Keys are per user and kept
IDEMPOTENCY_KEY_HOURS (purged on each keyed POST and by `manage.py purge_idempotency_keys`).

Only a success (2xx) holds its key. An error response (4xx, 5xx) changed nothing — services
write atomically and refuse before writing — so its key is released and a retry runs afresh
(with the corrected body, or once the state that refused it has changed). A request whose
worker was killed leaves its key "in flight"; after IDEMPOTENCY_IN_FLIGHT_SECONDS (longer
than any request may run: gunicorn's --timeout kills it first) a retry claims the key and runs.
"""

import datetime
import hashlib
import json
import logging

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"


def in_flight_window() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.IDEMPOTENCY_IN_FLIGHT_SECONDS)


def purge_expired() -> int:
    """Delete every record older than IDEMPOTENCY_KEY_HOURS; the number deleted."""
    from config.models import IdempotencyRecord

    cutoff = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class Replay(Exception):
    def __init__(self, record):
        self.record = record


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used for a different request."


class KeyInFlight(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_flight"
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


class IdempotentMixin:
    """For viewsets: wraps every POST that carries the header."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key:
            return
        from config.models import IdempotencyRecord

        if len(key) > 255:
            raise ValidationError({HEADER: ["At most 255 characters."]})
        fingerprint = _fingerprint(request)
        cutoff = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
        IdempotencyRecord.objects.filter(user=request.user, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(user=request.user, key=key)
            if record.fingerprint != fingerprint:
                raise KeyReused() from None
            if record.status_code is not None:
                raise Replay(record) from None
            if record.created_at >= timezone.now() - in_flight_window():
                raise KeyInFlight() from None
            # The first attempt died without answering: this retry claims the key and runs it,
            # unless another retry claimed it a moment ago.
            now = timezone.now()
            claimed = IdempotencyRecord.objects.filter(
                pk=record.pk, status_code__isnull=True, created_at=record.created_at
            ).update(created_at=now)
            if not claimed:
                raise KeyInFlight() from None
            record.created_at = now
        request.idempotency_record = record

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            response = Response(exc.record.body, status=exc.record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        if isinstance(exc, KeyInFlight | KeyReused):
            response = Response(
                {"code": exc.default_code, "detail": str(exc.detail)}, status=exc.status_code
            )
            if isinstance(exc, KeyInFlight):
                response["Retry-After"] = "1"
            return response
        try:
            return super().handle_exception(exc)
        except BaseException:
            _release(self.request)  # an unhandled error (a 500) is not an answer either
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(request, "idempotency_record", None)
        if record is None:
            return response
        if status.is_success(response.status_code):
            from config.models import IdempotencyRecord

            IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).update(
                status_code=response.status_code, body=response.data
            )
        else:
            _release(request)
        return response


def _release(request) -> None:
    """Forget the key of a request that ended in an error, so that a retry runs."""
    from config.models import IdempotencyRecord

    record = getattr(request, "idempotency_record", None)
    if record is None:
        return
    request.idempotency_record = None
    try:
        IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
    except DatabaseError as error:  # the database is down: the key frees itself in time
        logger.warning("Idempotency-Key not released (%s: %s)", type(error).__name__, error)
