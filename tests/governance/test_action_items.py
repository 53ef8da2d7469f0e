"""action-items/: owned by one of ours or someone at the partner; an internal owner's open item
is a task in their queue, and the two stay in step both ways."""

import datetime

import pytest

from alliances.calendar import today
from alliances.models import ActivityLog
from governance.choices import ActionStatus, MeetingStatus
from governance.models import ActionItem
from resourcing.models import Task
from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.alliances.test_query_counts import queries, token_client
from tests.governance.factories import (
    ActionItemFactory,
    MeetingFactory,
    PartnerContactFactory,
)
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/action-items/"
TASKS = "/api/v1/tasks/"


@pytest.fixture
def meeting():
    return MeetingFactory(status=MeetingStatus.HELD)


@pytest.fixture
def owner():
    return UserFactory(username="owner")


def create(api, user, on, **fields):
    body = {
        "meeting": on.pk,
        "title": "Send the CMC plan",
        "due_date": (today() + datetime.timedelta(days=10)).isoformat(),
        **fields,
    }
    return api(user).post(URL, body, format="json")


def queue(api, user):
    return api(user).get(TASKS, {"assignee": "me", "open": "true"}).json()["results"]


def test_an_internal_owners_item_is_in_their_queue(api, lead, meeting, owner):
    response = create(api, lead, meeting, owner_user=owner.pk)
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["status"] == "open" and item["overdue"] is False
    assert item["owner_user"]["id"] == owner.pk and item["owner_contact"] is None
    (task,) = queue(api, owner)
    assert task["id"] == item["task"]
    assert task["title"] == "Action: Send the CMC plan"
    assert task["service"] == "governance_logistics"
    assert task["due_date"] == item["due_date"]
    assert task["effort_hours"] == "0.0"
    verbs = set(ActivityLog.objects.values_list("verb", flat=True))
    assert {"action_created", "created"} <= verbs


def test_a_partner_contacts_item_has_no_task(api, lead, meeting):
    contact = PartnerContactFactory(partner=meeting.alliance.partner)
    response = create(api, lead, meeting, owner_contact=contact.pk)
    assert response.status_code == 201, response.content
    assert response.json()["task"] is None
    assert response.json()["owner_contact"]["name"] == contact.name
    assert not Task.objects.exists()


def test_exactly_one_owner(api, lead, meeting, owner):
    contact = PartnerContactFactory(partner=meeting.alliance.partner)
    assert_error(create(api, lead, meeting), 400, field="owner_user")
    both = create(api, lead, meeting, owner_user=owner.pk, owner_contact=contact.pk)
    assert_error(both, 400, field="owner_contact")
    assert not ActionItem.objects.exists() and not Task.objects.exists()


def test_the_contact_must_work_at_the_alliances_partner(api, lead, meeting):
    stranger = PartnerContactFactory()
    error = assert_error(
        create(api, lead, meeting, owner_contact=stranger.pk), 400, field="owner_contact"
    )
    assert stranger.partner.name in error["owner_contact"][0]


def test_an_inactive_user_is_a_400(api, lead, meeting):
    gone = UserFactory(is_active=False)
    assert_error(create(api, lead, meeting, owner_user=gone.pk), 400, field="owner_user")


def test_on_a_confidential_alliance_the_owner_must_be_on_it(api, head, owner):
    alliance = AllianceFactory(confidential=True)
    meeting = MeetingFactory(body__alliance=alliance, status=MeetingStatus.HELD)
    assert_error(create(api, head, meeting, owner_user=owner.pk), 400, field="owner_user")
    MembershipFactory(alliance=alliance, user=owner)
    assert create(api, head, meeting, owner_user=owner.pk).status_code == 201


def test_a_cancelled_meeting_gives_no_actions(api, lead, owner):
    meeting = MeetingFactory(status=MeetingStatus.CANCELLED)
    assert_error(create(api, lead, meeting, owner_user=owner.pk), 409, code="meeting_cancelled")
    assert not ActionItem.objects.exists()


def test_a_scheduled_meeting_may_give_actions(api, lead, owner):
    meeting = MeetingFactory(status=MeetingStatus.SCHEDULED)
    assert create(api, lead, meeting, owner_user=owner.pk).status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"due_date": "1850-01-01"}, "due_date"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"due_date": "3000-01-01"}, "due_date"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"status": "done"}, "status"),
        ({"task": 1}, "task"),
        ({"owner_user": "me"}, "owner_user"),
        ({"owner_user": 10**6}, "owner_user"),
        ({"meeting": 10**6}, "meeting"),
    ],
)
def test_bad_input_is_a_400_on_the_field(api, lead, meeting, owner, fields, field):
    body = {"owner_user": owner.pk, **fields}
    assert_error(create(api, lead, meeting, **body), 400, field=field)


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_only_leads_and_the_head_create_edit_and_cancel(request, api, meeting, owner, role):
    user = request.getfixturevalue(role)
    MembershipFactory(alliance=meeting.alliance, user=user)  # sees it
    assert_error(create(api, user, meeting, owner_user=owner.pk), 403)
    item = ActionItemFactory(meeting=meeting)
    assert_error(api(user).patch(f"{URL}{item.pk}/", {"title": "x"}, format="json"), 403)
    assert_error(api(user).post(f"{URL}{item.pk}/cancel/", {"reason": "x"}, format="json"), 403)
    assert_error(api(user).post(f"{URL}{item.pk}/done/", {}, format="json"), 403)


def test_hidden_items_are_404_and_absent(api, lead, specialist):
    hidden = ActionItemFactory(meeting__body__alliance__confidential=True)
    assert api(lead).get(f"{URL}{hidden.pk}/").status_code == 404
    assert api(lead).post(f"{URL}{hidden.pk}/done/", {}, format="json").status_code == 404
    assert api(lead).get(URL).json()["count"] == 0
    assert api(specialist).get(URL).json()["count"] == 0


def test_done_closes_the_task_and_reopen_reopens_it(api, lead, meeting, owner):
    item = create(api, lead, meeting, owner_user=owner.pk).json()
    done = api(owner).post(f"{URL}{item['id']}/done/", {}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_at"]
    assert Task.objects.get(pk=item["task"]).status == "done"
    assert queue(api, owner) == []
    assert_error(
        api(lead).post(f"{URL}{item['id']}/done/", {}, format="json"),
        409,
        code="illegal_transition",
    )
    reopened = api(owner).post(f"{URL}{item['id']}/reopen/", {}, format="json")
    assert reopened.json()["status"] == "open" and reopened.json()["completed_at"] is None
    assert [t["id"] for t in queue(api, owner)] == [item["task"]]


def test_cancel_needs_a_reason_and_cancels_the_task(api, lead, meeting, owner):
    item = create(api, lead, meeting, owner_user=owner.pk).json()
    cancel = f"{URL}{item['id']}/cancel/"
    assert_error(api(lead).post(cancel, {}, format="json"), 400, field="reason")
    response = api(lead).post(cancel, {"reason": "Overtaken by the JSC."}, format="json")
    assert response.json()["status"] == "cancelled"
    assert Task.objects.get(pk=item["task"]).status == "cancelled"
    entry = ActivityLog.objects.get(verb="action_cancel")
    assert entry.note == "Overtaken by the JSC."
    assert_error(
        api(lead).post(cancel, {"reason": "again"}, format="json"), 409, code="illegal_transition"
    )


@pytest.mark.parametrize(("move", "status"), [("complete", "done"), ("cancel", "cancelled")])
def test_closing_the_task_through_the_tasks_api_closes_the_item(
    api, lead, meeting, owner, move, status
):
    item = create(api, lead, meeting, owner_user=owner.pk).json()
    body = {"reason": "Not needed."} if move == "cancel" else {}
    who = lead if move == "cancel" else owner
    response = api(who).post(f"{TASKS}{item['task']}/{move}/", body, format="json")
    assert response.status_code == 200, response.content
    assert ActionItem.objects.get(pk=item["id"]).status == status
    assert ActivityLog.objects.filter(verb="action_closed_by_task").count() == 1
    # ...and reopening the task reopens the item.
    api(lead).post(f"{TASKS}{item['task']}/reopen/", {}, format="json")
    assert ActionItem.objects.get(pk=item["id"]).status == ActionStatus.OPEN


def test_a_task_move_that_fails_changes_neither(api, lead, meeting, owner, monkeypatch):
    from governance.services import records

    item = create(api, lead, meeting, owner_user=owner.pk).json()

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(records.ActionItem.objects, "select_for_update", broken)
    client = api(owner)
    client.raise_request_exception = False
    response = client.post(f"{TASKS}{item['task']}/complete/", {}, format="json")
    assert response.status_code == 500
    assert Task.objects.get(pk=item["task"]).status == "open"
    assert ActionItem.objects.get(pk=item["id"]).status == "open"


def test_editing_the_item_moves_its_task(api, lead, meeting, owner):
    item = create(api, lead, meeting, owner_user=owner.pk).json()
    other = UserFactory(username="other")
    new_due = (today() + datetime.timedelta(days=30)).isoformat()
    response = api(lead).patch(
        f"{URL}{item['id']}/",
        {"due_date": new_due, "owner_user": other.pk, "title": "Send the revised plan"},
        format="json",
    )
    assert response.status_code == 200, response.content
    task = Task.objects.get(pk=item["task"])
    assert (task.assignee_id, task.due_date.isoformat(), task.title) == (
        other.pk,
        new_due,
        "Action: Send the revised plan",
    )
    assert queue(api, owner) == [] and len(queue(api, other)) == 1


def test_handing_the_item_to_the_partner_cancels_the_task_and_back_reopens_it(
    api, lead, meeting, owner
):
    item = create(api, lead, meeting, owner_user=owner.pk).json()
    contact = PartnerContactFactory(partner=meeting.alliance.partner)
    response = api(lead).patch(f"{URL}{item['id']}/", {"owner_contact": contact.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["owner_user"] is None
    assert Task.objects.get(pk=item["task"]).status == "cancelled"
    api(lead).patch(f"{URL}{item['id']}/", {"owner_user": owner.pk}, format="json")
    assert [t["id"] for t in queue(api, owner)] == [item["task"]]


def test_a_contact_owned_item_gets_a_task_when_given_to_one_of_ours(api, lead, meeting, owner):
    contact = PartnerContactFactory(partner=meeting.alliance.partner)
    item = create(api, lead, meeting, owner_contact=contact.pk).json()
    api(lead).patch(f"{URL}{item['id']}/", {"owner_user": owner.pk}, format="json")
    (task,) = queue(api, owner)
    assert ActionItem.objects.get(pk=item["id"]).task_id == task["id"]


def test_patch_bad_input(api, lead, meeting, owner):
    item = create(api, lead, meeting, owner_user=owner.pk).json()
    url = f"{URL}{item['id']}/"
    assert_error(api(lead).patch(url, {"meeting": meeting.pk}, format="json"), 400, field="meeting")
    assert_error(api(lead).patch(url, {"owner_user": None}, format="json"), 400, field="owner_user")
    assert_error(
        api(lead).patch(url, {"due_date": "2026-13-01"}, format="json"), 400, field="due_date"
    )


def test_overdue_is_worked_out_when_read(api, lead, meeting):
    late = ActionItemFactory(meeting=meeting, due_date=today() - datetime.timedelta(days=1))
    due_today = ActionItemFactory(meeting=meeting, due_date=today())
    ActionItemFactory(meeting=meeting, due_date=today() - datetime.timedelta(days=5), status="done")
    rows = api(lead).get(URL, {"overdue": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [late.pk] and rows[0]["overdue"] is True
    not_overdue = {r["id"] for r in api(lead).get(URL, {"overdue": "false"}).json()["results"]}
    assert due_today.pk in not_overdue and late.pk not in not_overdue


def test_filters(api, lead, meeting, owner):
    mine = ActionItemFactory(meeting=meeting, owner_user=lead)
    theirs = ActionItemFactory(meeting=meeting, owner_user=owner, status="done")
    elsewhere = ActionItemFactory()
    client = api(lead)

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(owner="me") == {mine.pk}
    assert ids(owner=owner.pk) == {theirs.pk}
    assert ids(status="done") == {theirs.pk}
    assert ids(alliance=meeting.alliance_id) == {mine.pk, theirs.pk}
    assert ids(body=meeting.body_id) == {mine.pk, theirs.pk}
    assert ids(meeting=elsewhere.meeting_id) == {elsewhere.pk}
    for bad in ({"owner": "you"}, {"status": "late"}, {"overdue": "maybe"}, {"body": "0"}):
        assert_error(client.get(URL, bad), 400, field=next(iter(bad)))


@pytest.mark.parametrize("role", ["head", "lead", "executive"])
def test_list_query_count_is_pinned(request, role):
    user = request.getfixturevalue(role)
    for n in range(5):
        meeting = MeetingFactory(body__alliance__confidential=n == 0, status=MeetingStatus.HELD)
        ActionItemFactory.create_batch(2, meeting=meeting)
        ActionItemFactory(
            meeting=meeting,
            owner_user=None,
            owner_contact=PartnerContactFactory(partner=meeting.alliance.partner),
        )
    client = token_client(user)
    # token, roles, count, page
    assert queries(client, URL, page_size=1) == queries(client, URL, page_size=500) == 4


def test_an_owner_not_on_the_alliance_sees_their_own_items(api, lead, meeting, owner):
    mine = create(api, lead, meeting, owner_user=owner.pk).json()
    ActionItemFactory(meeting=meeting)  # someone else's, on an alliance the owner is not on
    rows = api(owner).get(URL, {"owner": "me"}).json()["results"]
    assert [row["id"] for row in rows] == [mine["id"]]
    assert api(owner).get(URL).json()["count"] == 1
