"""The inbox and email: told after commit, once, only about what the reader may see, by email as
each person prefers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.errors import DomainError
from notifications import services
from notifications.choices import Kind
from notifications.models import Notification
from notifications.tasks import email_notification, send_digests
from resourcing import services as front_door
from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.helpers import assert_error
from tests.resourcing.factories import IntakeFactory, SpecialistFactory, TaskFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"
PREFS = "/api/v1/me/notification-preferences/"


@pytest.fixture
def asker(lead):
    lead.email = "lead@example.com"
    lead.save()
    return lead


@pytest.fixture
def someone():
    return UserFactory(email="someone@example.com")


def ask(django_capture_on_commit_callbacks, lead, requester, text="Which indication?"):
    intake = IntakeFactory(requester=requester, status="triage")
    with django_capture_on_commit_callbacks(execute=True):
        front_door.intake_request_info(actor=lead, intake=intake, question=text)
    return intake


def test_a_question_reaches_the_requester_after_commit_with_an_email(
    api, lead, requester, django_capture_on_commit_callbacks, mailoutbox
):
    requester.email = "req@example.com"
    requester.save()
    intake = ask(django_capture_on_commit_callbacks, lead, requester)
    body = api(requester).get(URL).json()
    assert body["count"] == 1
    (notice,) = body["results"]
    assert notice["kind"] == "request_needs_info"
    assert "Which indication?" in notice["text"]
    assert notice["api_path"] == f"/api/v1/intake-requests/{intake.pk}/"
    assert notice["read_at"] is None
    assert api(requester).get("/api/v1/me/").json()["unread_notifications"] == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["req@example.com"]
    assert "Which indication?" in mailoutbox[0].subject
    assert f"/admin/resourcing/intakerequest/{intake.pk}/triage/" in mailoutbox[0].body


def test_a_change_that_rolls_back_tells_nobody(lead, requester, django_capture_on_commit_callbacks):
    intake = IntakeFactory(requester=requester, status="submitted")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError),
    ):
        front_door.intake_request_info(actor=lead, intake=intake, question="x")
    assert callbacks == []
    assert not Notification.objects.exists()


def test_the_same_event_is_told_once_and_emailed_once(
    lead, requester, django_capture_on_commit_callbacks, mailoutbox
):
    requester.email = "req@example.com"
    requester.save()
    intake = ask(django_capture_on_commit_callbacks, lead, requester)
    from resourcing.notices import intake_event

    message = intake.messages.get()
    intake_event(intake.pk, "question", message.pk)  # a redelivered task
    notice = Notification.objects.get()
    email_notification(notice.pk)  # a second delivery of the email task
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_answers_go_to_whoever_asked(
    api, asker, requester, django_capture_on_commit_callbacks, mailoutbox
):
    intake = ask(django_capture_on_commit_callbacks, asker, requester)
    intake.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        front_door.intake_answer(actor=requester, intake=intake, answer="Solid tumours")
    (notice,) = api(asker).get(URL).json()["results"]
    assert notice["kind"] == "request_answered"
    assert "Solid tumours" in notice["text"]


def test_nobody_hears_of_a_confidential_alliance_they_are_not_on(someone, head):
    secret = AllianceFactory(confidential=True, lead=head, name="NIGHTJAR")
    told = services.notify(
        recipient=someone, kind=Kind.WORK_ASSIGNED, key="x", text="NIGHTJAR", alliance=secret
    )
    assert told is None
    assert not Notification.objects.exists()


def test_losing_access_takes_the_notification_out_of_the_inbox(api, someone, head):
    secret = AllianceFactory(confidential=True, lead=head, name="NIGHTJAR")
    membership = MembershipFactory(alliance=secret, user=someone)
    services.notify(
        recipient=someone, kind=Kind.WORK_ASSIGNED, key="x", text="NIGHTJAR", alliance=secret
    )
    assert api(someone).get(URL).json()["count"] == 1
    membership.delete()
    assert api(someone).get(URL).json()["count"] == 0
    assert api(someone).get("/api/v1/me/").json()["unread_notifications"] == 0


def test_reassigning_a_task_tells_the_new_assignee_but_not_someone_who_takes_it_themselves(
    api, lead, django_capture_on_commit_callbacks
):
    alliance = AllianceFactory(lead=lead)
    specialist = SpecialistFactory(services=["startup"]).user
    task = TaskFactory(alliance=alliance, assignee=lead)
    with django_capture_on_commit_callbacks(execute=True):
        front_door.task_reassign(actor=lead, task=task, assignee=specialist, reason="Yours")
    (notice,) = api(specialist).get(URL).json()["results"]
    assert notice["kind"] == "work_assigned"
    assert task.title in notice["text"]
    with django_capture_on_commit_callbacks(execute=True):
        front_door.task_reassign(actor=lead, task=task, assignee=lead, reason="Mine after all")
    assert api(lead).get(URL).json()["count"] == 0


def test_read_and_read_all(api, someone):
    first = services.notify(recipient=someone, kind=Kind.JOB_FINISHED, key="a", text="A")
    services.notify(recipient=someone, kind=Kind.JOB_FINISHED, key="b", text="B")
    response = api(someone).post(f"{URL}{first.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert api(someone).get(URL, {"unread": "true"}).json()["count"] == 1
    assert api(someone).post(f"{URL}read-all/").json() == {"read": 1}
    assert api(someone).get(URL, {"unread": "true"}).json()["count"] == 0


def test_someone_elses_notification_is_a_404_and_anonymous_a_401(api, someone, requester):
    notice = services.notify(recipient=someone, kind=Kind.JOB_FINISHED, key="a", text="A")
    assert api(requester).get(f"{URL}{notice.pk}/").status_code == 404
    assert api(requester).post(f"{URL}{notice.pk}/read/").status_code == 404
    assert api().get(URL).status_code == 401
    assert api().get(PREFS).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"), [({"unread": "perhaps"}, "unread"), ({"kind": "gossip"}, "kind")]
)
def test_bad_list_parameters_are_400(api, someone, params, field):
    assert_error(api(someone).get(URL, params), 400, field=field)


def test_the_list_takes_a_constant_number_of_queries(api, someone):
    client = api(someone)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    services.notify(recipient=someone, kind=Kind.JOB_FINISHED, key="a", text="A")
    count()  # the first request reads the roles, which the user then keeps
    one = count()
    for n in range(20):
        services.notify(recipient=someone, kind=Kind.JOB_FINISHED, key=f"k{n}", text="B")
    assert count() == one


def test_preferences_list_every_kind_and_refuse_nonsense(api, someone):
    prefs = api(someone).get(PREFS).json()
    assert {p["kind"] for p in prefs} == set(Kind.values)
    assert {p["delivery"] for p in prefs} == {"immediately"}
    assert_error(api(someone).patch(PREFS, {"gossip": "off"}, format="json"), 400, field="gossip")
    assert_error(
        api(someone).patch(PREFS, {"job_finished": "weekly"}, format="json"),
        400,
        field="job_finished",
    )
    changed = api(someone).patch(PREFS, {"job_finished": "off"}, format="json").json()
    assert {p["kind"]: p["delivery"] for p in changed}["job_finished"] == "off"


def test_off_sends_no_email_and_the_digest_gathers_the_rest_once(
    api, someone, django_capture_on_commit_callbacks, mailoutbox
):
    api(someone).patch(PREFS, {"job_finished": "off", "job_failed": "daily_digest"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=someone, kind=Kind.JOB_FINISHED, key="a", text="Ready")
        services.notify(recipient=someone, kind=Kind.JOB_FAILED, key="b", text="Failed once")
        services.notify(recipient=someone, kind=Kind.JOB_FAILED, key="c", text="Failed twice")
    assert mailoutbox == []
    assert send_digests() == 1
    assert send_digests() == 0  # a beat tick run twice
    (digest,) = mailoutbox
    assert "2 update(s)" in digest.subject
    assert "Failed once" in digest.body and "Failed twice" in digest.body
    assert "Ready" not in digest.body


def test_a_notification_about_an_alliance_you_no_longer_see_leaves_the_inbox(api, someone):
    open_alliance = AllianceFactory(name="BOREALIS")  # not confidential, but not theirs to see
    membership = MembershipFactory(alliance=open_alliance, user=someone)
    services.notify(
        recipient=someone, kind=Kind.REPORT_DUE, key="x", text="BOREALIS", alliance=open_alliance
    )
    assert api(someone).get(URL).json()["count"] == 1
    membership.delete()
    assert api(someone).get(URL).json()["count"] == 0
