import datetime

import pytest
from django.utils import timezone

from tests.resourcing.factories import (
    IntakeFactory,
    LeaveFactory,
    SpecialistFactory,
    TaskFactory,
    TaskTemplateFactory,
    service,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def team(specialist):
    me = SpecialistFactory(user=specialist, services=["startup"], weekly_capacity_hours="10.0")
    other = SpecialistFactory(
        services=["startup", "reporting"], weekly_capacity_hours="20.0", wip_limit=2
    )
    TaskFactory(assignee=me.user, due_date=days(-2), effort_hours="4.0")  # overdue
    TaskFactory(assignee=me.user, due_date=days(5), effort_hours="6.0")
    TaskFactory(assignee=me.user, due_date=days(200), effort_hours="50.0")  # beyond the horizon
    TaskFactory(assignee=me.user, due_date=days(5), effort_hours="9.0", status="done")
    TaskFactory(
        assignee=other.user, due_date=days(3), effort_hours="30.0", service=service("reporting")
    )
    TaskFactory(assignee=other.user, due_date=days(4), effort_hours="1.0")
    return me, other


def test_workload_of_a_specialist(api, team):
    me, _ = team
    response = api(me.user).get(f"/api/v1/specialists/{me.pk}/workload/", {"weeks": 2})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["horizon"]["weeks"] == 2
    assert data["capacity_hours"] == 20.0  # 10 business days x 2 h
    assert data["demand_hours"] == 10.0
    assert data["open_tasks"] == 3
    assert data["overdue_tasks"] == 1
    assert data["utilisation"] == 0.5
    assert data["over_allocated"] is False


def test_leave_reduces_capacity(api, lead, team):
    me, _ = team
    LeaveFactory(specialist=me, start=TODAY, end=days(400))
    data = api(lead).get(f"/api/v1/specialists/{me.pk}/workload/", {"weeks": 2}).json()
    assert data["capacity_hours"] == 0.0
    assert data["utilisation"] is None
    assert data["over_allocated"] is True


def test_workload_permissions(api, team, executive, requester, lead):
    me, other = team
    assert api(lead).get(f"/api/v1/specialists/{other.pk}/workload/").status_code == 200
    # Someone else's profile is a 404, as it is absent from their list.
    assert api(me.user).get(f"/api/v1/specialists/{other.pk}/workload/").status_code == 404
    assert api(executive).get(f"/api/v1/specialists/{me.pk}/workload/").status_code == 404
    assert api().get(f"/api/v1/specialists/{me.pk}/workload/").status_code == 401
    assert api(lead).get("/api/v1/specialists/99999/workload/").status_code == 404


@pytest.mark.parametrize("weeks", ["0", "53", "x", "-1", "2.5"])
def test_bad_weeks_are_400(api, lead, team, weeks):
    me, _ = team
    assert api(lead).get("/api/v1/capacity/", {"weeks": weeks}).status_code == 400
    assert (
        api(lead).get(f"/api/v1/specialists/{me.pk}/workload/", {"weeks": weeks}).status_code == 400
    )


def test_capacity_per_specialist_and_service_with_the_pipeline(api, lead, team):
    _me, other = team
    TaskTemplateFactory(service=service("startup"), effort_hours="12.0", offset_days=1)
    TaskTemplateFactory(service=service("startup"), effort_hours="8.0", offset_days=3)
    # due after the horizon, or not created by accept: not in the pipeline
    TaskTemplateFactory(service=service("startup"), effort_hours="99.0", offset_days=60)
    TaskTemplateFactory(
        service=service("startup"), effort_hours="99.0", anchor="meeting", offset_days=-5
    )
    IntakeFactory(services=["startup"], desired_start_date=days(7), status="triage")
    IntakeFactory(services=["startup"], desired_start_date=days(7), status="declined")
    IntakeFactory(services=["startup"], desired_start_date=days(300))  # beyond the horizon
    IntakeFactory(services=["startup"], desired_start_date=days(7), confidential=True)
    response = api(lead).get("/api/v1/capacity/", {"weeks": 2})
    assert response.status_code == 200
    data = response.json()
    people = {row["id"]: row for row in data["specialists"]}
    assert people[other.pk]["capacity_hours"] == 40.0
    assert people[other.pk]["demand_hours"] == 31.0
    assert people[other.pk]["over_allocated"] is True  # at its WIP limit of 2
    services = {row["service"]: row for row in data["services"]}
    startup = services["startup"]
    # me: 20 h on startup alone; other: 40 h shared by two services
    assert startup["capacity_hours"] == 40.0
    assert startup["demand_hours"] == 11.0
    assert startup["pipeline_hours"] == 20.0
    assert startup["utilisation_with_pipeline"] == round(31 / 40, 3)
    assert services["reporting"]["demand_hours"] == 30.0
    assert services["reporting"]["over_allocated"] is True


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_capacity_is_for_leads_and_head(request, api, role):
    assert api(request.getfixturevalue(role)).get("/api/v1/capacity/").status_code == 403


def test_capacity_query_count_is_independent_of_size(lead):
    from tests.alliances.test_query_counts import queries, token_client

    client = token_client(lead)
    SpecialistFactory()
    few = queries(client, "/api/v1/capacity/")
    for _ in range(10):
        person = SpecialistFactory(services=["startup", "reporting"])
        LeaveFactory(specialist=person, start=TODAY, end=days(3))
        TaskFactory.create_batch(3, assignee=person.user, due_date=days(2))
        IntakeFactory(services=["reporting"])
    assert queries(client, "/api/v1/capacity/") == few
