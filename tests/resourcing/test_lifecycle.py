"""The alliance lifecycle's effects on work: wind-down starts the termination playbook; an
alliance with open work cannot close."""

import datetime

import pytest
from django.utils import timezone

from resourcing.models import Task
from tests.alliances.factories import AllianceFactory
from tests.helpers import assert_error
from tests.resourcing.factories import (
    AssignmentFactory,
    SpecialistFactory,
    TaskFactory,
    TaskTemplateFactory,
    service,
)

pytestmark = pytest.mark.django_db


def move(api, user, alliance, to):
    return api(user).post(
        f"/api/v1/alliances/{alliance.pk}/transition/", {"field": "status", "to": to}, format="json"
    )


@pytest.fixture
def termination_playbook():
    TaskTemplateFactory(
        service=service("termination"), anchor="wind_down", offset_days=3, title="Notice validated"
    )
    TaskTemplateFactory(
        service=service("termination"),
        anchor="wind_down",
        offset_days=90,
        title="Final reconciliation",
    )
    TaskTemplateFactory(
        service=service("termination"), anchor="trigger", offset_days=0, title="Not wind-down"
    )


def test_wind_down_creates_termination_tasks_for_the_termination_assignee(
    api, lead, termination_playbook
):
    alliance = AllianceFactory(status="active")
    person = SpecialistFactory(services=["termination"])
    AssignmentFactory(alliance=alliance, specialist=person, service=service("termination"))
    assert move(api, lead, alliance, "wind_down").status_code == 200
    tasks = Task.objects.filter(alliance=alliance).order_by("due_date")
    today = timezone.localdate()
    assert [(t.title, t.due_date, t.assignee) for t in tasks] == [
        ("Notice validated", today + datetime.timedelta(days=3), person.user),
        ("Final reconciliation", today + datetime.timedelta(days=90), person.user),
    ]


def test_wind_down_without_a_termination_assignee_goes_to_the_lead(api, head, termination_playbook):
    alliance = AllianceFactory(status="reset")
    assert move(api, head, alliance, "wind_down").status_code == 200
    assert {t.assignee for t in Task.objects.filter(alliance=alliance)} == {alliance.lead}


def test_closing_with_open_work_is_409_listing_the_tasks(api, lead):
    alliance = AllianceFactory(status="wind_down")
    late = TaskFactory(alliance=alliance, due_date=datetime.date(2027, 1, 1))
    early = TaskFactory(
        alliance=alliance, due_date=datetime.date(2026, 12, 1), status="blocked", blocked_reason="x"
    )
    TaskFactory(alliance=alliance, status="done")
    response = move(api, lead, alliance, "closed")
    refusal = assert_error(response, 409, "open_work")
    assert refusal["task_ids"] == [early.pk, late.pk]
    alliance.refresh_from_db()
    assert alliance.status == "wind_down"
    Task.objects.filter(pk__in=[early.pk, late.pk]).update(status="cancelled", blocked_reason="")
    assert move(api, lead, alliance, "closed").status_code == 200


def test_a_failing_playbook_leaves_the_alliance_unmoved(
    api, lead, termination_playbook, monkeypatch
):
    from resourcing import services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "playbook_tasks_create", broken)
    alliance = AllianceFactory(status="active")
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    client.force_authenticate(lead)
    response = client.post(
        f"/api/v1/alliances/{alliance.pk}/transition/",
        {"field": "status", "to": "wind_down"},
        format="json",
    )
    assert response.status_code == 500
    alliance.refresh_from_db()
    assert alliance.status == "active"
    assert not Task.objects.exists()
