"""`Idempotency-Key` on POST: the same key and body replay the first response; the same key
with another body is a 422. Keys are per user and kept IDEMPOTENCY_KEY_HOURS."""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

HEADER = "Idempotency-Key"
ABANDONED_AFTER = datetime.timedelta(minutes=2)


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
            if record.status_code is None:
                abandoned = record.created_at < timezone.now() - ABANDONED_AFTER
                if not abandoned:
                    raise KeyInFlight() from None
                # The first attempt died without answering: this retry runs it.
                record.created_at = timezone.now()
                record.save(update_fields=["created_at"])
                request.idempotency_record = record
                return
            raise Replay(record) from None
        request.idempotency_record = record

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            response = Response(exc.record.body, status=exc.record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(request, "idempotency_record", None)
        if record is not None:
            if response.status_code >= 500:
                record.delete()  # a failure is not an answer: let the retry run
            else:
                record.status_code = response.status_code
                record.body = response.data
                record.save(update_fields=["status_code", "body"])
        return response
