"""Idempotency keys: only a success holds its key; a killed request frees it soon; the in-flight
409 and the reuse 422 say which in `code`; expired records are purged."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from alliances.models import TherapeuticArea
from config.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

AREAS = "/api/v1/therapeutic-areas/"


def post(client, body, key):
    return client.post(AREAS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_refused_request_does_not_hold_its_key(api, head):
    client = api(head)
    refused = post(client, {"code": "derm", "name": ""}, "k-400")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    # The client fixes the body and retries with the same key: it runs, no 422.
    fixed = post(client, {"code": "derm", "name": "Dermatology"}, "k-400")
    assert fixed.status_code == 201
    replay = post(client, {"code": "derm", "name": "Dermatology"}, "k-400")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert TherapeuticArea.objects.filter(code="derm").count() == 1


def test_a_forbidden_request_does_not_hold_its_key(api, lead):
    response = post(api(lead), {"code": "derm", "name": "Dermatology"}, "k-403")
    assert response.status_code == 403
    assert not IdempotencyRecord.objects.exists()


def test_a_server_error_does_not_hold_its_key(api, head):
    client = api(head)
    client.raise_request_exception = False
    body = {"code": "derm", "name": "Dermatology"}
    with mock.patch("alliances.services.reference_create", side_effect=RuntimeError("boom")):
        assert post(client, body, "k-500").status_code == 500
    retry = post(client, body, "k-500")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry


def test_a_request_still_running_is_a_coded_409(api, head):
    user_client = api(head)
    IdempotencyRecord.objects.create(user=head, key="busy", fingerprint=_fingerprint(head))
    response = post(user_client, {"code": "derm", "name": "Dermatology"}, "busy")
    assert response.status_code == 409
    assert response.json() == {
        "code": "idempotency_key_in_flight",
        "detail": "A request with this Idempotency-Key is still being processed; retry shortly.",
    }
    assert "Retry-After" in response


def test_a_killed_request_frees_its_key_within_a_minute(api, head, settings):
    settings.IDEMPOTENCY_IN_FLIGHT_SECONDS = 40
    record = IdempotencyRecord.objects.create(
        user=head, key="killed", fingerprint=_fingerprint(head)
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=41)
    )
    response = post(api(head), {"code": "derm", "name": "Dermatology"}, "killed")
    assert response.status_code == 201
    assert IdempotencyRecord.objects.get(pk=record.pk).status_code == 201


def test_the_same_key_with_another_body_is_a_coded_422(api, head):
    client = api(head)
    assert post(client, {"code": "derm", "name": "Dermatology"}, "k").status_code == 201
    response = post(client, {"code": "neuro", "name": "Neurology"}, "k")
    assert response.status_code == 422
    assert response.json() == {
        "code": "idempotency_key_reused",
        "detail": "This Idempotency-Key was used for a different request.",
    }


def test_purge_idempotency_keys_deletes_expired_records(head, lead, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    old = IdempotencyRecord.objects.create(user=head, key="old", fingerprint="x", status_code=201)
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    kept = IdempotencyRecord.objects.create(user=lead, key="new", fingerprint="x", status_code=201)
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert "Deleted 1" in out.getvalue()


def _fingerprint(user):
    """The fingerprint the first attempt of `post(..., {"code": "derm", ...})` would have."""
    import hashlib
    import json

    body = json.dumps({"code": "derm", "name": "Dermatology"}, sort_keys=True)
    return hashlib.sha256(f"POST {AREAS}\n{body}".encode()).hexdigest()
