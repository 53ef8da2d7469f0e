"""Every front-door kind reaches the right person, after commit: the requester hears of the
decision, each assignee of their service on a new alliance, and whoever a task is created for;
someone handed work hears of it too."""

import pytest

from notifications.models import Notification
from resourcing import services as front_door
from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.resourcing.factories import (
    IntakeFactory,
    SpecialistFactory,
    TaskFactory,
    TaskTemplateFactory,
    service,
)

pytestmark = pytest.mark.django_db


def told(user):
    return list(Notification.objects.filter(recipient=user).order_by("kind"))


def test_accept_tells_the_requester_and_each_assignee(
    lead, requester, django_capture_on_commit_callbacks
):
    ana = SpecialistFactory(user=UserFactory(username="ana"), services=["startup"])
    TaskTemplateFactory(service=service("startup"), title="Kick-off", offset_days=5)
    intake = IntakeFactory(requester=requester, status="triage", services=["startup"])
    with django_capture_on_commit_callbacks(execute=True):
        result = front_door.intake_accept(
            actor=lead, intake=intake, management_model="specialist_supported"
        )
    alliance = result["alliance"]
    (accepted,) = told(requester)
    assert accepted.kind == "request_accepted" and alliance.code in accepted.text
    (assigned,) = told(ana.user)
    assert assigned.kind == "work_assigned"
    assert "1 open task" in assigned.text and assigned.alliance == alliance


def test_a_decline_tells_the_requester_why(lead, requester, django_capture_on_commit_callbacks):
    intake = IntakeFactory(requester=requester, status="triage")
    with django_capture_on_commit_callbacks(execute=True):
        front_door.intake_decline(actor=lead, intake=intake, reason="Out of strategy")
    (notice,) = told(requester)
    assert notice.kind == "request_declined" and "Out of strategy" in notice.text


def test_a_task_created_for_someone_tells_them(lead, django_capture_on_commit_callbacks):
    alliance = AllianceFactory(lead=lead)
    person = SpecialistFactory(services=["reporting"]).user
    with django_capture_on_commit_callbacks(execute=True):
        task = front_door.task_create(
            actor=lead,
            data={
                "alliance": alliance,
                "service": service("reporting"),
                "title": "Board pack",
                "assignee": person,
                "due_date": TaskFactory.due_date,
            },
        )
    (notice,) = told(person)
    assert notice.kind == "work_assigned" and "Board pack" in notice.text
    assert notice.api_path == f"/api/v1/tasks/{task.pk}/"


def test_work_handed_over_on_leaving_a_team_tells_who_takes_it(
    head, django_capture_on_commit_callbacks
):
    secret = AllianceFactory(confidential=True, lead=head, name="NIGHTJAR")
    leaver = SpecialistFactory(services=["startup"]).user
    taker = SpecialistFactory(services=["startup"]).user
    membership = MembershipFactory(alliance=secret, user=leaver)
    MembershipFactory(alliance=secret, user=taker)
    TaskFactory(alliance=secret, assignee=leaver, title="Diligence pack")
    with django_capture_on_commit_callbacks(execute=True):
        from alliances.services import alliance_member_remove

        alliance_member_remove(actor=head, membership=membership, hand_to=taker)
    (notice,) = told(taker)
    assert notice.kind == "work_assigned" and "Diligence pack" in notice.text
    assert told(leaver) == []
