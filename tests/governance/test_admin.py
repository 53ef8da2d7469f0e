"""Governance in the admin: a body's page with members and meetings, the meeting's page with
its logistics steps and buttons, the alliance's page with its bodies; through the services and
the one visibility rule."""

import datetime

import pytest
from django.utils import timezone

from governance.choices import MeetingStatus, MemberRole
from governance.models import BodyMember, GovernanceBody, Meeting
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.governance.factories import (
    BodyMemberFactory,
    GovernanceBodyFactory,
    MeetingFactory,
    MinutesFactory,
    PartnerContactFactory,
)
from tests.resourcing.factories import TaskTemplateFactory, service

pytestmark = pytest.mark.django_db

BODIES = "/admin/governance/governancebody/"
MEETINGS = "/admin/governance/meeting/"


@pytest.fixture
def playbook(db):
    step = service("governance_logistics")
    TaskTemplateFactory(service=step, anchor="meeting", offset_days=-21, title="Agenda out")
    TaskTemplateFactory(service=step, anchor="meeting", offset_days=14, title="Draft minutes")


def test_a_lead_schedules_a_meeting_in_local_time_and_its_steps_appear(client, lead, playbook):
    body = GovernanceBodyFactory(alliance=AllianceFactory(lead=lead), name="BOREALIS JSC")
    client.force_login(lead)
    page = client.get(f"{MEETINGS}add/")
    assert page.status_code == 200
    response = client.post(
        f"{MEETINGS}add/",
        {
            "body": body.pk,
            "title": "Q1 JSC",
            "starts_local": "2027-03-02T01:00",
            "time_zone": "Asia/Tokyo",
            "duration_minutes": 90,
            "location": "Tokyo",
            "call_link": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert meeting.starts_at == datetime.datetime(2027, 3, 1, 16, 0, tzinfo=datetime.UTC)
    page = client.get(f"{MEETINGS}{meeting.pk}/change/").content.decode()
    assert "2 Mar 2027 01:00 Asia/Tokyo" in page
    # Dated from the meeting's local date (2 March in Tokyo), 21 days before.
    assert "Agenda out" in page and "9 Feb 2027" in page
    assert "Reschedule" in page and "Mark held" in page


def test_a_start_the_clocks_skip_is_refused_beside_the_field(client, lead):
    body = GovernanceBodyFactory(alliance=AllianceFactory(lead=lead))
    client.force_login(lead)
    response = client.post(
        f"{MEETINGS}add/",
        {
            "body": body.pk,
            "title": "Spring",
            "starts_local": "2027-03-28T01:30",
            "time_zone": "Europe/London",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 200
    assert "does not exist in Europe/London" in response.content.decode()
    assert not Meeting.objects.exists()


def test_reschedule_cancel_and_held_buttons_call_the_services(client, lead, playbook):
    meeting = MeetingFactory(body__alliance=AllianceFactory(lead=lead))
    member = BodyMemberFactory(body=meeting.body, user=lead, role=MemberRole.CO_CHAIR)
    client.force_login(lead)
    refused = client.post(f"{MEETINGS}{meeting.pk}/reschedule/", {"reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    client.post(
        f"{MEETINGS}{meeting.pk}/reschedule/",
        {"starts_local": "2027-02-10T14:00", "time_zone": "Europe/Paris", "reason": "Clash"},
    )
    meeting.refresh_from_db()
    assert meeting.time_zone == "Europe/Paris" and meeting.sequence == 1
    assert meeting.local_start.hour == 14
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3)
    )
    client.post(f"{MEETINGS}{meeting.pk}/held/", {"attendees": [member.pk]})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert list(meeting.attendees.all()) == [member]
    # A held meeting cannot be cancelled: the refusal is shown, nothing changes.
    page = client.post(f"{MEETINGS}{meeting.pk}/cancel/", {"reason": "Late"}).content.decode()
    assert "Only a scheduled meeting can be cancelled; this one is held." in page
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_the_partners_approval_is_recorded_from_the_meetings_page(client, lead):
    meeting = MeetingFactory(body__alliance=AllianceFactory(lead=lead), status="held")
    MinutesFactory(meeting=meeting)
    contact = PartnerContactFactory(partner=meeting.alliance.partner, name="Mei Tanaka")
    BodyMemberFactory(body=meeting.body, user=None, contact=contact, role=MemberRole.CO_CHAIR)
    client.force_login(lead)
    page = client.get(f"{MEETINGS}{meeting.pk}/change/").content.decode()
    assert "Record approval of the minutes" in page
    client.post(f"{MEETINGS}{meeting.pk}/approve/", {"side": "internal"})
    client.post(f"{MEETINGS}{meeting.pk}/approve/", {"side": "partner", "contact": contact.pk})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    page = client.get(f"{MEETINGS}{meeting.pk}/change/").content.decode()
    assert "Partner: Mei Tanaka" in page


def test_only_leads_and_the_head_see_the_buttons_and_use_them(client, specialist, lead):
    alliance = AllianceFactory(lead=lead)
    MembershipFactory(alliance=alliance, user=specialist)
    meeting = MeetingFactory(body__alliance=alliance)
    client.force_login(specialist)
    page = client.get(f"{MEETINGS}{meeting.pk}/change/")
    assert page.status_code == 200 and "Reschedule" not in page.content.decode()
    assert client.post(f"{MEETINGS}{meeting.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client.get(f"{MEETINGS}add/").status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_confidential_bodies_and_meetings_stay_hidden(client, lead, lead2):
    secret = AllianceFactory(lead=lead2, confidential=True)
    body = GovernanceBodyFactory(alliance=secret, name="HIDDEN JSC")
    meeting = MeetingFactory(body=body)
    client.force_login(lead)
    assert "HIDDEN JSC" not in client.get(BODIES).content.decode()
    assert client.get(f"{BODIES}{body.pk}/change/").status_code == 404
    assert client.get(f"{MEETINGS}{meeting.pk}/reschedule/").status_code == 404


def test_a_bodys_page_adds_members_through_the_services(client, lead):
    body = GovernanceBodyFactory(alliance=AllianceFactory(lead=lead), name="NOVA JSC")
    contact = PartnerContactFactory(partner=body.alliance.partner)
    other = PartnerContactFactory()  # another partner's
    client.force_login(lead)
    form = {
        "alliance": body.alliance_id,
        "kind": body.kind,
        "name": body.name,
        "min_meetings_per_year": 4,
        "decision_rule": "consensus",
        "members-TOTAL_FORMS": 2,
        "members-INITIAL_FORMS": 0,
        "members-MIN_NUM_FORMS": 0,
        "members-MAX_NUM_FORMS": 1000,
        "members-0-user": lead.pk,
        "members-0-role": "co_chair",
        "members-1-contact": other.pk,
        "members-1-role": "co_chair",
        "meeting_set-TOTAL_FORMS": 0,
        "meeting_set-INITIAL_FORMS": 0,
        "meetings-TOTAL_FORMS": 0,
        "meetings-INITIAL_FORMS": 0,
    }
    refused = client.post(f"{BODIES}{body.pk}/change/", form)
    assert refused.status_code == 200
    assert not BodyMember.objects.exists()
    form["members-1-contact"] = contact.pk
    saved = client.post(f"{BODIES}{body.pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert BodyMember.objects.filter(body=body).count() == 2
    body.refresh_from_db()
    assert body.min_meetings_per_year == 4


def test_the_alliance_page_shows_its_bodies_and_next_meeting(client, lead):
    alliance = AllianceFactory(lead=lead)
    body = GovernanceBodyFactory(alliance=alliance, name="ORION JSC")
    MeetingFactory(
        body=body,
        starts_at=timezone.now() + datetime.timedelta(days=10),
        time_zone="America/New_York",
    )
    client.force_login(lead)
    page = client.get(f"/admin/alliances/alliance/{alliance.pk}/change/").content.decode()
    assert "ORION JSC" in page and "New York time" in page


def test_lists_keep_a_constant_number_of_queries(client, head, django_assert_max_num_queries):
    for _ in range(3):
        MeetingFactory()
    client.force_login(head)
    with django_assert_max_num_queries(20) as few:
        client.get(BODIES)
    for _ in range(10):
        MeetingFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(BODIES)
    with django_assert_max_num_queries(20) as few:
        client.get(MEETINGS)
    for _ in range(10):
        MeetingFactory(status="held")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(MEETINGS)
    assert GovernanceBody.objects.count() == 23


def test_training_is_recorded_through_the_services_and_a_future_date_is_refused(client, lead):
    from governance.models import TrainingCompletion
    from tests.governance.factories import TrainingCourseFactory

    course = TrainingCourseFactory(validity_months=12)
    client.force_login(lead)
    url = "/admin/governance/trainingcompletion/add/"
    form = {"user": lead.pk, "course": course.pk, "completed_on": "2026-12-25"}
    refused = client.post(url, form)
    assert refused.status_code == 200 and "give today or earlier" in refused.content.decode()
    form["completed_on"] = "2026-01-31"
    assert client.post(url, form).status_code == 302
    completion = TrainingCompletion.objects.get()
    assert completion.expires_on.isoformat() == "2027-01-31"
    assert completion.recorded_by == lead


def test_only_the_head_adds_courses(client, lead, head):
    client.force_login(lead)
    assert client.get("/admin/governance/trainingcourse/add/").status_code == 403
    client.force_login(head)
    response = client.post(
        "/admin/governance/trainingcourse/add/",
        {"name": "Co-chairing", "kind": "governance_role", "validity_months": 24},
    )
    assert response.status_code == 302


def test_a_bodys_page_offers_to_schedule_its_next_meeting(client, lead, specialist):
    body = GovernanceBodyFactory(alliance=AllianceFactory(lead=lead), name="LYRA JSC")
    client.force_login(lead)
    page = client.get(f"{BODIES}{body.pk}/change/").content.decode()
    assert f"{MEETINGS}add/?body={body.pk}" in page
    form = client.get(f"{MEETINGS}add/", {"body": body.pk}).content.decode()
    assert f'<option value="{body.pk}" selected>' in form
    MembershipFactory(alliance=body.alliance, user=specialist)
    client.force_login(specialist)
    assert "Schedule a meeting" not in client.get(f"{BODIES}{body.pk}/change/").content.decode()
