"""training-courses/ and training-completions/: the head keeps the courses; leads and the head
record completions; expiry follows the course; validity is worked out when read; and the
recommendation shows whether a self-managed alliance's proposed lead is trained."""

import datetime

import pytest

from alliances.calendar import today
from alliances.models import ActivityLog
from governance.models import TrainingCompletion
from governance.services.training import add_months
from resourcing.choices import IntakeStatus
from tests.alliances.test_query_counts import queries, token_client
from tests.governance.factories import TrainingCompletionFactory, TrainingCourseFactory
from tests.helpers import assert_error
from tests.resourcing.factories import IntakeFactory

pytestmark = pytest.mark.django_db
COURSES = "/api/v1/training-courses/"
COMPLETIONS = "/api/v1/training-completions/"


def days(n: int) -> str:
    return (today() + datetime.timedelta(days=n)).isoformat()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-11-18", 24, "2028-11-18"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-05-31", 13, "2027-06-30"),
    ],
)
def test_months_are_calendar_months(day, months, expected):
    assert add_months(datetime.date.fromisoformat(day), months).isoformat() == expected


# Courses -------------------------------------------------------------------------------------


def test_the_head_keeps_courses_and_everyone_reads_them(api, head, requester):
    body = {"name": "Co-chair essentials", "kind": "governance_role", "validity_months": 24}
    response = api(head).post(COURSES, body, format="json")
    assert response.status_code == 201, response.content
    course = response.json()
    assert api(requester).get(COURSES).json()["results"] == [course]
    assert ActivityLog.objects.filter(verb="created", object_id=course["id"]).exists()


@pytest.mark.parametrize("role", ["lead", "executive", "specialist", "requester"])
def test_only_the_head_writes_courses(request, api, role):
    user = request.getfixturevalue(role)
    course = TrainingCourseFactory()
    body = {"name": "x", "kind": "partnering"}
    assert_error(api(user).post(COURSES, body, format="json"), 403)
    assert_error(api(user).patch(f"{COURSES}{course.pk}/", {"name": "y"}, format="json"), 403)
    assert_error(api(user).delete(f"{COURSES}{course.pk}/"), 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "golf"}, "kind"),
        ({"name": "x", "kind": "partnering", "validity_months": 0}, "validity_months"),
        ({"name": "x", "kind": "partnering", "validity_months": 121}, "validity_months"),
        ({"name": "x", "kind": "partnering", "validity_months": "12"}, "validity_months"),
        ({"name": "x", "kind": "partnering", "id": 5}, "id"),
        ({"kind": "partnering"}, "name"),
        ({"name": "Taken", "kind": "partnering"}, "name"),
    ],
)
def test_course_bad_input(api, head, body, field):
    TrainingCourseFactory(name="Taken")
    assert_error(api(head).post(COURSES, body, format="json"), 400, field=field)


def test_changing_validity_moves_every_expiry(api, head):
    course = TrainingCourseFactory(validity_months=12)
    done = TrainingCompletionFactory(course=course, completed_on=datetime.date(2026, 1, 31))
    response = api(head).patch(f"{COURSES}{course.pk}/", {"validity_months": 1}, format="json")
    assert response.status_code == 200, response.content
    done.refresh_from_db()
    assert done.expires_on == datetime.date(2026, 2, 28)
    api(head).patch(f"{COURSES}{course.pk}/", {"validity_months": None}, format="json")
    done.refresh_from_db()
    assert done.expires_on is None
    assert ActivityLog.objects.filter(verb="updated", object_id=course.pk).count() == 2


def test_a_completed_course_cannot_be_deleted(api, head):
    course = TrainingCompletionFactory().course
    assert_error(api(head).delete(f"{COURSES}{course.pk}/"), 409, code="in_use")
    unused = TrainingCourseFactory()
    assert api(head).delete(f"{COURSES}{unused.pk}/").status_code == 204


# Completions ---------------------------------------------------------------------------------


def test_a_lead_records_a_completion_with_its_expiry(api, lead, requester):
    course = TrainingCourseFactory(validity_months=24)
    body = {"course": course.pk, "user": requester.pk, "completed_on": "2026-02-28"}
    response = api(lead).post(COMPLETIONS, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["expires_on"] == "2028-02-28" and data["valid"] is True
    assert data["recorded_by"]["id"] == lead.pk
    assert ActivityLog.objects.filter(verb="training_recorded").count() == 1
    again = api(lead).post(COMPLETIONS, body, format="json")
    assert_error(again, 400, field="completed_on")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"completed_on": "tomorrow"}, "completed_on"),
        ({"completed_on": "1899-12-31"}, "completed_on"),
        ({"expires_on": "2030-01-01"}, "expires_on"),
        ({"valid": True}, "valid"),
        ({"user": 10**6}, "user"),
        ({"course": "1.0"}, "course"),
    ],
)
def test_completion_bad_input(api, lead, requester, fields, field):
    course = TrainingCourseFactory()
    body = {"course": course.pk, "user": requester.pk, "completed_on": "2026-01-05", **fields}
    assert_error(api(lead).post(COMPLETIONS, body, format="json"), 400, field=field)


def test_a_completion_in_the_future_is_refused(api, lead, requester):
    body = {"course": TrainingCourseFactory().pk, "user": requester.pk, "completed_on": days(1)}
    assert_error(api(lead).post(COMPLETIONS, body, format="json"), 400, field="completed_on")
    assert not TrainingCompletion.objects.exists()


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_others_read_only_their_own(request, api, lead, role):
    user = request.getfixturevalue(role)
    mine = TrainingCompletionFactory(user=user)
    theirs = TrainingCompletionFactory(user=lead)
    assert [row["id"] for row in api(user).get(COMPLETIONS).json()["results"]] == [mine.pk]
    assert api(user).get(f"{COMPLETIONS}{theirs.pk}/").status_code == 404
    body = {"course": mine.course_id, "user": user.pk, "completed_on": "2026-01-05"}
    assert_error(api(user).post(COMPLETIONS, body, format="json"), 403)
    assert_error(api(user).delete(f"{COMPLETIONS}{mine.pk}/"), 403)


def test_leads_read_all_and_delete_one_recorded_in_error(api, lead, requester):
    completion = TrainingCompletionFactory(user=requester)
    assert api(lead).get(COMPLETIONS).json()["count"] == 1
    assert api(lead).delete(f"{COMPLETIONS}{completion.pk}/").status_code == 204
    assert ActivityLog.objects.filter(verb="training_deleted").exists()


def test_valid_is_worked_out_against_today(api, head, requester):
    course = TrainingCourseFactory(validity_months=12)
    current = TrainingCompletionFactory(course=course, user=requester, completed_on=today())
    expired = TrainingCompletionFactory(
        course=course,
        user=requester,
        completed_on=today() - datetime.timedelta(days=400),
        expires_on=today(),  # expires today: no longer counts
    )
    forever = TrainingCompletionFactory(course=TrainingCourseFactory(validity_months=None))
    client = api(head)

    def ids(**params):
        return {row["id"] for row in client.get(COMPLETIONS, params).json()["results"]}

    assert ids(valid="true") == {current.pk, forever.pk}
    assert ids(valid="false") == {expired.pk}
    rows = {r["id"]: r["valid"] for r in client.get(COMPLETIONS).json()["results"]}
    assert rows == {current.pk: True, expired.pk: False, forever.pk: True}
    assert ids(user=requester.pk) == {current.pk, expired.pk}
    assert ids(course=forever.course_id) == {forever.pk}
    assert_error(client.get(COMPLETIONS, {"valid": "yes"}), 400, field="valid")
    assert_error(client.get(COMPLETIONS, {"user": "someone"}), 400, field="user")


def test_user_me(api, requester):
    mine = TrainingCompletionFactory(user=requester)
    rows = api(requester).get(COMPLETIONS, {"user": "me"}).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]


@pytest.mark.parametrize("role", ["head", "lead", "requester"])
def test_list_query_counts_are_pinned(request, role):
    user = request.getfixturevalue(role)
    for _ in range(4):
        TrainingCompletionFactory.create_batch(2, user=user)
        TrainingCompletionFactory()
    client = token_client(user)
    # token, roles, count, page
    assert queries(client, COMPLETIONS, page_size=1) == queries(client, COMPLETIONS, page_size=500)
    assert queries(client, COMPLETIONS) == 4
    assert queries(client, COURSES, page_size=1) == queries(client, COURSES, page_size=500) == 3


# The recommendation's factor -----------------------------------------------------------------


def recommendation(api, lead, intake):
    response = api(lead).get(f"/api/v1/intake-requests/{intake.pk}/recommendation/")
    assert response.status_code == 200, response.content
    return response.json()["management_model"]


def self_managed_intake(requester):
    return IntakeFactory(
        requester=requester,
        status=IntakeStatus.TRIAGE,
        differentiating=False,
        mission_critical=False,
        complexity="low",
        estimated_value=None,
        currency="",
    )


def test_a_self_managed_recommendation_shows_whether_the_proposed_lead_is_trained(
    api, lead, requester
):
    intake = self_managed_intake(requester)
    model = recommendation(api, lead, intake)
    assert model["recommended"] == "self_managed"
    factor = model["factors"]["proposed_lead_training"]
    assert factor["user"]["id"] == requester.pk and factor["proposed_as"] == "requester"
    assert factor["trained"] is False and "no valid governance-role training" in factor["note"]
    partnering = TrainingCourseFactory(kind="partnering")
    TrainingCompletionFactory(user=requester, course=partnering)  # not a governance role
    assert (
        recommendation(api, lead, intake)["factors"]["proposed_lead_training"]["trained"] is False
    )
    done = TrainingCompletionFactory(user=requester)
    factor = recommendation(api, lead, intake)["factors"]["proposed_lead_training"]
    assert factor["trained"] is True
    assert factor["valid_until"] == done.expires_on.isoformat()
    # A factor, never a veto: the recommendation stays what the rule table says.
    assert recommendation(api, lead, intake)["recommended"] == "self_managed"


def test_other_models_carry_no_training_factor(api, lead, requester):
    intake = IntakeFactory(requester=requester, status=IntakeStatus.TRIAGE)
    model = recommendation(api, lead, intake)
    assert model["recommended"] == "dedicated"
    assert model["factors"] == {}
