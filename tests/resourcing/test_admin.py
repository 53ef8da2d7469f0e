import datetime
import re

import pytest
from django.utils import timezone

from resourcing.models import IntakeMessage
from tests.resourcing.factories import IntakeFactory, SpecialistFactory, TaskTemplateFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/resourcing/intakerequest/"


def triage_url(intake):
    return f"{LIST}{intake.pk}/triage/"


def test_intake_list_filters_by_sla_and_hides_confidential(client, lead):
    IntakeFactory(title="LATE ONE", sla_due=timezone.localdate() - datetime.timedelta(days=2))
    IntakeFactory(title="FINE ONE")
    IntakeFactory(title="SECRET ONE", confidential=True)
    client.force_login(lead)
    page = client.get(LIST, {"sla": "overdue"}).content.decode()
    assert "LATE ONE" in page and "FINE ONE" not in page
    page = client.get(LIST).content.decode()
    assert "SECRET ONE" not in page


def test_triage_page_explains_the_recommendation(client, lead):
    TaskTemplateFactory(offset_days=30, effort_hours="12.0")
    SpecialistFactory(user__username="nadia", user__first_name="Nadia", user__last_name="Kerr")
    SpecialistFactory(
        user__username="omar", user__first_name="Omar", user__last_name="Dunn", active=False
    )
    intake = IntakeFactory(title="Bispecific deal")
    client.force_login(lead)
    page = client.get(triage_url(intake)).content.decode()
    assert "Management model: Dedicated alliance manager" in page
    assert "(rule 1)" in page
    assert "Alliance start-up: Nadia Kerr recommended" in page
    assert re.search(r"Omar Dunn\s*</td>\s*<td[^>]*>\s*Inactive\s*</td>", page)
    assert "Start triage" in page


def test_triage_buttons_call_the_services(client, lead):
    intake = IntakeFactory()
    client.force_login(lead)
    client.post(triage_url(intake), {"do": "triage"})
    intake.refresh_from_db()
    assert intake.status == "triage"
    page = client.post(triage_url(intake), {"do": "request_info", "question": ""})
    assert page.context["question_form"].errors["question"] == ["Write the question."]
    client.post(triage_url(intake), {"do": "request_info", "question": "Which indication?"})
    intake.refresh_from_db()
    assert intake.status == "needs_info"
    assert IntakeMessage.objects.get().text == "Which indication?"
    refused = client.post(triage_url(intake), {"do": "decline", "reason": "No"}, follow=True)
    assert "This request is needs information: that cannot be done now." in (
        refused.content.decode()
    )


def test_decline_from_the_triage_page(client, lead):
    intake = IntakeFactory(status="triage")
    client.force_login(lead)
    client.post(triage_url(intake), {"do": "decline", "reason": "Outside strategy"})
    intake.refresh_from_db()
    assert (intake.status, intake.decline_reason) == ("declined", "Outside strategy")


def test_executives_cannot_triage_and_hidden_requests_are_404(client, executive, lead):
    intake = IntakeFactory()
    client.force_login(executive)
    page = client.get(triage_url(intake))
    assert page.status_code == 404  # executives see no requests but their own
    secret = IntakeFactory(confidential=True)
    client.force_login(lead)
    assert client.get(triage_url(secret)).status_code == 404


@pytest.mark.parametrize(
    "page",
    [
        "/admin/resourcing/service/",
        "/admin/resourcing/specialist/",
        "/admin/resourcing/task/",
        "/admin/resourcing/assignment/",
        LIST,
    ],
)
def test_admin_pages_render(client, lead, page):
    SpecialistFactory()
    IntakeFactory()
    client.force_login(lead)
    assert client.get(page).status_code == 200


def test_head_edits_a_playbook_step_through_the_service(client, head):
    from alliances.models import ActivityLog
    from tests.resourcing.factories import service

    step = TaskTemplateFactory(title="Kick-off", offset_days=30)
    startup = service("startup")
    client.force_login(head)
    page = client.get(f"/admin/resourcing/service/{startup.pk}/change/")
    assert page.status_code == 200
    response = client.post(
        f"/admin/resourcing/service/{startup.pk}/change/",
        {
            "name": startup.name,
            "description": startup.description,
            "templates-TOTAL_FORMS": "1",
            "templates-INITIAL_FORMS": "1",
            "templates-0-id": step.pk,
            "templates-0-service": startup.pk,
            "templates-0-title": "Joint kick-off",
            "templates-0-anchor": "start",
            "templates-0-offset_days": "28",
            "templates-0-effort_hours": "6.0",
            "templates-0-priority": "high",
            "templates-0-description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    step.refresh_from_db()
    assert (step.title, step.offset_days) == ("Joint kick-off", 28)
    assert ActivityLog.objects.filter(verb="updated", object_id=step.pk).exists()


def test_specialist_saved_in_the_admin_goes_through_the_service(client, lead):
    from alliances.models import ActivityLog
    from tests.resourcing.factories import service

    person = SpecialistFactory(wip_limit=10)
    client.force_login(lead)
    response = client.post(
        f"/admin/resourcing/specialist/{person.pk}/change/",
        {
            "user": person.user.pk,
            "services": [service("reporting").pk],
            "weekly_capacity_hours": "20.0",
            "wip_limit": "12",
            "active": "on",
            "leave_periods-TOTAL_FORMS": "1",
            "leave_periods-INITIAL_FORMS": "0",
            "leave_periods-0-start": "2027-01-04",
            "leave_periods-0-end": "2027-01-08",
            "leave_periods-0-note": "Ski trip",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.wip_limit == 12
    assert list(person.services.values_list("code", flat=True)) == ["reporting"]
    assert person.leave_periods.get().note == "Ski trip"
    log = ActivityLog.objects.get(verb="updated", object_id=person.pk)
    assert log.changes["wip_limit"] == [10, 12]


def test_triage_page_shows_when_each_candidate_was_last_assigned(client, lead):
    from tests.resourcing.factories import AssignmentFactory

    TaskTemplateFactory()
    person = SpecialistFactory(user__first_name="Kim", user__last_name="Mensah")
    AssignmentFactory(specialist=person)
    intake = IntakeFactory()
    client.force_login(lead)
    page = client.get(triage_url(intake)).content.decode()
    assert timezone.localdate().strftime("%-d %b %Y") in page


def test_a_triage_post_by_someone_who_may_not_says_so(client, executive):
    intake = IntakeFactory(requester=executive)
    client.force_login(executive)
    page = client.post(triage_url(intake), {"do": "triage"}, follow=True).content.decode()
    assert "Only alliance leads triage" in page
    intake.refresh_from_db()
    assert intake.status == "submitted"


def test_declined_requests_show_why(client, lead):
    intake = IntakeFactory(status="declined", decline_reason="Outside strategy", decided_by=lead)
    client.force_login(lead)
    page = client.get(triage_url(intake)).content.decode()
    assert "Outside strategy" in page
    assert "Triage due" not in page


def test_accept_from_the_triage_page(client, lead):
    from alliances.models import Alliance
    from resourcing.models import Assignment
    from tests.resourcing.factories import service

    TaskTemplateFactory()
    top = SpecialistFactory(services=["startup"], areas=["oncology"])
    other = SpecialistFactory(services=["startup"])
    intake = IntakeFactory(status="triage")
    client.force_login(lead)
    page = client.get(triage_url(intake)).content.decode()
    assert "Accept" in page
    missing_reason = client.post(
        triage_url(intake),
        {
            "do": "accept",
            "management_model": "dedicated",
            "services": ["startup"],
            "stage": "pre_poc",
            "override_startup": other.pk,
        },
        follow=True,
    )
    assert "Say why you choose someone other than the recommendation." in (
        missing_reason.content.decode()
    )
    assert not Alliance.objects.exists()
    response = client.post(
        triage_url(intake),
        {
            "do": "accept",
            "management_model": "dedicated",
            "services": ["startup"],
            "stage": "pre_poc",
            "alliance_name": "HALCYON",
        },
    )
    alliance = Alliance.objects.get(name="HALCYON")
    assert response.status_code == 302
    # No other request awaits triage: back to the list, with a link to the new alliance.
    assert response["Location"].endswith("/admin/resourcing/intakerequest/")
    page = client.get(response["Location"]).content.decode()
    assert f"/admin/alliances/alliance/{alliance.pk}/change/" in page
    assert Assignment.objects.get(alliance=alliance, service=service("startup")).specialist == top


def test_specialists_start_on_their_own_queue_and_act_on_it(client, specialist):
    from resourcing.models import Task
    from tests.resourcing.factories import TaskFactory

    mine = TaskFactory(assignee=specialist, title="MY TASK")
    TaskFactory(title="NOT MINE")
    client.force_login(specialist)
    landing = client.get("/admin/resourcing/task/")
    assert landing.status_code == 302
    page = client.get(landing["Location"]).content.decode()
    assert "MY TASK" in page and "NOT MINE" not in page
    client.post(
        "/admin/resourcing/task/",
        {"action": "start_selected", "_selected_action": [mine.pk]},
    )
    assert Task.objects.get(pk=mine.pk).status == "in_progress"
    asked = client.post(
        "/admin/resourcing/task/", {"action": "block_selected", "_selected_action": [mine.pk]}
    )
    assert "Block selected tasks" in asked.content.decode()
    client.post(
        "/admin/resourcing/task/",
        {
            "action": "block_selected",
            "_selected_action": [mine.pk],
            "apply": "1",
            "reason": "Waiting for QA",
        },
    )
    blocked = Task.objects.get(pk=mine.pk)
    assert (blocked.status, blocked.blocked_reason) == ("blocked", "Waiting for QA")
    client.post(
        "/admin/resourcing/task/", {"action": "complete_selected", "_selected_action": [mine.pk]}
    )
    assert Task.objects.get(pk=mine.pk).status == "done"


def test_specialist_list_shows_utilisation(client, lead):
    from tests.resourcing.factories import TaskFactory

    person = SpecialistFactory(weekly_capacity_hours="10.0")
    TaskFactory(assignee=person.user, effort_hours="60.0", due_date=timezone.localdate())
    client.force_login(lead)
    page = client.get("/admin/resourcing/specialist/").content.decode()
    assert "50%" in page
