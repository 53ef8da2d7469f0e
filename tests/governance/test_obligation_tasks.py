"""The contract-and-finance task that prepares an obligation: created before it is due for the
alliance's assignee (else its lead), moved with the due date, closed with the obligation; and
completing the task does not meet the obligation."""

import datetime

import pytest
from django.conf import settings

from alliances.calendar import today
from alliances.models import ActivityLog
from governance.models import Obligation
from resourcing.models import Task
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.governance.factories import AgreementFactory, ObligationFactory
from tests.resourcing.factories import AssignmentFactory, service

pytestmark = pytest.mark.django_db
URL = "/api/v1/obligations/"
LEAD_DAYS = datetime.timedelta(days=settings.OBLIGATION_LEAD_DAYS)


def day(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def alliance():
    return AllianceFactory()


@pytest.fixture
def finance(alliance):
    return AssignmentFactory(alliance=alliance, service=service("contract_finance"))


def create(api, user, alliance, **fields):
    body = {
        "agreement": AgreementFactory(alliance=alliance, payment_terms_days=30).pk,
        "kind": "milestone",
        "direction": "outgoing",
        "title": "Opt-in fee",
        "due_date": day(60).isoformat(),
        "amount": "1000000.00",
        "currency": "USD",
        **fields,
    }
    response = api(user).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return Obligation.objects.get(pk=response.json()["id"])


def test_an_outgoing_obligation_gets_a_task_for_the_finance_assignee(api, lead, alliance, finance):
    obligation = create(api, lead, alliance)
    task = obligation.task
    assert task.title == "Pay: Opt-in fee"
    assert task.service.code == "contract_finance"
    assert task.assignee == finance.assignee and task.assignment == finance
    assert task.due_date == day(60) - LEAD_DAYS
    assert task.effort_hours == 2
    assert ActivityLog.objects.filter(verb="created", object_id=task.pk).exists()


def test_an_incoming_obligation_we_invoice_gets_one_for_the_lead_without_an_assignee(
    api, lead, alliance
):
    obligation = create(api, lead, alliance, direction="incoming", we_invoice=True)
    assert obligation.task.title == "Invoice: Opt-in fee"
    assert obligation.task.assignee == alliance.lead


@pytest.mark.parametrize(
    "fields",
    [
        {"direction": "incoming"},  # the partner pays, unprompted
        {"direction": "joint"},
        {"due_date": None, "trigger_event": "First patient dosed"},  # no date yet
    ],
)
def test_no_task_when_there_is_nothing_to_prepare(api, lead, alliance, fields):
    assert create(api, lead, alliance, **fields).task is None
    assert not Task.objects.exists()


def test_a_task_is_never_due_in_the_past(api, lead, alliance):
    obligation = create(api, lead, alliance, due_date=day(3).isoformat())
    assert obligation.task.due_date == today()


def test_moving_the_due_date_moves_the_open_task(api, lead, alliance, finance):
    obligation = create(api, lead, alliance)
    response = api(lead).patch(
        f"{URL}{obligation.pk}/", {"due_date": day(100).isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    obligation.task.refresh_from_db()
    assert obligation.task.due_date == day(100) - LEAD_DAYS
    assert ActivityLog.objects.filter(verb="task_rescheduled").exists()


def test_trigger_creates_the_task_dated_from_the_payment_terms(api, lead, alliance, finance):
    obligation = create(api, lead, alliance, due_date=None, trigger_event="IND accepted")
    assert obligation.task is None
    response = api(lead).post(
        f"{URL}{obligation.pk}/trigger/", {"occurred_on": today().isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    obligation.refresh_from_db()
    assert obligation.due_date == day(30)
    assert obligation.task.due_date == day(30) - LEAD_DAYS
    assert obligation.task.assignee == finance.assignee


@pytest.mark.parametrize(
    ("move", "body", "status"),
    [
        ("met", {"met_on": "today"}, "done"),
        ("waive", {"reason": "Partner waived the fee"}, "cancelled"),
    ],
)
def test_met_or_waived_closes_the_task(api, lead, alliance, move, body, status):
    obligation = create(api, lead, alliance)
    body = {k: today().isoformat() if v == "today" else v for k, v in body.items()}
    response = api(lead).post(f"{URL}{obligation.pk}/{move}/", body, format="json")
    assert response.status_code == 200, response.content
    obligation.task.refresh_from_db()
    assert obligation.task.status == status
    verb = "task_complete" if status == "done" else "task_cancel"
    assert ActivityLog.objects.filter(verb=verb, object_id=obligation.task.pk).exists()


def test_a_recurring_obligation_met_gives_the_next_its_own_task(api, lead, alliance):
    obligation = create(api, lead, alliance, kind="royalty", recurrence="quarterly")
    api(lead).post(f"{URL}{obligation.pk}/met/", {"met_on": today().isoformat()}, format="json")
    following = Obligation.objects.get(previous=obligation)
    assert following.task is not None and following.task != obligation.task
    assert following.task.due_date == following.due_date - LEAD_DAYS
    assert following.task.status == "open"


def test_completing_the_task_does_not_meet_the_obligation(api, lead, alliance, specialist):
    MembershipFactory(alliance=alliance, user=specialist)
    AssignmentFactory(alliance=alliance, service=service("contract_finance"), assignee=specialist)
    obligation = create(api, lead, alliance)
    response = api(specialist).post(f"/api/v1/tasks/{obligation.task_id}/complete/")
    assert response.status_code == 200, response.content
    obligation.refresh_from_db()
    assert obligation.status == "due"
    # Recording the payment afterwards leaves the done task as it is.
    api(specialist).post(
        f"{URL}{obligation.pk}/met/", {"met_on": today().isoformat()}, format="json"
    )
    obligation.refresh_from_db()
    assert obligation.status == "met" and obligation.task.status == "done"


def test_an_obligation_made_incoming_loses_its_open_task(api, lead, alliance):
    obligation = create(api, lead, alliance)
    api(lead).patch(f"{URL}{obligation.pk}/", {"direction": "incoming"}, format="json")
    obligation.task.refresh_from_db()
    assert obligation.task.status == "cancelled"


def test_an_obligation_from_a_factory_without_a_task_gets_one_when_redated(api, lead):
    obligation = ObligationFactory(direction="outgoing")
    api(lead).patch(f"{URL}{obligation.pk}/", {"due_date": day(45).isoformat()}, format="json")
    obligation.refresh_from_db()
    assert obligation.task.due_date == day(45) - LEAD_DAYS
