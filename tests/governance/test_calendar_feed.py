"""The private calendar address and the feed behind it (parsed back with icalendar), and a
meeting's single invitation. Dates come from the frozen test clock, never the real one."""

import datetime
import zoneinfo
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alliances.calendar import today
from alliances.models import ActivityLog
from governance.choices import ActionStatus, MeetingStatus
from governance.models import CalendarFeed
from resourcing.choices import TaskStatus
from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.governance.factories import (
    ActionItemFactory,
    BodyMemberFactory,
    GovernanceBodyFactory,
    MeetingFactory,
)
from tests.helpers import assert_error
from tests.resourcing.factories import TaskFactory

pytestmark = pytest.mark.django_db

FEED_URL = "/api/v1/calendar/feed-url/"


def address(user) -> str:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(FEED_URL)
    assert response.status_code == 200, response.content
    return response.json()["url"]


def fetch(url: str, **headers):
    """What a calendar application does: a plain GET, no credentials."""
    return APIClient().get(urlsplit(url).path, **headers)


def read(url: str) -> Calendar:
    response = fetch(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@127.0.0.1"  # SITE_URL's host


@pytest.fixture
def member(db):
    return UserFactory(username="member", first_name="Mina", last_name="Member")


@pytest.fixture
def body(member):
    body = GovernanceBodyFactory(alliance=AllianceFactory(name="BOREALIS"), name="BOREALIS JSC")
    BodyMemberFactory(body=body, user=member)
    return body


# The address ---------------------------------------------------------------------------------


def test_get_makes_the_address_once_and_answers_it_again(api, member):
    first = api(member).get(FEED_URL)
    again = api(member).get(FEED_URL)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    url = first.json()["url"]
    feed = CalendarFeed.objects.get(user=member)
    assert url == f"http://127.0.0.1:8000/api/v1/calendar/{feed.secret}.ics"
    assert len(feed.secret) >= 43
    assert first["Cache-Control"] == "private, no-store"
    entries = ActivityLog.objects.filter(content_type=ContentType.objects.get_for_model(feed))
    assert [(e.verb, e.actor) for e in entries] == [("created", member)]


def test_the_address_is_built_from_the_request_without_a_site_url(api, member, settings):
    settings.SITE_URL = ""
    assert address(member).startswith("http://testserver/api/v1/calendar/")


def test_post_makes_a_new_address_and_the_old_one_answers_404(api, member, body):
    old = address(member)
    response = api(member).post(FEED_URL)
    assert response.status_code == 201, response.content
    new = response.json()["url"]
    assert new != old
    assert_error(fetch(old), 404)
    assert fetch(new).status_code == 200
    assert address(member) == new
    verbs = list(ActivityLog.objects.filter(actor=member).values_list("verb", flat=True))
    assert sorted(verbs) == ["created", "renewed"]


def test_post_without_an_address_makes_the_first(api, member):
    response = api(member).post(FEED_URL, {}, format="json")
    assert response.status_code == 201
    assert fetch(response.json()["url"]).status_code == 200


def test_delete_revokes_the_address_and_a_later_get_makes_another(api, member):
    old = address(member)
    assert api(member).delete(FEED_URL).status_code == 204
    assert_error(fetch(old), 404)
    assert not CalendarFeed.objects.filter(user=member).exists()
    assert api(member).delete(FEED_URL).status_code == 204  # nothing left to revoke
    new = address(member)
    assert new != old
    verbs = ActivityLog.objects.filter(actor=member).order_by("pk").values_list("verb", flat=True)
    assert list(verbs) == ["created", "revoked", "created"]


def test_the_activity_log_never_holds_the_secret(api, member):
    address(member)
    api(member).post(FEED_URL)
    api(member).delete(FEED_URL)
    secrets = [address(member).rsplit("/", 1)[1].removesuffix(".ics")]
    for entry in ActivityLog.objects.all():
        text = f"{entry.changes} {entry.note} {entry.object_repr}"
        assert not any(secret in text for secret in secrets)


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_anonymous_callers_have_no_address(api, method):
    response = getattr(api(), method)(FEED_URL)
    assert_error(response, 401)


def test_post_refuses_fields(api, member):
    response = api(member).post(FEED_URL, {"secret": "mine"}, format="json")
    assert_error(response, 400, field="secret")
    assert not CalendarFeed.objects.filter(user=member).exists()


def test_each_user_has_their_own_address(api, member, lead):
    assert address(member) != address(lead)


# What the address lets in -------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    ["short", "x" * 300, "ü" * 43, "a.b" * 15, "%2E%2E" + "a" * 40, "' OR 1=1 --" + "a" * 30],
)
def test_a_malformed_secret_is_a_404(secret):
    assert_error(APIClient().get(f"/api/v1/calendar/{secret}.ics"), 404)


def test_an_unknown_secret_is_a_404(member):
    address(member)
    assert_error(APIClient().get(f"/api/v1/calendar/{'A' * 43}.ics"), 404)


def test_an_inactive_owner_has_no_feed(member, body):
    url = address(member)
    member.is_active = False
    member.save()
    assert_error(fetch(url), 404)


def test_the_secret_is_no_token_and_a_token_changes_nothing(member, lead, body):
    MeetingFactory(body=body)
    url = address(member)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert_error(client.get("/api/v1/me/"), 401)
    # Someone else's token on the feed: still the owner's feed, and the lead's sight no wider.
    token = Token.objects.create(user=lead).key
    as_lead = fetch(url, HTTP_AUTHORIZATION=f"Token {token}")
    assert as_lead.status_code == 200
    assert Calendar.from_ical(as_lead.content)["X-WR-CALNAME"] == "Alliance portfolio: Mina Member"


def test_a_runaway_client_is_throttled_per_address(member, monkeypatch):
    from governance.api import calendar

    monkeypatch.setattr(calendar, "FEED_RATE", "2/minute")
    url = address(member)
    assert [fetch(url).status_code for _ in range(3)] == [200, 200, 429]
    # Another address is counted apart.
    assert fetch(address(UserFactory())).status_code == 200


# What the feed holds ----------------------------------------------------------------------------


def test_the_meetings_of_the_bodies_one_sits_on_in_their_own_time_zone(member, body):
    now = timezone.now().replace(second=0, microsecond=0)
    meeting = MeetingFactory(
        body=body,
        title="Q1 review",
        starts_at=now + datetime.timedelta(days=20),
        time_zone="America/New_York",
        duration_minutes=90,
        location="Boston, 5th floor",
        call_link="https://meet.example.com/jsc",
    )
    elsewhere = MeetingFactory()  # a body the member is not on
    calendar = read(address(member))
    found = events(calendar)
    assert set(found) == {uid("meeting", meeting.pk)}
    event = found[uid("meeting", meeting.pk)]
    zone = zoneinfo.ZoneInfo("America/New_York")
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert (
        start == meeting.starts_at
        and start.utcoffset() == meeting.starts_at.astimezone(zone).utcoffset()
    )
    assert event.decoded("DTEND") - start == datetime.timedelta(minutes=90)
    assert event["SUMMARY"] == "BOREALIS BOREALIS JSC: Q1 review"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event["LOCATION"] == "Boston, 5th floor"
    assert event["URL"] == "https://meet.example.com/jsc"
    assert "DTSTAMP" in event
    description = str(event["DESCRIPTION"])
    assert "Joint steering committee: BOREALIS JSC" in description  # labels, not codes
    assert f"http://127.0.0.1:8000/api/v1/meetings/{meeting.pk}/" in description
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert uid("meeting", elsewhere.pk) not in found


def test_the_meetings_of_alliances_one_leads(member):
    led = MeetingFactory(body=GovernanceBodyFactory(alliance=AllianceFactory(lead=member)))
    assert uid("meeting", led.pk) in events(read(address(member)))


def test_a_reschedule_raises_the_sequence_under_the_same_uid(member, body):
    meeting = MeetingFactory(body=body, time_zone="Asia/Tokyo")
    url = address(member)
    before = events(read(url))[uid("meeting", meeting.pk)]
    meeting.starts_at += datetime.timedelta(days=7)
    meeting.sequence += 1
    meeting.save()
    after = events(read(url))[uid("meeting", meeting.pk)]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1 == 1
    assert after.decoded("DTSTART") - before.decoded("DTSTART") == datetime.timedelta(days=7)
    assert after["DTSTART"].params["TZID"] == "Asia/Tokyo"


def test_a_cancelled_meeting_stays_as_cancelled(member, body):
    meeting = MeetingFactory(
        body=body, status=MeetingStatus.CANCELLED, cancel_reason="Data not ready", sequence=2
    )
    event = events(read(address(member)))[uid("meeting", meeting.pk)]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 2
    assert str(event["SUMMARY"]).startswith("Cancelled: ")
    assert "Reason: Data not ready" in str(event["DESCRIPTION"])


def test_meetings_outside_the_window_are_left_out(member, body):
    now = timezone.now()
    held = MeetingFactory(
        body=body, starts_at=now - datetime.timedelta(days=30), status=MeetingStatus.HELD
    )
    old = MeetingFactory(body=body, starts_at=now - datetime.timedelta(days=200))
    far = MeetingFactory(body=body, starts_at=now + datetime.timedelta(days=800))
    found = events(read(address(member)))
    assert uid("meeting", held.pk) in found
    assert uid("meeting", old.pk) not in found
    assert uid("meeting", far.pk) not in found


def test_due_dates_of_ones_open_tasks_and_action_items_are_all_day(member, body):
    due = today() + datetime.timedelta(days=10)
    task = TaskFactory(alliance=body.alliance, assignee=member, due_date=due, title="QA draft")
    blocked = TaskFactory(
        alliance=body.alliance, assignee=member, status=TaskStatus.BLOCKED, blocked_reason="x"
    )
    done = TaskFactory(alliance=body.alliance, assignee=member, status=TaskStatus.DONE)
    theirs = TaskFactory(alliance=body.alliance)
    meeting = MeetingFactory(body=body, status=MeetingStatus.HELD)
    item = ActionItemFactory(meeting=meeting, owner_user=member, due_date=due, title="Send data")
    closed = ActionItemFactory(meeting=meeting, owner_user=member, status=ActionStatus.DONE)
    # An internal owner's action item is also a task in their queue: one event, not two.
    queued = TaskFactory(alliance=body.alliance, assignee=member, due_date=due)
    linked = ActionItemFactory(meeting=meeting, owner_user=member, due_date=due, task=queued)
    found = events(read(address(member)))
    assert set(found) >= {uid("task", task.pk), uid("task", blocked.pk)}
    assert {uid("task", done.pk), uid("task", theirs.pk), uid("task", queued.pk)}.isdisjoint(found)
    assert uid("action-item", item.pk) in found and uid("action-item", linked.pk) in found
    assert uid("action-item", closed.pk) not in found
    for event in (found[uid("task", task.pk)], found[uid("action-item", item.pk)]):
        assert event["DTSTART"].params.get("VALUE") == "DATE"
        assert event.decoded("DTSTART") == due
        assert event.decoded("DTEND") == due + datetime.timedelta(days=1)
        assert event["TRANSP"] == "TRANSPARENT"
    assert found[uid("task", task.pk)]["SUMMARY"] == "Due: QA draft (BOREALIS)"
    assert found[uid("action-item", item.pk)]["SUMMARY"] == "Action due: Send data (BOREALIS)"


def test_confidential_alliances_are_in_the_feed_only_for_those_on_them(member, lead2):
    secret = AllianceFactory(name="NIGHTJAR", confidential=True)
    body = GovernanceBodyFactory(alliance=secret)
    BodyMemberFactory(body=body, user=member)
    meeting = MeetingFactory(body=body)
    # lead2 sees every alliance that is not confidential, and has work on this one from before
    # they left its team: none of it shows.
    task = TaskFactory(alliance=secret, assignee=lead2)
    item = ActionItemFactory(meeting=meeting, owner_user=lead2)
    hidden = {uid("meeting", meeting.pk), uid("task", task.pk), uid("action-item", item.pk)}
    assert hidden.isdisjoint(events(read(address(lead2))))
    on_it = events(read(address(member)))
    assert on_it[uid("meeting", meeting.pk)]["CLASS"] == "CONFIDENTIAL"
    MembershipFactory(alliance=secret, user=lead2)
    now_on_it = events(read(address(lead2)))
    assert {uid("task", task.pk), uid("action-item", item.pk)} <= set(now_on_it)


def test_a_renamed_committee_or_alliance_shows_at_the_next_read(member, body):
    meeting = MeetingFactory(body=body, title="")
    url = address(member)
    assert events(read(url))[uid("meeting", meeting.pk)]["SUMMARY"] == "BOREALIS BOREALIS JSC"
    body.name = "Steering"
    body.save()
    body.alliance.name = "AURIGA"
    body.alliance.save()
    assert events(read(url))[uid("meeting", meeting.pk)]["SUMMARY"] == "AURIGA Steering"


def test_lines_fold_as_icalendar_folds_them():
    import random

    from icalendar.parser.content_line import Contentline

    from governance.ical import _fold

    rng = random.Random(5545)
    for _ in range(3000):
        line = Contentline("".join(rng.choice('ab ,;:\\^"é€x') for _ in range(rng.randint(0, 300))))
        assert _fold(line) == line.to_ical().decode(), line


def test_the_feed_is_never_cached_by_others(member):
    response = fetch(address(member))
    assert response["Cache-Control"] == "private, no-store"


def test_the_feed_answers_in_a_fixed_number_of_queries(member, body):
    url = address(member)

    def count():
        with CaptureQueriesContext(connection) as captured:
            calendar = read(url)
        return len(captured), len(calendar.walk("VEVENT"))

    first = MeetingFactory(body=body)
    zones = ["Europe/London", "America/New_York", "Asia/Tokyo"]

    def add(n, meetings=True):
        for i in range(n):
            if meetings:
                MeetingFactory(body=body, time_zone=zones[i % 3])
            TaskFactory(alliance=body.alliance, assignee=member, due_date=today())
            ActionItemFactory(meeting=first, owner_user=member)

    add(2, meetings=False)
    small = count()
    add(15)
    large = count()
    assert (small[1], large[1]) == (5, 50)
    # the address and its owner, the owner's roles, meetings, tasks, action items
    assert small[0] == large[0] == 5


def test_the_schema_documents_the_feed_as_public_and_text_calendar():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    feed = paths["/api/v1/calendar/{secret}.ics"]["get"]
    assert set(feed["responses"]) == {"200", "404", "429"}
    assert list(feed["responses"]["200"]["content"]) == ["text/calendar"]
    assert feed.get("security", []) in ([], [{}])  # no credentials
    invitation = paths["/api/v1/meetings/{id}/invitation.ics"]["get"]
    assert {"200", "401", "404"} <= set(invitation["responses"])


# One meeting as an invitation -----------------------------------------------------------------


def test_a_meeting_as_an_invitation(api, member, body):
    meeting = MeetingFactory(body=body, time_zone="Europe/Berlin", sequence=3)
    response = api(member).get(f"/api/v1/meetings/{meeting.pk}/invitation.ics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == uid("meeting", meeting.pk)  # the feed's UID: clients merge them
    assert event["SEQUENCE"] == 3
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_an_invitation_for_whoever_sees_the_meeting(api, lead, lead2, requester):
    meeting = MeetingFactory()
    hidden = MeetingFactory(body=GovernanceBodyFactory(alliance=AllianceFactory(confidential=True)))
    assert api(lead).get(f"/api/v1/meetings/{meeting.pk}/invitation.ics").status_code == 200
    assert_error(api(requester).get(f"/api/v1/meetings/{meeting.pk}/invitation.ics"), 404)
    assert_error(api(lead2).get(f"/api/v1/meetings/{hidden.pk}/invitation.ics"), 404)
    assert_error(api().get(f"/api/v1/meetings/{meeting.pk}/invitation.ics"), 401)


@pytest.mark.parametrize("pk", ["999999", "9" * 18, "9" * 19, "0", "abc"])
def test_an_invitation_for_no_meeting_is_a_404(api, head, pk):
    assert_error(api(head).get(f"/api/v1/meetings/{pk}/invitation.ics"), 404)
