"""A meeting's logistics steps: dated from its local date (in its own time zone), for the
alliance's governance-logistics assignee (else its lead), never in the past; moved with the
meeting, cancelled with it, all in one transaction with the activity log. The test clock is
2026-11-18 10:00 Europe/London."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from alliances.calendar import today
from alliances.models import ActivityLog
from governance.models import Meeting, MeetingStep
from resourcing.models import Assignment, Task
from tests.alliances.factories import AllianceFactory, UserFactory
from tests.governance.factories import GovernanceBodyFactory
from tests.resourcing.factories import TaskTemplateFactory, service

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/meetings/"
OFFSETS = {"Diary holds": -56, "Agenda with both co-chairs": -21, "Pre-reads": -7,
           "Draft minutes": 14, "Minutes approved": 28}  # fmt: skip
LONDON, TOKYO = ZoneInfo("Europe/London"), ZoneInfo("Asia/Tokyo")


@pytest.fixture
def logistics_playbook(db):
    logistics = service("governance_logistics")
    for title, offset in OFFSETS.items():
        TaskTemplateFactory(service=logistics, title=title, anchor="meeting", offset_days=offset)
    # Another anchor of the same service and another service's meeting step: not started here.
    TaskTemplateFactory(service=logistics, title="Set up the calendar", anchor="start")
    return logistics


@pytest.fixture
def alliance(lead):
    return AllianceFactory(lead=lead)


@pytest.fixture
def body(alliance):
    return GovernanceBodyFactory(alliance=alliance, name="JSC")


def schedule(client, body, starts_at: datetime.datetime, time_zone: str, **extra):
    response = client.post(
        MEETINGS,
        {"body": body.pk, "starts_at": starts_at.isoformat(), "time_zone": time_zone, **extra},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Meeting.objects.get(pk=response.json()["id"]), response.json()


def due_dates(meeting) -> dict[str, datetime.date]:
    return {
        step.task.title: step.task.due_date
        for step in MeetingStep.objects.filter(meeting=meeting).select_related("task")
    }


def test_steps_count_from_the_local_date_for_the_logistics_assignee(
    api, lead, body, logistics_playbook
):
    specialist = UserFactory()
    Assignment.objects.create(
        alliance=body.alliance, service=logistics_playbook, assignee=specialist
    )
    meeting, data = schedule(
        api(lead), body, datetime.datetime(2027, 3, 10, 14, tzinfo=LONDON), "Europe/London"
    )
    assert due_dates(meeting) == {
        "Diary holds": datetime.date(2027, 1, 13),
        "Agenda with both co-chairs": datetime.date(2027, 2, 17),
        "Pre-reads": datetime.date(2027, 3, 3),
        "Draft minutes": datetime.date(2027, 3, 24),
        "Minutes approved": datetime.date(2027, 4, 7),
    }
    tasks = Task.objects.filter(meeting_step__meeting=meeting)
    assert {t.assignee for t in tasks} == {specialist}
    assert {t.assignment_id for t in tasks} == {Assignment.objects.get().pk}
    assert data["steps"][0]["title"] == "Diary holds"
    verbs = set(ActivityLog.objects.filter(alliance=body.alliance).values_list("verb", flat=True))
    assert {"scheduled", "playbook_started"} <= verbs


def test_without_an_assignee_the_steps_go_to_the_lead(api, lead, body, logistics_playbook):
    meeting, _ = schedule(
        api(lead), body, datetime.datetime(2027, 3, 10, 14, tzinfo=LONDON), "Europe/London"
    )
    assert set(
        Task.objects.filter(meeting_step__meeting=meeting).values_list("assignee", flat=True)
    ) == {lead.pk}


def test_a_meeting_at_one_in_the_morning_in_tokyo_counts_from_the_tokyo_date(
    api, lead, body, logistics_playbook
):
    # 01:00 on 10 March in Tokyo is 16:00 on 9 March in London.
    starts = datetime.datetime(2027, 3, 10, 1, tzinfo=TOKYO)
    meeting, data = schedule(api(lead), body, starts, "Asia/Tokyo")
    assert starts.astimezone(LONDON).date() == datetime.date(2027, 3, 9)
    assert data["local_date"] == "2027-03-10"
    assert data["local_start"] == "2027-03-10T01:00:00+09:00"
    assert due_dates(meeting)["Pre-reads"] == datetime.date(2027, 3, 3)
    # The same instant, held in London, is the day before.
    other, _ = schedule(api(lead), body, starts, "Europe/London", title="London view")
    assert due_dates(other)["Pre-reads"] == datetime.date(2027, 3, 2)


def test_a_meeting_given_with_another_offset_still_counts_from_its_zone(
    api, lead, body, logistics_playbook
):
    # Given in UTC: 23:30 on 30 April UTC is 08:30 on 1 May in Tokyo.
    meeting, data = schedule(
        api(lead), body, datetime.datetime(2027, 4, 30, 23, 30, tzinfo=datetime.UTC), "Asia/Tokyo"
    )
    assert data["local_date"] == "2027-05-01"
    assert due_dates(meeting)["Draft minutes"] == datetime.date(2027, 5, 15)


def test_steps_already_past_are_due_today_not_in_the_past(api, lead, body, logistics_playbook):
    starts = datetime.datetime(2026, 12, 2, 10, tzinfo=LONDON)  # in two weeks
    meeting, _ = schedule(api(lead), body, starts, "Europe/London")
    dates = due_dates(meeting)
    assert today() == datetime.date(2026, 11, 18)
    assert dates["Diary holds"] == dates["Agenda with both co-chairs"] == today()
    assert dates["Pre-reads"] == datetime.date(2026, 11, 25)


def test_rescheduling_moves_open_steps_by_the_days_the_local_date_moved(
    api, lead, body, logistics_playbook
):
    client = api(lead)
    meeting, _ = schedule(
        client, body, datetime.datetime(2027, 3, 31, 10, tzinfo=LONDON), "Europe/London"
    )
    done = Task.objects.get(meeting_step__meeting=meeting, title="Diary holds")
    done.status = "done"
    done.save()
    response = client.post(
        f"{MEETINGS}{meeting.pk}/reschedule/",
        {"starts_at": "2027-04-30T10:00:00+01:00", "reason": "The partner's CSO is away"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["sequence"] == 1
    assert due_dates(meeting) == {
        "Diary holds": datetime.date(2027, 2, 3),  # done: stays
        "Agenda with both co-chairs": datetime.date(2027, 4, 9),  # 10 March + 30 days
        "Pre-reads": datetime.date(2027, 4, 23),
        "Draft minutes": datetime.date(2027, 5, 14),
        "Minutes approved": datetime.date(2027, 5, 28),
    }
    entry = ActivityLog.objects.get(verb="rescheduled")
    assert entry.note == "The partner's CSO is away"
    assert ActivityLog.objects.filter(verb="task_rescheduled").count() == 4


def test_a_zone_change_moves_steps_by_the_local_dates_not_the_instant(
    api, lead, body, logistics_playbook
):
    client = api(lead)
    meeting, _ = schedule(
        client, body, datetime.datetime(2027, 3, 10, 9, tzinfo=LONDON), "Europe/London"
    )
    # Same instant (09:00 London = 18:00 Tokyo): the local date does not move, nor the steps.
    before = due_dates(meeting)
    response = client.post(
        f"{MEETINGS}{meeting.pk}/reschedule/",
        {"starts_at": "2027-03-10T09:00:00Z", "time_zone": "Asia/Tokyo", "reason": "In Tokyo"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["local_start"].startswith(
        "2027-03-10T18:00"
    )
    assert due_dates(meeting) == before
    # 16:00 London is 01:00 the next day in Tokyo: one day later.
    client.post(
        f"{MEETINGS}{meeting.pk}/reschedule/",
        {"starts_at": "2027-03-10T16:00:00Z", "reason": "Later"},
        format="json",
    )
    assert due_dates(meeting)["Pre-reads"] == before["Pre-reads"] + datetime.timedelta(days=1)


def test_a_moved_step_never_lands_in_the_past(api, lead, body, logistics_playbook):
    client = api(lead)
    meeting, _ = schedule(
        client, body, datetime.datetime(2026, 12, 16, 10, tzinfo=LONDON), "Europe/London"
    )
    assert due_dates(meeting)["Pre-reads"] == datetime.date(2026, 12, 9)
    response = client.post(
        f"{MEETINGS}{meeting.pk}/reschedule/",
        {"starts_at": "2026-11-20T10:00:00+00:00", "reason": "Brought forward"},
        format="json",
    )
    assert response.status_code == 200
    dates = due_dates(meeting)
    assert dates["Pre-reads"] == today()  # 13 November moved: today
    assert dates["Draft minutes"] == datetime.date(2026, 12, 4)


def test_cancelling_cancels_the_open_steps_with_the_reason(api, lead, body, logistics_playbook):
    client = api(lead)
    meeting, _ = schedule(
        client, body, datetime.datetime(2027, 3, 10, 10, tzinfo=LONDON), "Europe/London"
    )
    done = Task.objects.get(meeting_step__meeting=meeting, title="Diary holds")
    done.status = "done"
    done.save()
    response = client.post(
        f"{MEETINGS}{meeting.pk}/cancel/", {"reason": "Merged with the March JDC"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled" and response.json()["sequence"] == 1
    statuses = dict(
        Task.objects.filter(meeting_step__meeting=meeting).values_list("title", "status")
    )
    assert statuses.pop("Diary holds") == "done"
    assert set(statuses.values()) == {"cancelled"}
    notes = set(ActivityLog.objects.filter(verb="task_cancel").values_list("note", flat=True))
    assert notes == {"The meeting was cancelled: Merged with the March JDC"}


def test_scheduling_is_all_or_nothing(api, lead, body, logistics_playbook, monkeypatch):
    from governance.services import meetings

    def broken(**kwargs):
        raise RuntimeError("the playbook could not be read")

    monkeypatch.setattr(meetings, "playbook_tasks_build", broken)
    client = api(lead)
    client.raise_request_exception = False
    response = client.post(
        MEETINGS,
        {"body": body.pk, "starts_at": "2027-03-10T10:00:00Z", "time_zone": "Europe/London"},
        format="json",
    )
    assert response.status_code == 500
    assert not Meeting.objects.exists()
    assert not ActivityLog.objects.filter(verb="scheduled").exists()
