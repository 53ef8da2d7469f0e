"""The specialist's work screens: a task's page (the moves its state allows, through the
services), the queue ("My work") and the assignments list."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.calendar import today
from alliances.choices import Role
from alliances.models import ActivityLog
from config.display import day
from resourcing import services
from resourcing.choices import TaskStatus
from resourcing.models import Task
from tests.alliances.factories import AllianceFactory, UserFactory
from tests.conftest import make_user
from tests.resourcing.factories import AssignmentFactory, SpecialistFactory, TaskFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/resourcing/task/"


def ahead(days: int) -> datetime.date:
    """A date relative to the test clock's today (negative: in the past)."""
    return today() + datetime.timedelta(days=days)


def page_url(task):
    return f"{QUEUE}{task.pk}/change/"


def move_url(task, move):
    return f"{QUEUE}{task.pk}/move/{move}/"


def buttons(response) -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r"/move/([a-z_]+)/", response.content.decode()))


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def make_task(assignee, **fields):
    if fields.get("status") == TaskStatus.BLOCKED:
        fields.setdefault("blocked_reason", "Waiting for the partner's data")
    return TaskFactory(assignee=assignee, **fields)


@pytest.fixture
def other_specialist(db):
    return make_user("other", Role.SPECIALIST, is_staff=True)


# The task page's buttons ---------------------------------------------------------------------

ASSIGNEE_MOVES = {
    TaskStatus.OPEN: {"start", "wait_on_partner", "block", "complete"},
    TaskStatus.IN_PROGRESS: {"wait_on_partner", "block", "complete"},
    TaskStatus.WAITING_ON_PARTNER: {"start", "block", "complete"},
    TaskStatus.BLOCKED: {"start", "complete"},
    TaskStatus.DONE: {"reopen"},
    TaskStatus.CANCELLED: {"reopen"},
}


@pytest.mark.parametrize("status", list(ASSIGNEE_MOVES))
def test_the_assignee_sees_exactly_the_moves_the_state_allows(client, specialist, status):
    task = make_task(specialist, status=status)
    client.force_login(specialist)
    assert buttons(client.get(page_url(task))) == ASSIGNEE_MOVES[status]


@pytest.mark.parametrize("status", list(ASSIGNEE_MOVES))
def test_a_lead_also_reassigns_and_cancels_open_work(client, specialist, lead, status):
    task = make_task(specialist, status=status)
    client.force_login(lead)
    managed = {"reassign", "cancel"} if status not in {"done", "cancelled"} else set()
    assert buttons(client.get(page_url(task))) == ASSIGNEE_MOVES[status] | managed


def test_a_specialist_who_sees_the_task_but_is_not_its_assignee_has_no_buttons(
    client, specialist, other_specialist
):
    task = make_task(specialist)
    # On the alliance (assigned to it), so the task is seen, but not theirs to move.
    AssignmentFactory(alliance=task.alliance, specialist=SpecialistFactory(user=other_specialist))
    client.force_login(other_specialist)
    response = client.get(page_url(task))
    assert buttons(response) == set()
    assert task.title in response.content.decode()


def test_an_executive_reads_a_task_without_buttons(client, specialist, executive):
    task = make_task(specialist)
    client.force_login(executive)
    assert buttons(client.get(page_url(task))) == set()
    response = client.post(move_url(task, "complete"))
    assert any("only its assignee" in text for text in texts(response))
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_the_page_shows_alliance_assignee_status_overdue_and_block_reason(client, specialist):
    task = make_task(
        specialist,
        status=TaskStatus.BLOCKED,
        blocked_reason="No CDA signed yet",
        due_date=ahead(-8),
        description="Draft the plan.",
    )
    services.task_move(actor=specialist, task=task, action="start")
    client.force_login(specialist)
    page = client.get(page_url(task)).content.decode()
    assert f"/admin/alliances/alliance/{task.alliance.pk}/change/" in page
    assert specialist.get_full_name() in page
    assert "In progress" in page  # moved by the service above
    assert day(ahead(-8)) in page and "8 days overdue" in page
    assert "Draft the plan." in page
    assert "started it" in page  # the history, in words


def test_a_blocked_task_shows_its_reason(client, specialist):
    task = make_task(specialist, status=TaskStatus.BLOCKED, blocked_reason="No CDA signed yet")
    client.force_login(specialist)
    page = client.get(page_url(task)).content.decode()
    assert "Blocked" in page and "No CDA signed yet" in page


def test_a_task_you_cannot_see_is_a_404(client, specialist, other_specialist):
    hidden = make_task(UserFactory(), alliance=AllianceFactory(confidential=True))
    client.force_login(specialist)
    assert client.get(page_url(hidden)).status_code == 404
    assert client.post(move_url(hidden, "start")).status_code == 404
    assert Task.objects.get(pk=hidden.pk).status == TaskStatus.OPEN
    # Someone else's task on an alliance you are not on: not seen either.
    client.force_login(other_specialist)
    assert client.get(page_url(make_task(specialist))).status_code == 404


def test_an_unknown_move_is_a_404(client, specialist):
    task = make_task(specialist)
    client.force_login(specialist)
    assert client.post(move_url(task, "explode")).status_code == 404


# Moves through the page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "move", "end"),
    [
        (TaskStatus.OPEN, "start", TaskStatus.IN_PROGRESS),
        (TaskStatus.IN_PROGRESS, "wait_on_partner", TaskStatus.WAITING_ON_PARTNER),
        (TaskStatus.IN_PROGRESS, "complete", TaskStatus.DONE),
        (TaskStatus.DONE, "reopen", TaskStatus.OPEN),
    ],
)
def test_one_click_moves_go_through_the_service(client, specialist, start, move, end):
    task = make_task(specialist, status=start)
    client.force_login(specialist)
    response = client.post(move_url(task, move))
    assert response.status_code == 302 and response["Location"] == page_url(task)
    assert Task.objects.get(pk=task.pk).status == end
    assert ActivityLog.objects.filter(verb=f"task_{move}", object_id=task.pk).exists()


def test_a_row_button_returns_to_the_queue(client, specialist):
    task = make_task(specialist)
    client.force_login(specialist)
    here = f"{QUEUE}?whose=mine&open=yes"
    response = client.post(move_url(task, "start"), {"next": here})
    assert response["Location"] == here
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS
    # Not to another host.
    response = client.post(move_url(task, "complete"), {"next": "https://evil.example/"})
    assert response["Location"] == page_url(task)


def test_block_asks_for_a_reason_and_shows_a_missing_one_beside_the_field(client, specialist):
    task = make_task(specialist, status=TaskStatus.IN_PROGRESS)
    client.force_login(specialist)
    form = client.get(move_url(task, "block")).content.decode()
    assert '<label for="id_reason"' in form
    refused = client.post(move_url(task, "block"), {"reason": "  "})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    html = refused.content.decode()
    field = html[html.index('<label for="id_reason"') :]
    assert field.index("This field is required.") < field.index("</form>")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS

    client.post(move_url(task, "block"), {"reason": "Waiting for the partner's data"})
    blocked = Task.objects.get(pk=task.pk)
    assert (blocked.status, blocked.blocked_reason) == (
        TaskStatus.BLOCKED,
        "Waiting for the partner's data",
    )


def test_a_move_the_state_refuses_is_a_message_not_a_500(client, specialist):
    task = make_task(specialist, status=TaskStatus.DONE)
    client.force_login(specialist)
    response = client.post(move_url(task, "complete"))
    assert response.status_code == 302
    assert any("cannot complete" in text for text in texts(response))
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_a_lead_reassigns_to_an_active_specialist_for_the_service(client, lead, specialist):
    task = make_task(specialist)
    to = SpecialistFactory(services=["startup"]).user
    SpecialistFactory(services=["governance"], user=UserFactory(username="elsewhere"))
    client.force_login(lead)
    form = client.get(move_url(task, "reassign"))
    choices = {user.pk for user in form.context["form"].fields["assignee"].queryset}
    assert to.pk in choices and specialist.pk not in choices
    assert UserFactory(username="elsewhere").pk not in choices
    missing = client.post(move_url(task, "reassign"), {"assignee": to.pk})
    assert "reason" in missing.context["form"].errors
    response = client.post(move_url(task, "reassign"), {"assignee": to.pk, "reason": "Leave"})
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).assignee == to
    page = client.get(page_url(task)).content.decode()
    assert f"reassigned it to {to.get_full_name()}" in page


def test_a_lead_cancels_with_a_reason(client, lead, specialist):
    task = make_task(specialist)
    client.force_login(lead)
    assert "reason" in client.post(move_url(task, "cancel"), {}).context["form"].errors
    client.post(move_url(task, "cancel"), {"reason": "No longer needed"})
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CANCELLED


@pytest.mark.parametrize(
    ("move", "data"),
    [("cancel", {"reason": "Not mine"}), ("reassign", {"reason": "Busy"})],
)
def test_reassign_and_cancel_are_refused_to_a_specialist(client, specialist, move, data):
    task = make_task(specialist)
    data = {**data, "assignee": SpecialistFactory().user.pk} if move == "reassign" else data
    client.force_login(specialist)
    response = client.post(move_url(task, move), data)
    assert response.status_code == 302
    assert any("only alliance leads and the head" in text for text in texts(response))
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.status, fresh.assignee) == (TaskStatus.OPEN, specialist)


def test_another_specialist_cannot_move_a_task_they_see(client, specialist, other_specialist):
    task = make_task(specialist)
    AssignmentFactory(alliance=task.alliance, specialist=SpecialistFactory(user=other_specialist))
    client.force_login(other_specialist)
    response = client.post(move_url(task, "start"))
    assert response.status_code == 302
    assert any("only its assignee" in text for text in texts(response))
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


# The queue ------------------------------------------------------------------------------------


def test_the_queue_is_overdue_first_with_badges_block_reasons_and_row_buttons(client, specialist):
    later = make_task(specialist, title="LATER", due_date=ahead(48))
    late = make_task(
        specialist,
        title="LATE",
        status=TaskStatus.BLOCKED,
        blocked_reason="Partner has not sent the data",
        due_date=ahead(-3),
    )
    client.force_login(specialist)
    response = client.get(QUEUE, {"whose": "mine", "open": "yes"})
    page = response.content.decode()
    assert page.index("LATE") < page.index("LATER")
    assert "3 days overdue" in page
    assert "Partner has not sent the data" in page
    assert "My work" in page
    # Start and Complete on each row, as the state allows (a blocked task may start again).
    assert move_url(later, "start") in page and move_url(later, "complete") in page
    assert move_url(late, "start") in page
    # The changelist form posts to the move (it carries the CSRF token).
    assert 'form="changelist-form"' in page
    # Sorted by a column (due, latest first) on demand.
    resorted = client.get(QUEUE, {"whose": "mine", "o": "-3"}).content.decode()
    assert resorted.index("LATER") < resorted.index("LATE<")


def test_a_done_task_with_an_early_due_date_does_not_come_before_overdue_work(client, lead):
    done = make_task(UserFactory(), title="ALREADY DONE", status=TaskStatus.DONE)
    done.due_date = ahead(-321)
    done.save()
    make_task(UserFactory(), title="OVERDUE ONE", due_date=ahead(-17))
    client.force_login(lead)
    page = client.get(QUEUE, {"whose": "all"}).content.decode()
    assert page.index("OVERDUE ONE") < page.index("ALREADY DONE")
    assert "Assignee" in page  # leads see whose it is


def test_the_bulk_block_shows_a_missing_reason_beside_the_field(client, specialist):
    task = make_task(specialist)
    client.force_login(specialist)
    response = client.post(
        QUEUE, {"action": "block_selected", "_selected_action": [task.pk], "apply": "1"}
    )
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert '<label for="id_reason"' in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("user", ["specialist", "lead"])
def test_the_queue_reads_a_fixed_number_of_queries(client, request, user):
    reader = request.getfixturevalue(user)
    assignee = reader if user == "specialist" else UserFactory()
    params = {"whose": "all", "open": "yes"}
    make_task(assignee)
    client.force_login(reader)
    one = _count(client, QUEUE, params)
    for n in range(19):
        make_task(
            assignee,
            status=TaskStatus.BLOCKED if n % 3 == 0 else TaskStatus.OPEN,
            alliance=AllianceFactory(),
        )
    assert _count(client, QUEUE, params) == one


def test_the_task_page_reads_a_fixed_number_of_queries(client, specialist, lead):
    task = make_task(specialist)
    client.force_login(lead)
    services.task_move(actor=lead, task=task, action="start")
    services.task_reassign(actor=lead, task=task, assignee=SpecialistFactory().user, reason="Go")
    short = _count(client, page_url(task))
    for n in range(6):
        services.task_move(actor=lead, task=task, action="block", reason=f"Wait {n}")
        services.task_move(actor=lead, task=task, action="start")
        services.task_reassign(
            actor=lead, task=task, assignee=SpecialistFactory().user, reason="Cover"
        )
    assert _count(client, page_url(task)) == short


# Assignments ----------------------------------------------------------------------------------


def test_assignments_name_who_the_alliance_and_since_when(client, lead):
    assignment = AssignmentFactory()
    client.force_login(lead)
    page = client.get("/admin/resourcing/assignment/").content.decode()
    assert assignment.assignee.get_full_name() in page
    assert f"/admin/alliances/alliance/{assignment.alliance.pk}/change/" in page
    assert day(assignment.created_at) in page
    for header in ("Who", "Alliance", "Service", "Since"):
        assert header in page


def test_the_assignments_list_reads_a_fixed_number_of_queries(client, lead):
    AssignmentFactory()
    client.force_login(lead)
    one = _count(client, "/admin/resourcing/assignment/")
    for _ in range(9):
        AssignmentFactory()
    assert _count(client, "/admin/resourcing/assignment/") == one
