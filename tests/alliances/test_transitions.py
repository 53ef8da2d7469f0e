"""Both lifecycles move only along their edges, each move recorded; illegal moves change nothing."""

import pytest

from alliances.choices import Stage, Status
from alliances.models import ActivityLog, StageTransition
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

STATUS_LEGAL = [
    ("startup", "active"),
    ("active", "reset"),
    ("reset", "active"),
    ("startup", "wind_down"),
    ("active", "wind_down"),
    ("reset", "wind_down"),
    ("wind_down", "closed"),
]
STATUS_ILLEGAL = [
    (a, b) for a in Status.values for b in Status.values if (a, b) not in STATUS_LEGAL
]


def move(api, user, alliance, **body):
    return api(user).post(f"/api/v1/alliances/{alliance.pk}/transition/", body, format="json")


@pytest.mark.parametrize(("start", "to"), STATUS_LEGAL)
def test_legal_status_moves_are_recorded(api, lead, start, to):
    alliance = AllianceFactory(status=start)
    response = move(api, lead, alliance, field="status", to=to)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == to
    transition = StageTransition.objects.get(alliance=alliance)
    assert (transition.field, transition.from_value, transition.to_value) == ("status", start, to)
    assert transition.actor == lead
    log = ActivityLog.objects.get(alliance=alliance, verb="transitioned")
    assert log.changes == {"status": [start, to]}
    assert log.actor == lead
    assert log.request_id == response["X-Request-ID"]


@pytest.mark.parametrize(("start", "to"), STATUS_ILLEGAL)
def test_illegal_status_moves_are_409_and_change_nothing(api, head, start, to):
    alliance = AllianceFactory(status=start)
    response = move(api, head, alliance, field="status", to=to, note="because")
    assert_error(response, 409, "illegal_transition")
    alliance.refresh_from_db()
    assert alliance.status == start
    assert not StageTransition.objects.exists()
    assert not ActivityLog.objects.exists()


def test_lead_moves_stage_forward_one_step(api, lead):
    alliance = AllianceFactory(stage=Stage.PRE_POC)
    assert move(api, lead, alliance, field="stage", to="development").status_code == 200
    assert move(api, lead, alliance, field="stage", to="commercial").status_code == 200
    alliance.refresh_from_db()
    assert alliance.stage == "commercial"
    assert StageTransition.objects.filter(alliance=alliance).count() == 2


def test_stage_cannot_skip(api, head):
    alliance = AllianceFactory(stage=Stage.PRE_POC)
    response = move(api, head, alliance, field="stage", to="commercial")
    assert_error(response, 409, "illegal_transition")


def test_lead_cannot_move_stage_back_even_with_a_note(api, lead):
    alliance = AllianceFactory(stage=Stage.DEVELOPMENT)
    response = move(api, lead, alliance, field="stage", to="pre_poc", note="Trial failed")
    assert_error(response, 409, "illegal_transition")
    alliance.refresh_from_db()
    assert alliance.stage == "development"


def test_head_moves_stage_back_with_a_note(api, head):
    alliance = AllianceFactory(stage=Stage.COMMERCIAL)
    missing = move(api, head, alliance, field="stage", to="pre_poc")
    assert_error(missing, 400, field="note")
    response = move(api, head, alliance, field="stage", to="pre_poc", note="Relaunch as new asset")
    assert response.status_code == 200
    assert StageTransition.objects.get(alliance=alliance).note == "Relaunch as new asset"


def test_moving_to_the_current_value_is_illegal(api, lead):
    alliance = AllianceFactory(stage=Stage.DEVELOPMENT)
    response = move(api, lead, alliance, field="stage", to="development")
    assert_error(response, 409, "illegal_transition")


def test_management_model_change_needs_a_note_and_is_recorded(api, lead):
    alliance = AllianceFactory(management_model="self_managed")
    blank = move(api, lead, alliance, field="management_model", to="dedicated", note="  ")
    assert blank.status_code == 400
    assert blank.json() == {"note": ["Say why: a note is required for a management-model change."]}
    response = move(
        api, lead, alliance, field="management_model", to="dedicated", note="Phase 3 start"
    )
    assert response.status_code == 200
    assert response.json()["management_model"] == "dedicated"
    log = ActivityLog.objects.get(alliance=alliance)
    assert log.note == "Phase 3 start"
    assert log.changes == {"management_model": ["self_managed", "dedicated"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"field": "colour", "to": "red"}, "field"),
        ({"field": "stage", "to": "phase_3"}, "to"),
        ({"field": "status", "to": "dedicated"}, "to"),
        ({"field": "status"}, "to"),
        ({"to": "active"}, "field"),
        ({"field": "status", "to": "active", "actor": 1}, "actor"),
        ({"field": "status", "to": ["active"]}, "to"),
    ],
)
def test_bad_transition_bodies_are_400(api, lead, body, field):
    alliance = AllianceFactory(status="startup")
    response = move(api, lead, alliance, **body)
    assert_error(response, 400, field=field)
    alliance.refresh_from_db()
    assert alliance.status == "startup"


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_only_leads_and_head_move_alliances(request, api, role):
    user = request.getfixturevalue(role)
    alliance = AllianceFactory(status="startup")
    MembershipFactory(alliance=alliance, user=user)  # so they can see it
    response = move(api, user, alliance, field="status", to="active")
    assert response.status_code == 403
    alliance.refresh_from_db()
    assert alliance.status == "startup"


def test_hidden_alliance_cannot_be_moved(api, lead2, head):
    secret = AllianceFactory(confidential=True, lead=head, status="startup")
    assert move(api, lead2, secret, field="status", to="active").status_code == 404


def test_a_failing_move_leaves_no_trace(api, lead, monkeypatch):
    """The state change, its transition row and its log entry commit together or not at all."""
    from alliances import services

    alliance = AllianceFactory(status="startup")

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "activity_record", broken)
    with pytest.raises(RuntimeError):
        services.alliance_transition(
            actor=lead, alliance=alliance, field="status", to="active", backwards_allowed=False
        )
    alliance.refresh_from_db()
    assert alliance.status == "startup"
    assert not StageTransition.objects.exists()
