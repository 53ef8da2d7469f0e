"""Meetings through the API: who schedules and runs them, bad input (naive datetimes, unknown
zones, hidden bodies, members of another body), the status machine and the filters. The test
clock is 2026-11-18 10:00 Europe/London."""

import datetime

import pytest
from django.utils import timezone

from alliances.choices import Status
from alliances.models import ActivityLog
from governance.choices import MeetingStatus
from resourcing.models import Assignment
from tests.alliances.factories import AllianceFactory
from tests.governance.factories import (
    BodyMemberFactory,
    GovernanceBodyFactory,
    MeetingFactory,
    MinutesFactory,
)
from tests.helpers import assert_error
from tests.resourcing.factories import service

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/meetings/"


@pytest.fixture
def alliance(lead):
    return AllianceFactory(lead=lead)


@pytest.fixture
def body(alliance):
    return GovernanceBodyFactory(alliance=alliance, name="JSC")


def payload(of, **extra):
    return {
        "body": of.pk,
        "starts_at": "2027-02-10T14:00:00+00:00",
        "time_zone": "Europe/London",
        "title": "Q1 JSC",
        **extra,
    }


def past(days=3):
    return timezone.now() - datetime.timedelta(days=days)


def test_a_lead_schedules_a_meeting(api, lead, body):
    response = api(lead).post(MEETINGS, payload(body, location="Basel"), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "scheduled" and data["sequence"] == 0
    assert data["alliance"]["id"] == body.alliance_id and data["body"]["name"] == "JSC"
    assert data["local_start"] == "2027-02-10T14:00:00+00:00"
    assert data["minutes_overdue"] is False


def test_who_schedules(api, body, executive, specialist, requester, head):
    for user in (executive, specialist, requester):
        assert_error(api(user).post(MEETINGS, payload(body), format="json"), 403)
    assert api(head).post(MEETINGS, payload(body), format="json").status_code == 201


def test_the_logistics_assignee_runs_the_alliance_meetings_and_no_others(api, body, specialist):
    Assignment.objects.create(
        alliance=body.alliance, service=service("governance_logistics"), assignee=specialist
    )
    response = api(specialist).post(MEETINGS, payload(body), format="json")
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    response = api(specialist).patch(f"{MEETINGS}{meeting_id}/", {"title": "JSC #4"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "JSC #4"
    # Another alliance's body: not theirs to schedule (they do not even see it).
    other = GovernanceBodyFactory()
    assert_error(api(specialist).post(MEETINGS, payload(other), format="json"), 400, field="body")
    # A public alliance they see but do not run meetings for: 403.
    seen = GovernanceBodyFactory(alliance=AllianceFactory())
    Assignment.objects.create(
        alliance=seen.alliance, service=service("startup"), assignee=specialist
    )
    assert_error(api(specialist).post(MEETINGS, payload(seen), format="json"), 403)


def test_schedule_bad_input(api, lead, body):
    post = lambda **extra: api(lead).post(MEETINGS, payload(body, **extra), format="json")  # noqa: E731
    message = assert_error(post(starts_at="2027-02-10T14:00:00"), 400, field="starts_at")
    assert "offset" in message["starts_at"][0]
    message = assert_error(post(time_zone="Europe/Londres"), 400, field="time_zone")
    assert "IANA" in message["time_zone"][0]
    assert_error(post(time_zone=""), 400, field="time_zone")
    assert_error(post(time_zone=5), 400, field="time_zone")
    assert_error(post(starts_at="next tuesday"), 400, field="starts_at")
    assert_error(post(starts_at="9999-01-01T10:00:00Z"), 400, field="starts_at")
    assert_error(post(duration_minutes=0), 400, field="duration_minutes")
    assert_error(post(call_link="not a link"), 400, field="call_link")
    assert_error(post(status="held"), 400, field="status")
    assert_error(post(body=10**15), 400, field="body")
    hidden = GovernanceBodyFactory(alliance=AllianceFactory(confidential=True))
    assert_error(post(body=hidden.pk), 400, field="body")


def test_a_dissolved_body_or_a_closed_alliance_does_not_meet(api, lead, body):
    body.dissolved_on = datetime.date(2027, 1, 31)
    body.save()
    response = api(lead).post(MEETINGS, payload(body), format="json")
    assert "dissolved" in assert_error(response, 409, "body_dissolved")["detail"]
    # Before the dissolution it still may.
    early = payload(body, starts_at="2027-01-20T10:00:00Z")
    assert api(lead).post(MEETINGS, early, format="json").status_code == 201
    closed = GovernanceBodyFactory(alliance=AllianceFactory(lead=lead, status=Status.CLOSED))
    assert_error(api(lead).post(MEETINGS, payload(closed), format="json"), 409, "alliance_closed")


def test_a_meeting_time_changes_only_by_rescheduling(api, lead, body, executive):
    meeting = MeetingFactory(body=body)
    url = f"{MEETINGS}{meeting.pk}/"
    message = assert_error(
        api(lead).patch(url, {"starts_at": "2027-02-10T14:00:00Z"}, format="json"),
        400,
        field="starts_at",
    )
    assert "reschedule" in message["starts_at"][0]
    assert_error(
        api(lead).patch(url, {"time_zone": "Asia/Tokyo"}, format="json"), 400, field="time_zone"
    )
    assert_error(api(lead).patch(url, {"body": body.pk}, format="json"), 400, field="body")
    assert_error(api(executive).patch(url, {"title": "X"}, format="json"), 403)
    response = api(lead).patch(
        url, {"duration_minutes": 120, "call_link": "https://meet.example/jsc"}, format="json"
    )
    assert response.status_code == 200 and response.json()["duration_minutes"] == 120
    assert ActivityLog.objects.filter(verb="updated", object_id=meeting.pk).exists()
    assert api(lead).put(url, {"title": "X"}, format="json").status_code == 405


def test_reschedule_bad_input_and_conflicts(api, lead, body, executive):
    meeting = MeetingFactory(body=body)
    url = f"{MEETINGS}{meeting.pk}/reschedule/"
    post = lambda data, user=lead: api(user).post(url, data, format="json")  # noqa: E731
    assert_error(post({"starts_at": "2027-03-01T10:00:00", "reason": "r"}), 400, field="starts_at")
    assert_error(
        post({"starts_at": "2027-03-01T10:00:00Z", "reason": "r", "time_zone": "Mars/Olympus"}),
        400,
        field="time_zone",
    )
    assert_error(post({"starts_at": "2027-03-01T10:00:00Z"}), 400, field="reason")
    assert_error(post({"starts_at": "2027-03-01T10:00:00Z", "reason": "r"}, executive), 403)
    same = meeting.starts_at.isoformat()
    assert_error(post({"starts_at": same, "reason": "r"}), 409, "no_change")
    body.dissolved_on = datetime.date(2027, 2, 1)
    body.save()
    assert_error(post({"starts_at": "2027-03-01T10:00:00Z", "reason": "r"}), 409, "body_dissolved")
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    assert_error(
        post({"starts_at": "2027-01-10T10:00:00Z", "reason": "r"}), 409, "illegal_transition"
    )


def test_cancel(api, lead, body, executive, requester):
    meeting = MeetingFactory(body=body)
    url = f"{MEETINGS}{meeting.pk}/cancel/"
    assert_error(api(lead).post(url, {}, format="json"), 400, field="reason")
    assert_error(api(executive).post(url, {"reason": "r"}, format="json"), 403)
    assert_error(api(requester).post(url, {"reason": "r"}, format="json"), 404)
    response = api(lead).post(url, {"reason": "No quorum"}, format="json")
    assert response.status_code == 200 and response.json()["cancel_reason"] == "No quorum"
    body = assert_error(
        api(lead).post(url, {"reason": "again"}, format="json"), 409, "illegal_transition"
    )
    assert body["from"] == "cancelled"


def test_held_records_who_attended(api, lead, body, executive):
    member = BodyMemberFactory(body=body)
    other = BodyMemberFactory(body=body)
    meeting = MeetingFactory(body=body, starts_at=past())
    url = f"{MEETINGS}{meeting.pk}/held/"
    assert_error(api(executive).post(url, {"attendees": [member.pk]}, format="json"), 403)
    response = api(lead).post(url, {"attendees": [member.pk, other.pk, member.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "held"
    assert sorted(response.json()["attendees"]) == sorted([member.pk, other.pk])
    assert_error(
        api(lead).post(url, {"attendees": [member.pk]}, format="json"), 409, "illegal_transition"
    )


def test_held_bad_input_and_a_meeting_still_to_come(api, lead, body):
    member = BodyMemberFactory(body=body)
    stranger = BodyMemberFactory()  # on another body
    meeting = MeetingFactory(body=body, starts_at=past())
    url = f"{MEETINGS}{meeting.pk}/held/"
    post = lambda data: api(lead).post(url, data, format="json")  # noqa: E731
    message = assert_error(post({"attendees": [member.pk, stranger.pk]}), 400, field="attendees")
    assert "not a member of" in str(message["attendees"])
    assert_error(post({"attendees": []}), 400, field="attendees")
    assert_error(post({"attendees": "all"}), 400, field="attendees")
    assert_error(post({"attendees": [True]}), 400, field="attendees")
    assert_error(post({}), 400, field="attendees")
    future = MeetingFactory(body=body)
    response = api(lead).post(
        f"{MEETINGS}{future.pk}/held/", {"attendees": [member.pk]}, format="json"
    )
    assert_error(response, 409, "meeting_not_started")


def test_what_each_reader_sees(api, lead, executive, requester, specialist):
    MeetingFactory()  # on a public alliance
    secret = MeetingFactory(body=GovernanceBodyFactory(alliance=AllianceFactory(confidential=True)))
    assert api(executive).get(MEETINGS).json()["count"] == 1
    assert api(executive).get(f"{MEETINGS}{secret.pk}/").status_code == 404
    assert api(requester).get(MEETINGS).json()["count"] == 0
    # Sitting on the body puts you on the alliance, confidential or not.
    BodyMemberFactory(body=secret.body, user=specialist)
    assert [m["id"] for m in api(specialist).get(MEETINGS).json()["results"]] == [secret.pk]
    assert api(specialist).get(f"{MEETINGS}{secret.pk}/").json()["steps"] == []


def test_filters(api, lead, body):
    soon = MeetingFactory(body=body, starts_at=timezone.now() + datetime.timedelta(days=5))
    held = MeetingFactory(body=body, starts_at=past(40), status=MeetingStatus.HELD)
    approved = MeetingFactory(body=body, starts_at=past(60), status=MeetingStatus.MINUTES_APPROVED)
    recent = MeetingFactory(body=body, starts_at=past(5), status=MeetingStatus.HELD)
    MinutesFactory(meeting=recent)
    other = MeetingFactory()

    def ids(**params):
        response = api(lead).get(MEETINGS, params)
        assert response.status_code == 200, response.content
        return {m["id"] for m in response.json()["results"]}

    assert ids(body=body.pk) == {soon.pk, held.pk, approved.pk, recent.pk}
    assert ids(alliance=other.alliance_id) == {other.pk}
    assert ids(upcoming="true", body=body.pk) == {soon.pk}
    assert ids(minutes_overdue="true") == {held.pk}
    assert ids(minutes_overdue="false", body=body.pk) == {soon.pk, approved.pk, recent.pk}
    assert ids(status=["held", "minutes_approved"]) == {held.pk, approved.pk, recent.pk}
    first = timezone.localdate(soon.starts_at).isoformat()
    assert ids(starts_at_after=first, body=body.pk) == {soon.pk}
    assert ids(starts_at_before=timezone.localdate(past(50)).isoformat()) == {approved.pk}
    listed = api(lead).get(MEETINGS, {"minutes_overdue": "true"}).json()["results"]
    assert listed[0]["minutes_overdue"] is True
    for bad in ({"status": "done"}, {"upcoming": "soon"}, {"starts_at_after": "2026-13-01"},
                {"body": "x"}, {"ordering": "title"}):  # fmt: skip
        assert_error(api(lead).get(MEETINGS, bad), 400, field=next(iter(bad)))
    # A body the reader cannot see answers as one that does not exist.
    hidden = MeetingFactory(body=GovernanceBodyFactory(alliance=AllianceFactory(confidential=True)))
    assert ids(body=hidden.body_id) == set()
