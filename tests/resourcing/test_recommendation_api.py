"""The recommendation as leads read it, from the database, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliances.models import ActivityLog
from tests.alliances.factories import AllianceFactory, UserFactory
from tests.helpers import monday_ahead
from tests.resourcing.factories import (
    AssignmentFactory,
    IntakeFactory,
    LeaveFactory,
    SpecialistFactory,
    TaskFactory,
    TaskTemplateFactory,
    service,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def playbook():
    TaskTemplateFactory(service=service("startup"), offset_days=5, effort_hours="10.0")
    TaskTemplateFactory(service=service("startup"), offset_days=30, effort_hours="20.0")
    TaskTemplateFactory(service=service("governance_logistics"), anchor="meeting", offset_days=-56)
    TaskTemplateFactory(service=service("governance_logistics"), anchor="meeting", offset_days=14)


def url(intake):
    return f"/api/v1/intake-requests/{intake.pk}/recommendation/"


def test_recommendation_ranks_explains_and_excludes(api, lead, playbook):
    start = monday_ahead()  # a past start would be planned from today
    intake = IntakeFactory(
        desired_start_date=start,
        services=["startup", "governance_logistics"],
        differentiating=False,
        mission_critical=True,
    )
    best = SpecialistFactory(user=UserFactory(username="best"), areas=["oncology"])
    AssignmentFactory(specialist=best, alliance=AllianceFactory(partner=intake.partner))
    SpecialistFactory(user=UserFactory(username="other"))
    away = SpecialistFactory(user=UserFactory(username="away"))
    LeaveFactory(specialist=away, start=start, end=start + datetime.timedelta(days=10))
    full = SpecialistFactory(user=UserFactory(username="full"), wip_limit=2)
    TaskFactory.create_batch(2, assignee=full.user)
    SpecialistFactory(user=UserFactory(username="gone"), active=False)
    SpecialistFactory(user=UserFactory(username="writer"), services=["reporting"])

    response = api(lead).get(url(intake))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["management_model"]["recommended"] == "specialist_supported"
    assert data["management_model"]["rule"] == 2
    assert data["management_model"]["inputs"]["purpose_quadrant"] == "parity"
    startup, governance = sorted(data["services"], key=lambda s: s["service"] != "startup")
    assert startup["window"] == {
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(days=30)).isoformat(),
    }
    assert startup["effort_hours"] == 30.0
    assert [c["user"]["username"] for c in startup["candidates"]] == ["best", "other"]
    top = startup["candidates"][0]
    assert top["factors"]["therapeutic_area_match"] is True
    assert top["factors"]["partner_assignments"] == 1
    assert top["factors"]["last_assigned_at"] is not None
    excluded = {e["user"]["username"]: e["reasons"] for e in startup["excluded"]}
    assert excluded == {
        "away": ["on_leave"],
        "full": ["at_wip_limit"],
        "gone": ["inactive"],
        "writer": ["lacks_skill"],
    }
    # Nobody delivers governance logistics: everyone is excluded for lacking it.
    assert governance["candidates"] == []
    # a 70-day span from the start
    assert governance["window"]["end"] == (start + datetime.timedelta(days=70)).isoformat()
    assert not ActivityLog.objects.exists()  # reading it writes nothing


def test_committed_work_inside_the_window_reduces_capacity(api, lead, playbook):
    start = monday_ahead()  # the 30-day window from a Monday holds 23 business days
    inside, after = start + datetime.timedelta(days=9), start + datetime.timedelta(days=120)
    intake = IntakeFactory(desired_start_date=start)
    busy = SpecialistFactory(user=UserFactory(username="busy"), weekly_capacity_hours="10.0")
    TaskFactory(assignee=busy.user, due_date=inside, effort_hours="40.0")
    TaskFactory(assignee=busy.user, due_date=after, effort_hours="99.0")
    TaskFactory(assignee=busy.user, due_date=inside, status="done")
    candidate = api(lead).get(url(intake)).json()["services"][0]["candidates"][0]
    assert candidate["factors"]["committed_hours"] == 40.0
    assert candidate["factors"]["capacity_hours"] == 46.0  # 23 business days x 2 h
    assert candidate["factors"]["remaining_capacity_hours"] == 6.0
    assert candidate["factors"]["open_tasks"] == 2


def test_a_past_desired_start_is_planned_from_today(api, lead, playbook):
    intake = IntakeFactory(desired_start_date=datetime.date(2020, 1, 1))
    window = api(lead).get(url(intake)).json()["services"][0]["window"]
    assert window["start"] == timezone.localdate().isoformat()


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_query_count_is_independent_of_specialists_and_tasks(lead, playbook):
    from tests.alliances.test_query_counts import token_client

    intake = IntakeFactory(services=["startup", "governance_logistics"])
    client = token_client(lead)
    SpecialistFactory()
    few = queries(client, url(intake))
    for _n in range(15):
        person = SpecialistFactory(services=["startup", "reporting"], areas=["oncology"])
        LeaveFactory(specialist=person)
        TaskFactory.create_batch(3, assignee=person.user)
        AssignmentFactory(specialist=person, alliance=AllianceFactory(partner=intake.partner))
    many = queries(client, url(intake))
    assert few == many
    # token, roles, intake, requested services, templates, specialists, their services,
    # areas, leave, open-task counts, committed hours, last assigned, continuity
    assert many == 13


def test_continuity_counts_only_alliances_the_reader_can_see(api, lead, head, playbook):
    intake = IntakeFactory()
    person = SpecialistFactory(user=UserFactory(username="kim"))
    secret = AllianceFactory(partner=intake.partner, confidential=True, lead=head)
    AssignmentFactory(specialist=person, alliance=secret)

    def continuity(user):
        data = api(user).get(url(intake)).json()
        return data["services"][0]["candidates"][0]["factors"]["partner_assignments"]

    assert continuity(lead) == 0
    assert continuity(head) == 1
