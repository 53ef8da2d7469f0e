"""Specialists' queues and the task actions."""

import datetime

import pytest
from django.utils import timezone

from alliances.models import ActivityLog
from resourcing.models import Task
from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.helpers import assert_error
from tests.resourcing.factories import AssignmentFactory, SpecialistFactory, TaskFactory, service

pytestmark = pytest.mark.django_db

URL = "/api/v1/tasks/"
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def me(specialist):
    return SpecialistFactory(user=specialist, services=["startup", "reporting"])


def test_the_queue_is_open_work_overdue_first_then_due_date_then_priority(api, me):
    user = me.user
    TaskFactory(assignee=user, title="later", due_date=days(10))
    TaskFactory(assignee=user, title="overdue", due_date=days(-3))
    TaskFactory(assignee=user, title="soon low", due_date=days(2), priority="low")
    TaskFactory(assignee=user, title="soon high", due_date=days(2), priority="high")
    TaskFactory(
        assignee=user, title="blocked", due_date=days(5), status="blocked", blocked_reason="x"
    )
    TaskFactory(assignee=user, title="done", due_date=days(1), status="done")
    TaskFactory(title="someone else's", due_date=days(1))
    rows = api(user).get(URL, {"assignee": "me", "open": "true"}).json()["results"]
    assert [r["title"] for r in rows] == ["overdue", "soon high", "soon low", "blocked", "later"]
    assert rows[0]["overdue"] is True
    assert rows[1]["overdue"] is False


def test_task_filters(api, lead, me):
    alliance = AllianceFactory()
    TaskFactory(
        assignee=me.user, alliance=alliance, service=service("reporting"), due_date=days(-1)
    )
    TaskFactory(assignee=me.user, due_date=days(20), status="done")
    client = api(lead)

    def count(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count(assignee=me.user.pk) == 2
    assert count(service="reporting") == 1
    assert count(alliance=alliance.pk) == 1
    assert count(overdue="true") == 1
    assert count(open="false") == 1
    assert count(status="done") == 1
    assert count(due_date_after=days(0).isoformat()) == 1
    assert count(due_date_before=days(0).isoformat()) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"assignee": "you"},
        {"assignee": str(2**64)},
        {"status": "lost"},
        {"open": "perhaps"},
        {"service": "catering"},
        {"due_date_after": "tomorrow"},
        {"ordering": "secret"},
        {"page_size": "1000"},
    ],
)
def test_bad_task_list_parameters_are_400(api, lead, params):
    assert api(lead).get(URL, params).status_code == 400


def test_who_sees_which_task(api, lead2, head, me, requester):
    secret = AllianceFactory(confidential=True, lead=head)
    mine = TaskFactory(alliance=secret, assignee=me.user)
    other_on_secret = TaskFactory(alliance=secret)
    open_one = TaskFactory()
    my_open_one = TaskFactory(assignee=me.user)
    # Your own task on an alliance you are not on, unless it is confidential: its work is
    # only for those on it (the services never hand it to anyone else).
    assert {r["id"] for r in api(me.user).get(URL).json()["results"]} == {my_open_one.pk}
    assert api(me.user).get(f"{URL}{mine.pk}/").status_code == 404
    assert {r["id"] for r in api(lead2).get(URL).json()["results"]} == {open_one.pk, my_open_one.pk}
    assert api(lead2).get(f"{URL}{mine.pk}/").status_code == 404
    assert api(head).get(URL).json()["count"] == 4
    assert api(requester).get(URL).json()["count"] == 0
    # an assignment puts the specialist on the alliance: they see its other tasks too
    AssignmentFactory(alliance=secret, specialist=me)
    seen = {r["id"] for r in api(me.user).get(URL).json()["results"]}
    assert seen == {mine.pk, other_on_secret.pk, my_open_one.pk}
    assert api(me.user).get(f"/api/v1/alliances/{secret.pk}/").status_code == 200


def act(api, user, task, action, **body):
    return api(user).post(f"{URL}{task.pk}/{action}/", body, format="json")


LEGAL = {
    "start": ["open", "waiting_on_partner", "blocked"],
    "wait-on-partner": ["open", "in_progress"],
    "block": ["open", "in_progress", "waiting_on_partner"],
    "complete": ["open", "in_progress", "waiting_on_partner", "blocked"],
    "reopen": ["done", "cancelled"],
    "cancel": ["open", "in_progress", "waiting_on_partner", "blocked"],
}
RESULT = {
    "start": "in_progress",
    "wait-on-partner": "waiting_on_partner",
    "block": "blocked",
    "complete": "done",
    "reopen": "open",
    "cancel": "cancelled",
}
BODY = {"block": {"reason": "Waiting for legal"}, "cancel": {"reason": "Out of scope"}}
STATUSES = ["open", "in_progress", "waiting_on_partner", "blocked", "done", "cancelled"]


def make_task(status, **kwargs):
    reason = "Earlier block" if status == "blocked" else ""
    done = timezone.now() if status == "done" else None
    return TaskFactory(status=status, blocked_reason=reason, completed_at=done, **kwargs)


@pytest.mark.parametrize(
    ("action", "status"), [(a, s) for a, froms in LEGAL.items() for s in froms]
)
def test_legal_task_moves(api, lead, action, status):
    task = make_task(status)
    response = act(api, lead, task, action, **BODY.get(action, {}))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == RESULT[action]
    if action == "block":
        assert data["blocked_reason"] == "Waiting for legal"
    else:
        assert data["blocked_reason"] == ""
    assert (data["completed_at"] is not None) == (action == "complete")
    log = ActivityLog.objects.get(object_id=task.pk, verb=f"task_{action.replace('-', '_')}")
    assert log.changes["status"] == [status, RESULT[action]]


@pytest.mark.parametrize(
    ("action", "status"),
    [(a, s) for a in LEGAL for s in STATUSES if s not in LEGAL[a]],
)
def test_illegal_task_moves_are_409(api, lead, action, status):
    task = make_task(status)
    response = act(api, lead, task, action, **BODY.get(action, {}))
    assert_error(response, 409, "illegal_transition")
    task.refresh_from_db()
    assert task.status == status


def test_the_assignee_works_their_own_task(api, me):
    task = TaskFactory(assignee=me.user)
    assert act(api, me.user, task, "start").json()["status"] == "in_progress"
    assert act(api, me.user, task, "block", reason="Waiting on partner QA").status_code == 200
    assert act(api, me.user, task, "complete").json()["status"] == "done"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("start", {"due_date": "2030-01-01"}),
        ("complete", {"status": "done"}),
        ("block", {"reason": "x", "assignee": 1}),
        ("block", {}),
        ("block", {"reason": ""}),
    ],
)
def test_an_assignee_changes_nothing_but_status(api, me, action, body):
    task = TaskFactory(assignee=me.user, due_date=days(3))
    response = act(api, me.user, task, action, **body)
    assert response.status_code == 400
    task.refresh_from_db()
    assert (task.status, task.due_date) == ("open", days(3))


def test_an_assignee_cannot_cancel_reassign_or_edit(api, me):
    task = TaskFactory(assignee=me.user)
    assert act(api, me.user, task, "cancel", reason="Not mine").status_code == 403
    assert act(api, me.user, task, "reassign", assignee=me.user.pk, reason="x").status_code == 403
    response = api(me.user).patch(f"{URL}{task.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 403


def test_others_cannot_act_on_a_task_they_can_see(api, executive, me):
    task = TaskFactory()
    assert api(executive).get(f"{URL}{task.pk}/").status_code == 200
    assert act(api, executive, task, "start").status_code == 403
    other = SpecialistFactory(user=UserFactory(username="other"))
    MembershipFactory(alliance=task.alliance, user=other.user)
    assert act(api, other.user, task, "complete").status_code == 403


def test_hidden_tasks_are_404(api, me, head):
    task = TaskFactory(alliance=AllianceFactory(confidential=True, lead=head))
    assert act(api, me.user, task, "start").status_code == 404
    assert api(me.user).get(f"{URL}{task.pk}/").status_code == 404


def test_reassign_to_a_specialist_of_the_service_a_lead_or_the_head(api, lead, head, me, executive):
    task = TaskFactory(service=service("reporting"))
    moved = act(api, lead, task, "reassign", assignee=me.user.pk, reason="Capacity")
    assert moved.status_code == 200
    assert moved.json()["assignee"]["username"] == "specialist"
    assert act(api, lead, task, "reassign", assignee=head.pk, reason="Escalated").status_code == 200
    refused = act(api, lead, task, "reassign", assignee=executive.pk, reason="x")
    assert_error(refused, 400, field="assignee")
    wrong_skill = SpecialistFactory(services=["termination"])
    assert (
        act(api, lead, task, "reassign", assignee=wrong_skill.user.pk, reason="x").status_code
        == 400
    )
    inactive = SpecialistFactory(services=["reporting"], active=False)
    assert (
        act(api, lead, task, "reassign", assignee=inactive.user.pk, reason="x").status_code == 400
    )
    assert act(api, lead, task, "reassign", assignee=me.user.pk).status_code == 400  # no reason
    log = ActivityLog.objects.filter(verb="task_reassigned", object_id=task.pk).earliest("pk")
    assert log.note == "Capacity"


def test_done_tasks_are_not_reassigned(api, lead, me):
    task = make_task("done", service=service("reporting"))
    response = act(api, lead, task, "reassign", assignee=me.user.pk, reason="x")
    assert_error(response, 409, "illegal_transition")


def test_leads_add_and_edit_tasks(api, lead, me, head):
    alliance = AllianceFactory()
    body = {
        "alliance": alliance.pk,
        "service": "reporting",
        "title": "Extra scorecard",
        "assignee": me.user.pk,
        "due_date": days(7).isoformat(),
        "effort_hours": "2.5",
        "priority": "high",
    }
    created = api(lead).post(URL, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "open"
    pk = created.json()["id"]
    edited = api(lead).patch(f"{URL}{pk}/", {"due_date": days(9).isoformat()}, format="json")
    assert edited.json()["due_date"] == days(9).isoformat()
    assert api(lead).patch(f"{URL}{pk}/", {"status": "done"}, format="json").status_code == 400
    assert api(lead).patch(f"{URL}{pk}/", {"assignee": head.pk}, format="json").status_code == 400
    hidden = AllianceFactory(confidential=True, lead=head)
    response = api(lead).post(URL, {**body, "alliance": hidden.pk}, format="json")
    assert_error(response, 400, field="alliance")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": "catering"}, "service"),
        ({"priority": "urgent"}, "priority"),
        ({"effort_hours": "-1"}, "effort_hours"),
        ({"due_date": "soon"}, "due_date"),
        ({"status": "done"}, "status"),
        ({"assignee": 2**64}, "assignee"),
    ],
)
def test_bad_task_bodies_are_400(api, lead, me, change, field):
    body = {
        "alliance": AllianceFactory().pk,
        "service": "reporting",
        "title": "x",
        "assignee": me.user.pk,
        "due_date": days(7).isoformat(),
        **change,
    }
    response = api(lead).post(URL, body, format="json")
    assert_error(response, 400, field=field)
    assert not Task.objects.exists()


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_only_leads_and_head_add_tasks(request, api, role):
    response = api(request.getfixturevalue(role)).post(URL, {}, format="json")
    assert response.status_code == 403


def test_no_delete_on_tasks(api, head):
    task = TaskFactory()
    assert api(head).delete(f"{URL}{task.pk}/").status_code == 405


def test_queue_query_count_is_pinned(me):
    from tests.alliances.test_query_counts import queries, token_client

    client = token_client(me.user)
    for n in range(30):
        TaskFactory(assignee=me.user, due_date=days(n - 10))
    small = queries(client, URL, assignee="me", open="true", page_size=1)
    large = queries(client, URL, assignee="me", open="true", page_size=500)
    # token, roles, count, page
    assert small == large == 4


def test_a_task_is_no_way_into_a_confidential_alliance(api, head, lead, lead2, me):
    secret = AllianceFactory(confidential=True, lead=lead)
    task = TaskFactory(alliance=secret, assignee=lead, service=service("reporting"))
    refused = act(api, lead, task, "reassign", assignee=lead2.pk, reason="cover")
    assert refused.status_code == 400
    assert "confidential" in refused.json()["assignee"][0]
    created = api(lead).post(
        URL,
        {
            "alliance": secret.pk,
            "service": "reporting",
            "title": "Leak",
            "assignee": me.user.pk,
            "due_date": days(3).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 400
    MembershipFactory(alliance=secret, user=me.user)
    assert act(api, lead, task, "reassign", assignee=me.user.pk, reason="x").status_code == 200


def test_leads_manage_only_tasks_on_alliances_they_see(api, head, lead2):
    secret = AllianceFactory(confidential=True, lead=head)
    # Held by someone not on the confidential alliance (written before the services refused
    # that): its work is only for those on it, so to them it does not exist.
    task = TaskFactory(alliance=secret, assignee=lead2)
    assert act(api, lead2, task, "start").status_code == 404
    assert act(api, lead2, task, "cancel", reason="x").status_code == 404
    response = api(lead2).patch(f"{URL}{task.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 404
    MembershipFactory(alliance=secret, user=lead2)
    assert act(api, lead2, task, "start").status_code == 200


def test_a_closed_alliance_takes_no_new_work(api, lead, me):
    closed = AllianceFactory(status="closed")
    body = {
        "alliance": closed.pk,
        "service": "reporting",
        "title": "Late",
        "assignee": me.user.pk,
        "due_date": days(3).isoformat(),
    }
    response = api(lead).post(URL, body, format="json")
    assert_error(response, 409, "alliance_closed")
    done = make_task("cancelled", alliance=closed)
    assert_error(act(api, lead, done, "reopen"), 409, "alliance_closed")


@pytest.mark.parametrize("weeks", ["²", "١٢"])
def test_unicode_digits_are_400_not_500(api, lead, weeks):
    assert api(lead).get("/api/v1/capacity/", {"weeks": weeks}).status_code == 400
    assert api(lead).get(URL, {"page_size": weeks}).status_code == 400
