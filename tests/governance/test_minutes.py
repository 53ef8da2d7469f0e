"""Minutes: drafted for a held meeting, approved by each side (who, when); both sides approved
moves the meeting to minutes_approved. A redraft after one side approved withdraws the
approvals; approved minutes are the record. Unapproved MINUTES_APPROVAL_DAYS after the meeting:
overdue."""

import datetime

import pytest
from django.utils import timezone

from alliances.models import ActivityLog
from governance.choices import MeetingStatus
from governance.models import Meeting, Minutes
from resourcing.models import Assignment
from tests.alliances.factories import AllianceFactory
from tests.governance.factories import (
    GovernanceBodyFactory,
    MeetingFactory,
    MinutesFactory,
    PartnerContactFactory,
)
from tests.helpers import assert_error
from tests.resourcing.factories import service

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(lead):
    body = GovernanceBodyFactory(alliance=AllianceFactory(lead=lead))
    return MeetingFactory(
        body=body,
        status=MeetingStatus.HELD,
        starts_at=timezone.now() - datetime.timedelta(days=3),
    )


@pytest.fixture
def contact(meeting):
    return PartnerContactFactory(partner=meeting.alliance.partner, name="Dr Aiko Sato")


def url(meeting, tail=""):
    return f"/api/v1/meetings/{meeting.pk}/minutes/{tail}"


def draft(client, meeting, text="1. Budget approved.", **extra):
    return client.put(url(meeting), {"text": text, **extra}, format="json")


def approve(client, meeting, side, **extra):
    return client.post(url(meeting, "approve/"), {"side": side, **extra}, format="json")


def test_minutes_are_drafted_then_approved_by_both_sides(api, lead, head, contact, meeting):
    response = draft(api(lead), meeting, document_url="https://docs.example/jsc-minutes")
    assert response.status_code == 201, response.content
    assert response.json()["approvals_cleared"] is False
    assert response.json()["drafted_by"]["id"] == lead.pk
    response = approve(api(head), meeting, "internal")
    assert response.status_code == 200, response.content
    assert response.json()["internal_approval"]["by"]["id"] == head.pk
    assert response.json()["approved"] is False
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD
    response = approve(api(lead), meeting, "partner", contact=contact.pk)
    assert response.status_code == 200, response.content
    partner = response.json()["partner_approval"]
    assert partner["contact"]["name"] == "Dr Aiko Sato" and partner["recorded_by"]["id"] == lead.pk
    assert response.json()["approved"] is True
    assert response.json()["meeting_status"] == "minutes_approved"
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.MINUTES_APPROVED
    verbs = list(
        ActivityLog.objects.filter(object_id=meeting.pk, verb__startswith="minutes")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "minutes_drafted",
        "minutes_approved_internal",
        "minutes_approved_partner",
        "minutes_approved",
    ]
    got = api(lead).get(url(meeting)).json()
    assert got["approved"] is True and "approvals_cleared" not in got


def test_only_a_held_meeting_has_minutes(api, lead):
    scheduled = MeetingFactory(body=GovernanceBodyFactory(alliance=AllianceFactory(lead=lead)))
    assert_error(api(lead).get(url(scheduled)), 409, "meeting_not_held")
    assert_error(draft(api(lead), scheduled), 409, "meeting_not_held")
    assert_error(approve(api(lead), scheduled, "internal"), 409, "meeting_not_held")
    scheduled.status = MeetingStatus.CANCELLED
    scheduled.save()
    assert_error(draft(api(lead), scheduled), 409, "meeting_not_held")


def test_a_held_meeting_without_minutes(api, lead, meeting):
    assert_error(api(lead).get(url(meeting)), 404)
    assert_error(approve(api(lead), meeting, "internal"), 409, "minutes_missing")


def test_a_redraft_after_one_side_approved_withdraws_the_approvals(api, lead, contact, meeting):
    client = api(lead)
    draft(client, meeting)
    approve(client, meeting, "partner", contact=contact.pk)
    response = draft(client, meeting, text="1. Budget approved with conditions.")
    assert response.status_code == 200
    assert response.json()["approvals_cleared"] is True
    assert response.json()["partner_approval"] is None
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.partner_approved_by is None and minutes.partner_approval_recorded_by is None
    entry = ActivityLog.objects.get(verb="minutes_redrafted")
    assert "withdrawn" in entry.note
    # The same words again change nothing and withdraw nothing.
    approve(client, meeting, "partner", contact=contact.pk)
    response = draft(client, meeting, text="1. Budget approved with conditions.")
    assert response.json()["approvals_cleared"] is False
    assert response.json()["partner_approval"] is not None


def test_approved_minutes_are_the_record(api, lead, contact, meeting):
    client = api(lead)
    draft(client, meeting)
    approve(client, meeting, "internal")
    approve(client, meeting, "partner", contact=contact.pk)
    assert_error(draft(client, meeting, text="Edited"), 409, "minutes_final")
    assert_error(approve(client, meeting, "internal"), 409, "already_approved")


def test_a_side_approves_once(api, lead, meeting):
    draft(api(lead), meeting)
    assert approve(api(lead), meeting, "internal").status_code == 200
    detail = assert_error(approve(api(lead), meeting, "internal"), 409, "already_approved")
    assert "Our side" in detail["detail"]


def test_approval_bad_input(api, lead, contact, meeting):
    draft(api(lead), meeting)
    post = lambda data: api(lead).post(url(meeting, "approve/"), data, format="json")  # noqa: E731
    assert_error(post({"side": "partner"}), 400, field="contact")
    stranger = PartnerContactFactory()  # at another partner
    message = assert_error(post({"side": "partner", "contact": stranger.pk}), 400, field="contact")
    assert "not at" in message["contact"][0]
    assert_error(post({"side": "internal", "contact": contact.pk}), 400, field="contact")
    assert_error(post({"side": "theirs"}), 400, field="side")
    assert_error(post({"side": "internal", "by": 1}), 400, field="by")
    hidden = PartnerContactFactory(partner=AllianceFactory(confidential=True).partner)
    assert_error(post({"side": "partner", "contact": hidden.pk}), 400, field="contact")


def test_minutes_bad_input(api, lead, meeting):
    put = lambda data: api(lead).put(url(meeting), data, format="json")  # noqa: E731
    assert_error(put({}), 400, field="text")
    assert_error(put({"text": ""}), 400, field="text")
    assert_error(put({"text": 5}), 400, field="text")
    assert_error(
        put({"text": "ok", "document_url": "file:///etc/passwd"}), 400, field="document_url"
    )
    assert_error(put({"text": "ok", "internal_approval": {}}), 400, field="internal_approval")


def test_who_keeps_minutes(api, lead, executive, requester, specialist, contact, meeting):
    draft(api(lead), meeting)
    assert api(executive).get(url(meeting)).status_code == 200
    assert_error(draft(api(executive), meeting), 403)
    assert_error(approve(api(executive), meeting, "internal"), 403)
    assert_error(api(requester).get(url(meeting)), 404)
    assert_error(draft(api(requester), meeting), 404)
    Assignment.objects.create(
        alliance=meeting.alliance, service=service("governance_logistics"), assignee=specialist
    )
    assert approve(api(specialist), meeting, "partner", contact=contact.pk).status_code == 200


def test_minutes_overdue_on_meetings(api, lead, settings):
    settings.MINUTES_APPROVAL_DAYS = 30
    body = GovernanceBodyFactory(alliance=AllianceFactory(lead=lead))
    now = timezone.now()
    late = MeetingFactory(
        body=body, status=MeetingStatus.HELD, starts_at=now - datetime.timedelta(days=31)
    )
    MinutesFactory(meeting=late)  # a draft is not an approval
    in_time = MeetingFactory(
        body=body, status=MeetingStatus.HELD, starts_at=now - datetime.timedelta(days=29)
    )
    MeetingFactory(
        body=body,
        status=MeetingStatus.MINUTES_APPROVED,
        starts_at=now - datetime.timedelta(days=90),
    )
    rows = api(lead).get("/api/v1/meetings/", {"body": body.pk}).json()["results"]
    assert {row["id"]: row["minutes_overdue"] for row in rows if row["status"] == "held"} == {
        late.pk: True,
        in_time.pk: False,
    }
    overdue = api(lead).get("/api/v1/meetings/", {"minutes_overdue": "true"}).json()["results"]
    assert [row["id"] for row in overdue] == [late.pk]
    assert api(lead).get(f"/api/v1/meetings/{late.pk}/").json()["minutes_overdue"] is True
