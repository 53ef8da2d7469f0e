"""A subsidiary agreement's playbook steps: the subsidiary-agreements service's `trigger` steps of
its kind, dated back from its target date (never in the past), for the alliance's
subsidiary-agreements assignee (else its lead); moved with the target date, cancelled when it is
abandoned, in one transaction with the activity log. The test clock is 2026-11-18 10:00
Europe/London."""

import datetime

import pytest

from alliances.calendar import today
from alliances.models import ActivityLog
from governance.models import Agreement, AgreementStep
from resourcing.models import Assignment, Task
from tests.alliances.factories import AllianceFactory, UserFactory
from tests.governance.factories import AgreementFactory
from tests.helpers import assert_error
from tests.resourcing.factories import TaskTemplateFactory, service

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/v1/agreements/"
QUALITY = {"Name quality leads": -120, "Send the first draft": -80, "Sign-off": -14}


@pytest.fixture
def playbook(db):
    subsidiary = service("subsidiary_agreements")
    for title, offset in QUALITY.items():
        TaskTemplateFactory(
            service=subsidiary,
            title=title,
            anchor="trigger",
            offset_days=offset,
            trigger_kind="quality",
        )
    # Another kind's trigger step, and another anchor: not started for a quality agreement.
    TaskTemplateFactory(
        service=subsidiary, title="Exchange PV contacts", anchor="trigger", trigger_kind="pv_sdea"
    )
    TaskTemplateFactory(service=subsidiary, title="Map the agreements", anchor="start")
    return subsidiary


@pytest.fixture
def alliance(lead):
    return AllianceFactory(lead=lead)


def request(client, alliance, target: datetime.date, kind: str = "quality", **extra):
    response = client.post(
        AGREEMENTS,
        {
            "alliance": alliance.pk,
            "kind": kind,
            "title": "Quality agreement",
            "target_date": target.isoformat(),
            **extra,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Agreement.objects.get(pk=response.json()["id"]), response.json()


def due_dates(agreement) -> dict[str, datetime.date]:
    return {
        step.task.title: step.task.due_date
        for step in AgreementStep.objects.filter(agreement=agreement).select_related("task")
    }


def test_steps_count_back_from_the_target_for_the_subsidiary_assignee(
    api, lead, alliance, playbook
):
    specialist = UserFactory()
    assignment = Assignment.objects.create(alliance=alliance, service=playbook, assignee=specialist)
    agreement, data = request(api(lead), alliance, datetime.date(2027, 6, 30))
    assert due_dates(agreement) == {
        "Name quality leads": datetime.date(2027, 3, 2),
        "Send the first draft": datetime.date(2027, 4, 11),
        "Sign-off": datetime.date(2027, 6, 16),
    }
    tasks = Task.objects.filter(agreement_step__agreement=agreement)
    assert {t.assignee for t in tasks} == {specialist}
    assert {t.assignment_id for t in tasks} == {assignment.pk}
    assert [step["title"] for step in data["steps"]] == list(QUALITY)
    assert data["steps"][0]["assignee"]["id"] == specialist.pk
    assert data["steps"][0]["status"] == "open"
    started = ActivityLog.objects.get(verb="playbook_started", alliance=alliance)
    assert started.changes["agreement"] == [None, agreement.pk]


def test_without_an_assignee_the_steps_go_to_the_lead(api, lead, alliance, playbook):
    agreement, _ = request(api(lead), alliance, datetime.date(2027, 6, 30))
    assert set(
        Task.objects.filter(agreement_step__agreement=agreement).values_list("assignee", flat=True)
    ) == {lead.pk}


def test_steps_already_past_are_due_today(api, lead, alliance, playbook):
    assert today() == datetime.date(2026, 11, 18)
    agreement, _ = request(api(lead), alliance, datetime.date(2027, 1, 20))
    dates = due_dates(agreement)
    assert dates["Name quality leads"] == dates["Send the first draft"] == today()
    assert dates["Sign-off"] == datetime.date(2027, 1, 6)


def test_only_subsidiary_kinds_start_steps(api, lead, alliance, playbook):
    other, _ = request(api(lead), alliance, datetime.date(2027, 6, 30), kind="research")
    assert due_dates(other) == {}
    supply, _ = request(api(lead), alliance, datetime.date(2027, 6, 30), kind="supply")
    assert due_dates(supply) == {}  # no supply steps in this playbook


def test_moving_the_target_moves_the_open_steps(api, lead, alliance, playbook):
    client = api(lead)
    agreement, _ = request(client, alliance, datetime.date(2027, 6, 30))
    done = Task.objects.get(agreement_step__agreement=agreement, title="Name quality leads")
    done.status = "done"
    done.save()
    response = client.patch(
        f"{AGREEMENTS}{agreement.pk}/", {"target_date": "2027-07-14"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert due_dates(agreement) == {
        "Name quality leads": datetime.date(2027, 3, 2),  # done: stays
        "Send the first draft": datetime.date(2027, 4, 25),
        "Sign-off": datetime.date(2027, 6, 30),
    }
    moved = ActivityLog.objects.filter(verb="task_rescheduled", alliance=alliance)
    assert moved.count() == 2


def test_moving_the_target_earlier_never_puts_a_step_in_the_past(api, lead, alliance, playbook):
    client = api(lead)
    agreement, _ = request(client, alliance, datetime.date(2027, 6, 30))
    response = client.patch(
        f"{AGREEMENTS}{agreement.pk}/", {"target_date": "2027-02-01"}, format="json"
    )
    assert response.status_code == 200
    dates = due_dates(agreement)
    assert dates["Name quality leads"] == dates["Send the first draft"] == today()
    assert dates["Sign-off"] == datetime.date(2027, 1, 18)


def test_the_target_stays_while_steps_are_open(api, lead, alliance, playbook):
    client = api(lead)
    agreement, _ = request(client, alliance, datetime.date(2027, 6, 30))
    address = f"{AGREEMENTS}{agreement.pk}/"
    body = assert_error(
        client.patch(address, {"target_date": None}, format="json"), 400, field="target_date"
    )
    assert "open" in body["target_date"][0]
    Task.objects.filter(agreement_step__agreement=agreement).update(status="done")
    # Done steps: a subsidiary agreement still needs its target date.
    assert_error(
        client.patch(address, {"target_date": None}, format="json"), 400, field="target_date"
    )
    agreement.refresh_from_db()
    assert agreement.target_date == datetime.date(2027, 6, 30)


def test_abandoning_cancels_the_open_steps_with_the_note(api, lead, alliance, playbook):
    client = api(lead)
    agreement, _ = request(client, alliance, datetime.date(2027, 6, 30))
    Task.objects.filter(agreement_step__agreement=agreement, title="Sign-off").update(status="done")
    response = client.post(
        f"{AGREEMENTS}{agreement.pk}/transition/",
        {"to": "abandoned", "note": "The partner manufactures itself"},
        format="json",
    )
    assert response.status_code == 200, response.content
    statuses = dict(
        Task.objects.filter(agreement_step__agreement=agreement).values_list("title", "status")
    )
    assert statuses == {
        "Name quality leads": "cancelled",
        "Send the first draft": "cancelled",
        "Sign-off": "done",
    }
    notes = ActivityLog.objects.filter(verb="task_cancel").values_list("note", flat=True)
    assert len(notes) == 2
    assert all("The partner manufactures itself" in note for note in notes)
    # A later target date moves nothing: no step is open.
    client.patch(f"{AGREEMENTS}{agreement.pk}/", {"target_date": "2027-09-30"}, format="json")
    assert due_dates(agreement)["Name quality leads"] == datetime.date(2027, 3, 2)


def test_a_failed_step_start_writes_nothing(api, lead, alliance, playbook, monkeypatch):
    from governance.services import agreements

    def broken(*args, **kwargs):
        raise RuntimeError("the log is down")

    monkeypatch.setattr(agreements, "activity_record_many", broken)
    with pytest.raises(RuntimeError):
        api(lead).post(
            AGREEMENTS,
            {
                "alliance": alliance.pk,
                "kind": "quality",
                "title": "Quality agreement",
                "target_date": "2027-06-30",
            },
            format="json",
        )
    assert not Agreement.objects.exists()
    assert not Task.objects.exists()


def test_an_existing_subsidiary_agreement_keeps_its_kind(api, lead, alliance, playbook):
    agreement = AgreementFactory(alliance=alliance, kind="quality", target_date=today())
    assert_error(
        api(lead).patch(f"{AGREEMENTS}{agreement.pk}/", {"kind": "supply"}, format="json"),
        400,
        field="kind",
    )
