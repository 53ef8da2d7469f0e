"""Issue 9, section 3: bounded input and one error shape. Dates in a range, bodies bounded in
size and depth, ids that are whole numbers, and every error under /api/ answered as JSON."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory

from resourcing.choices import Anchor
from tests.alliances.factories import AllianceFactory, UserFactory
from tests.resourcing.factories import (
    IntakeFactory,
    SpecialistFactory,
    TaskFactory,
    TaskTemplateFactory,
)

pytestmark = pytest.mark.django_db


def _dates():
    from config import dates

    return dates


# Every test runs on a known day, so the range's upper end is known: 2026-12-01 + 50 years.
TODAY = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
RANGE = "Give a date from 1900-01-01 to 2076-12-01."


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def intake_body(**overrides):
    body = {
        "title": "A partnership",
        "partner_name": "Newco Bio",
        "therapeutic_area": "oncology",
        "alliance_type": "licensing",
        "direction": "in",
        "description": "An antibody.",
        "differentiating": False,
        "mission_critical": False,
        "complexity": "low",
        "desired_start_date": "2027-02-01",
        "requested_services": ["startup"],
    }
    return {**body, **overrides}


# Dates ---------------------------------------------------------------------------------------


def test_the_range_runs_from_the_setting_to_fifty_years_from_today():
    assert _dates().date_input_min() == datetime.date(1900, 1, 1)
    assert _dates().date_input_max() == datetime.date(2076, 12, 1)
    assert _dates().range_message() == RANGE


def test_the_range_ends_on_28_february_when_today_is_29_february():
    with time_machine.travel(datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC), tick=False):
        assert _dates().date_input_max() == datetime.date(2078, 2, 28)


@pytest.mark.parametrize("day", ["9999-12-31", "2076-12-02", "1899-12-31", "0001-01-01"])
def test_a_date_outside_the_range_is_a_400_naming_it(api, requester, day):
    from tests.resourcing.factories import service

    service("startup")
    AllianceFactory()  # the oncology area
    response = api(requester).post(
        "/api/v1/intake-requests/", intake_body(desired_start_date=day), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"desired_start_date": [RANGE]}


def test_the_range_includes_its_ends(api, requester):
    from tests.resourcing.factories import service

    service("startup")
    AllianceFactory()
    for day, status in (("1899-12-31", 400), ("1900-01-01", 201), ("2076-12-01", 201)):
        response = api(requester).post(
            "/api/v1/intake-requests/", intake_body(desired_start_date=day), format="json"
        )
        assert response.status_code == status, (day, response.json())


def test_a_date_filter_outside_the_range_is_a_400_naming_it(api, lead):
    response = api(lead).get("/api/v1/tasks/", {"due_date_after": "9999-12-31"})
    assert response.status_code == 400
    assert response.json() == {"due_date_after": [RANGE]}


def test_stored_dates_are_refused_by_the_models_too():
    task = TaskFactory.build(
        alliance=AllianceFactory(), assignee=UserFactory(), due_date=datetime.date(9999, 12, 31)
    )
    with pytest.raises(ValidationError) as raised:
        task.full_clean()
    assert raised.value.message_dict["due_date"] == [RANGE]


def test_a_request_at_the_end_of_the_range_never_breaks_a_read(api, head):
    """A playbook reaches two years either side of the desired start: the latest date anyone
    may store, plus 730 days, still reads (capacity, recommendation, accept)."""
    TaskTemplateFactory(anchor=Anchor.START, offset_days=730)
    TaskTemplateFactory(anchor=Anchor.START, offset_days=-730)
    SpecialistFactory(services=["startup"])
    intake = IntakeFactory(
        desired_start_date=_dates().date_input_max(), status="triage", requester=head
    )
    client = api(head)
    assert client.get("/api/v1/capacity/", {"weeks": 52}).status_code == 200
    assert client.get(f"/api/v1/intake-requests/{intake.pk}/recommendation/").status_code == 200
    accepted = client.post(
        f"/api/v1/intake-requests/{intake.pk}/accept/",
        {"management_model": "self_managed"},
        format="json",
    )
    assert accepted.status_code == 201, accepted.json()


# Bodies --------------------------------------------------------------------------------------


def test_a_body_over_the_size_limit_is_a_413_in_json(api, lead, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = api(lead).generic(
        "POST", "/api/v1/partners/", '{"name": "' + "x" * 4000 + '"}', "application/json"
    )
    assert response.status_code == 413
    assert "detail" in response.json()


def test_a_form_over_the_size_limit_is_a_413_in_json(api, lead, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = api(lead).generic(
        "POST", "/api/v1/partners/", "name=" + "x" * 4000, "application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "detail" in response.json()


def test_json_nested_over_the_limit_is_a_400(api, lead, settings):
    settings.REQUEST_JSON_MAX_DEPTH = 8
    body = '{"name": ' + "[" * 9 + "]" * 9 + "}"
    response = api(lead).generic("POST", "/api/v1/partners/", body, "application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_deeper_than_pythons_recursion_limit_is_a_400_not_a_500(api, lead):
    body = "[" * 200_000 + "]" * 200_000
    response = api(lead).generic("POST", "/api/v1/partners/", body, "application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


# Ids -----------------------------------------------------------------------------------------


@pytest.fixture
def task_and_specialist(head):
    specialist = SpecialistFactory(services=["startup"])
    task = TaskFactory(alliance=AllianceFactory(lead=head), assignee=head)
    return task, specialist


@pytest.mark.parametrize("value", [1.5, 1.0, "\u0661", " 1"])
def test_an_id_that_is_not_a_whole_number_from_1_is_a_400(api, head, task_and_specialist, value):
    task, _ = task_and_specialist
    # The specialist's user has a small id: 1.5 or true used to mean that user.
    response = api(head).post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"assignee": value, "reason": "r"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]
    task.refresh_from_db()
    assert task.assignee == head


def test_an_id_as_a_string_of_digits_is_taken_but_not_as_a_decimal(api, head, task_and_specialist):
    task, specialist = task_and_specialist
    decimal = api(head).post(
        f"/api/v1/tasks/{task.pk}/reassign/",
        {"assignee": specialist.user.pk + 0.0, "reason": "Has the time"},
        format="json",
    )
    assert decimal.status_code == 400
    response = api(head).post(
        f"/api/v1/tasks/{task.pk}/reassign/",
        {"assignee": str(specialist.user.pk), "reason": "Has the time"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["assignee"]["id"] == specialist.user.pk


def test_model_serializer_ids_are_strict_too(api, head):
    """StrictModelSerializer's own related fields (status report's alliance)."""
    alliance = AllianceFactory(lead=head)
    response = api(head).post(
        "/api/v1/status-reports/",
        {
            "alliance": alliance.pk + 0.5,
            "month": "2026-11-01",
            "rag": "green",
            "trend": "stable",
            "headline": "Fine",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["alliance"]


# One error shape -----------------------------------------------------------------------------


def test_a_disallowed_host_under_the_api_is_a_json_400():
    response = Client().get("/api/v1/me/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_a_csrf_failure_under_the_api_is_a_json_403():
    from config.urls import csrf_failure

    request = RequestFactory().post("/api/v1/partners/")
    response = csrf_failure(request, reason="CSRF token missing.")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_an_idempotency_key_in_flight_is_a_409_with_a_code(api, lead):
    from config.models import IdempotencyRecord

    body = {"name": "In Flight Bio", "kind": "biotech", "country": "GB"}
    client = api(lead)
    # The first request with this key is still running: its record has no answer yet.
    client.post("/api/v1/partners/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    IdempotencyRecord.objects.filter(key="k-1").update(status_code=None)
    response = client.post("/api/v1/partners/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_flight"
    assert "detail" in response.json()


# Found by schemathesis (negative data accepted) ---------------------------------------------


def test_a_decimal_given_as_a_json_number_is_a_400(api, head):
    task = TaskFactory(alliance=AllianceFactory(lead=head), assignee=head)
    response = api(head).patch(f"/api/v1/tasks/{task.pk}/", {"effort_hours": 0.1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"effort_hours": ['Give a decimal string, e.g. "12.5".']}


def test_a_form_body_without_a_required_list_is_a_400_not_an_empty_list(api, head):
    user = UserFactory()
    response = api(head).post(
        "/api/v1/specialists/",
        {"user": user.pk, "weekly_capacity_hours": "30.0", "wip_limit": 5},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["services"]


def test_nested_fields_in_a_form_body_are_a_400_not_ignored(api, head):
    specialist = SpecialistFactory(services=["startup"])
    response = api(head).patch(
        f"/api/v1/specialists/{specialist.pk}/",
        {"leave_periods": '[{"start": "2027-01-04", "end": "2027-01-08"}]'},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["leave_periods"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"assignee": 1, "reason": 0}, "reason"),
        ({"assignee": 1, "reason": ["Has", "time"]}, "reason"),
    ],
)
def test_text_given_as_another_json_type_is_a_400(api, head, task_and_specialist, body, field):
    task, _ = task_and_specialist
    response = api(head).post(f"/api/v1/tasks/{task.pk}/reassign/", body, format="json")
    assert response.status_code == 400
    assert response.json()[field] == ["Give text."]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"wip_limit": "5"}, "Give a whole number."),
        ({"wip_limit": 5.0}, "Give a whole number."),
        ({"active": "yes"}, "Give true or false."),
        ({"active": 1}, "Give true or false."),
    ],
)
def test_numbers_and_booleans_have_their_json_types(api, head, body, message):
    specialist = SpecialistFactory(services=["startup"])
    response = api(head).patch(f"/api/v1/specialists/{specialist.pk}/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {next(iter(body)): [message]}


def test_text_over_its_length_is_a_400_even_if_trimming_would_fit_it(api, head):
    task = TaskFactory(alliance=AllianceFactory(lead=head), assignee=head)
    reason = "\f" + "x" * 4000  # 4001 characters sent; 4000 after DRF trims the form feed
    response = api(head).post(f"/api/v1/tasks/{task.pk}/cancel/", {"reason": reason}, "json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


@pytest.mark.parametrize("value", ["0", "yes", "on"])
def test_a_form_boolean_is_true_or_false(api, head, value):
    specialist = SpecialistFactory(services=["startup"], active=True)
    response = api(head).patch(
        f"/api/v1/specialists/{specialist.pk}/", {"active": value}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"active": ["Give true or false."]}
    specialist.refresh_from_db()
    assert specialist.active


def test_a_patch_with_an_incomplete_leave_period_is_a_400_not_a_500(api, head):
    # Found by schemathesis: PATCH specialists/{id}/ with a leave period lacking its start.
    specialist = SpecialistFactory(services=["startup"])
    response = api(head).patch(
        f"/api/v1/specialists/{specialist.pk}/",
        {"leave_periods": [{"end": "2027-01-08", "note": ""}]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["leave_periods"]
    first = errors[0] if isinstance(errors, list) else errors["0"]
    assert first == {"start": ["This field is required."]}


def test_weeks_given_twice_is_a_400_not_the_last_one(api, head):
    # Found by schemathesis: ?weeks=junk&weeks=12 answered for 12 weeks.
    response = api(head).get("/api/v1/capacity/?weeks=junk&weeks=12")
    assert response.status_code == 400
    assert response.json() == {"weeks": ["Give weeks once."]}


def test_errors_named_by_keys_a_client_chose_keep_their_names():
    # Found by schemathesis: a body whose keys were "" and ".0W" made the 400 a 500.
    from config.api.exceptions import nested

    assert nested({"": ["a"], ".0W": ["b"], "x.": ["c"]}) == {"": ["a"], ".0W": ["b"], "x.": ["c"]}
    assert nested({"a.b": ["x"], "a": ["y"]}) == {"a": {"b": ["x"], "non_field_errors": ["y"]}}
    assert nested({"a": ["y"], "a.b": ["x"]}) == {"a": ["y"], "a.b": ["x"]}
    assert nested({"overrides.startup.specialist": ["s"]}) == {
        "overrides": {"startup": {"specialist": ["s"]}}
    }


def test_an_id_past_what_sqlite_holds_in_an_address_is_a_404_not_a_500(api, head):
    # Found by schemathesis: DELETE alliances/{id}/members/9223372036854775808/ was a 500.
    alliance = AllianceFactory(lead=head)
    response = api(head).delete(f"/api/v1/alliances/{alliance.pk}/members/{2**63}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
