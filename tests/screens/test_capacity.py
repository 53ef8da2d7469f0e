"""The capacity page: leads and the head see demand against capacity per service and per
specialist (the API's capacity report), others get the API's refusal (403)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resourcing.capacity import capacity_report
from tests.resourcing.factories import IntakeFactory, SpecialistFactory, TaskFactory

pytestmark = pytest.mark.django_db

CAPACITY = "admin:capacity"


def test_leads_see_demand_against_capacity_with_warnings(client, lead):
    busy = SpecialistFactory(
        user__first_name="Bea", user__last_name="Busy", weekly_capacity_hours="10.0", wip_limit=2
    )
    TaskFactory(assignee=busy.user, effort_hours="200.0", due_date=timezone.localdate())
    TaskFactory(assignee=busy.user, effort_hours="1.0", due_date=timezone.localdate())
    SpecialistFactory(user__first_name="Ida", user__last_name="Idle", services=["reporting"])
    IntakeFactory(services=["startup"])
    client.force_login(lead)
    page = client.get(reverse(CAPACITY)).content.decode()
    report = capacity_report(user=lead)
    startup = next(row for row in report["services"] if row["service"] == "startup")
    assert "Alliance start-up" in page and "startup" not in page.replace("start-up", "")
    assert f"{startup['specialists']} specialist" in page
    assert "Bea Busy" in page and "Ida Idle" in page
    assert "Over capacity" in page and "At the work-in-progress limit" in page
    assert "201 h of 120 h (168%)" in page  # the API's numbers, in words
    assert "2 of 2 open tasks" in page


def test_the_horizon_follows_weeks_like_the_api(client, head):
    SpecialistFactory()
    client.force_login(head)
    page = client.get(reverse(CAPACITY), {"weeks": "4"}).content.decode()
    assert "(4 weeks)" in page
    page = client.get(reverse(CAPACITY), {"weeks": "99"}).content.decode()
    assert "(12 weeks)" in page  # out of range: the default horizon


@pytest.mark.parametrize("who", ["specialist", "executive", "requester"])
def test_only_leads_and_the_head_see_capacity(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(CAPACITY)).status_code == 403


def capacity_queries(client, count: int) -> int:
    for _ in range(count):
        person = SpecialistFactory(services=["startup", "reporting"])
        TaskFactory(assignee=person.user)
        IntakeFactory(services=["startup", "termination"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(CAPACITY)).status_code == 200
    return len(captured)


# Session and user; the capacity report (specialists' facts, their work by service, the
# pipeline, the services); the services' names; the site's page. None per specialist.
CAPACITY_PAGE_QUERIES = 14


def test_the_capacity_page_takes_a_fixed_number_of_queries(client, lead):
    client.force_login(lead)
    small = capacity_queries(client, 1)
    assert capacity_queries(client, 8) == small == CAPACITY_PAGE_QUERIES


def test_the_specialist_list_names_services_and_warns_of_overload(client, lead):
    over = SpecialistFactory(
        user__first_name="Olu", user__last_name="Over", weekly_capacity_hours="1.0"
    )
    TaskFactory(assignee=over.user, effort_hours="60.0", due_date=timezone.localdate())
    full = SpecialistFactory(services=["reporting"], wip_limit=1)
    TaskFactory(assignee=full.user, effort_hours="1.0", due_date=timezone.localdate())
    SpecialistFactory(active=False)
    client.force_login(lead)
    page = client.get(reverse("admin:resourcing_specialist_changelist")).content.decode()
    assert "Alliance start-up" in page and "Measurement and reporting" in page
    assert "500%: over capacity" in page
    assert "at the work-in-progress limit" in page
    assert "1 of 1" in page
    assert "Inactive" in page
