"""The front door: submit, triage, decline, ask and answer, SLA and overdue, visibility."""

import datetime

import pytest
from django.utils import timezone

from alliances.models import ActivityLog
from resourcing.models import IntakeMessage, IntakeRequest
from tests.alliances.factories import PartnerFactory, TherapeuticAreaFactory, UserFactory
from tests.helpers import assert_error
from tests.resourcing.factories import IntakeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake-requests/"


@pytest.fixture
def body():
    TherapeuticAreaFactory(code="immunology")
    return {
        "title": "Bispecific for atopic dermatitis",
        "partner_name": "Corvane Therapeutics",
        "therapeutic_area": "immunology",
        "alliance_type": "co_development",
        "direction": "in",
        "description": "Phase 1-ready bispecific; co-develop through PoC.",
        "differentiating": True,
        "mission_critical": False,
        "complexity": "high",
        "estimated_value": "75000000.00",
        "currency": "USD",
        "desired_start_date": "2027-03-01",
        "requested_services": ["startup", "governance_logistics"],
    }


def test_anyone_signed_in_submits(api, requester, body):
    response = api(requester).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted"
    assert data["requester"]["username"] == "requester"
    assert data["purpose_quadrant"] == "partner"
    assert sorted(data["requested_services"]) == ["governance_logistics", "startup"]
    assert data["overdue"] is False
    assert data["messages"] == []
    intake = IntakeRequest.objects.get()
    assert ActivityLog.objects.filter(verb="submitted", object_id=intake.pk).exists()


def test_sla_is_business_days_from_submission(api, requester, body, settings, monkeypatch):
    settings.INTAKE_TRIAGE_SLA_DAYS = 3
    friday = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: friday)
    data = api(requester).post(URL, body, format="json").json()
    assert data["sla_due"] == "2026-11-25"  # Mon, Tue, Wed


def test_anonymous_cannot_submit(api, body):
    assert api().post(URL, body, format="json").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"partner_name": ""}, "partner"),
        ({"partner": 1}, "partner_name"),
        ({"partner_name": None}, "partner_name"),
        ({"therapeutic_area": "astrology"}, "therapeutic_area"),
        ({"alliance_type": "merger"}, "alliance_type"),
        ({"complexity": "extreme"}, "complexity"),
        ({"requested_services": ["catering"]}, "requested_services"),
        ({"requested_services": ["startup", "startup"]}, "requested_services"),
        ({"requested_services": "startup"}, "requested_services"),
        ({"estimated_value": "-1"}, "estimated_value"),
        ({"currency": ""}, "currency"),
        ({"currency": "ZZZ"}, "currency"),
        ({"desired_start_date": "next spring"}, "desired_start_date"),
        ({"differentiating": "sort of"}, "differentiating"),
        ({"status": "accepted"}, "status"),
        ({"requester": 1}, "requester"),
        ({"sla_due": "2030-01-01"}, "sla_due"),
        ({"partner": 2**64}, "partner"),
    ],
)
def test_bad_submissions_are_400_with_the_field_named(api, requester, body, change, field):
    if "partner" in change and change["partner"] == 1:
        change = {"partner": PartnerFactory().pk}
    response = api(requester).post(URL, {**body, **change}, format="json")
    assert_error(response, 400, field=field)
    assert not IntakeRequest.objects.exists()


@pytest.mark.parametrize(
    "missing", ["title", "therapeutic_area", "differentiating", "requested_services"]
)
def test_missing_fields_are_400(api, requester, body, missing):
    del body[missing]
    response = api(requester).post(URL, body, format="json")
    assert_error(response, 400, field=missing)


@pytest.fixture
def requests_(requester, lead2):
    return {
        "mine": IntakeFactory(requester=requester, title="MINE"),
        "other": IntakeFactory(title="OTHER"),
        "secret": IntakeFactory(requester=requester, title="SECRET", confidential=True),
        "lead_secret": IntakeFactory(requester=lead2, title="LEADS OWN SECRET", confidential=True),
    }


def titles(response):
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_requesters_see_only_their_own(api, requester, requests_):
    assert titles(api(requester).get(URL)) == {"MINE", "SECRET"}
    assert api(requester).get(f"{URL}{requests_['other'].pk}/").status_code == 404


def test_leads_see_all_but_confidential_ones_not_theirs(api, lead, lead2, requests_):
    assert titles(api(lead).get(URL)) == {"MINE", "OTHER"}
    assert titles(api(lead2).get(URL)) == {"MINE", "OTHER", "LEADS OWN SECRET"}
    assert api(lead).get(f"{URL}{requests_['secret'].pk}/").status_code == 404
    assert titles(api(lead).get(URL, {"search": "SECRET"})) == set()
    assert api(lead).get(URL, {"confidential": "true"}).json()["count"] == 0


def test_head_sees_everything(api, head, requests_):
    assert titles(api(head).get(URL)) == {"MINE", "OTHER", "SECRET", "LEADS OWN SECRET"}


@pytest.mark.parametrize("role", ["executive", "specialist"])
def test_other_roles_see_only_their_own(request, api, role, requests_):
    assert titles(api(request.getfixturevalue(role)).get(URL)) == set()


def act(api, user, intake, action, **body):
    return api(user).post(f"{URL}{intake.pk}/{action}/", body, format="json")


def test_full_lifecycle_with_a_question(api, lead, requester):
    intake = IntakeFactory(requester=requester)
    assert act(api, lead, intake, "triage").json()["status"] == "triage"
    asked = act(api, lead, intake, "request-info", question="Which indication first?")
    assert asked.status_code == 200
    assert asked.json()["status"] == "needs_info"
    assert asked.json()["messages"][0]["text"] == "Which indication first?"
    answered = act(api, requester, intake, "answer", answer="Atopic dermatitis.")
    assert answered.status_code == 200
    data = answered.json()
    assert data["status"] == "submitted"
    assert [m["kind"] for m in data["messages"]] == ["question", "answer"]
    assert act(api, lead, intake, "triage").status_code == 200
    declined = act(api, lead, intake, "decline", reason="No strategic fit this year.")
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "No strategic fit this year."
    assert declined.json()["decided_by"]["username"] == "lead"
    verbs = list(
        ActivityLog.objects.filter(object_id=intake.pk)
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["triage_started", "info_requested", "answered", "triage_started", "declined"]


def test_answering_restarts_the_sla(api, lead, requester, settings):
    old = timezone.now() - datetime.timedelta(days=20)
    intake = IntakeFactory(
        requester=requester, status="needs_info", submitted_at=old, sla_due=old.date()
    )
    data = act(api, requester, intake, "answer", answer="Here it is.").json()
    assert data["sla_due"] > timezone.localdate().isoformat()
    assert data["overdue"] is False


LEGAL = {
    ("submitted", "triage"),
    ("triage", "decline"),
    ("triage", "request-info"),
    ("needs_info", "answer"),
}
BODIES = {
    "triage": {},
    "decline": {"reason": "No"},
    "request-info": {"question": "Why?"},
    "answer": {"answer": "Because"},
}


ILLEGAL = [
    (status, action)
    for status in ("submitted", "triage", "needs_info", "declined", "accepted")
    for action in BODIES
    if (status, action) not in LEGAL
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_illegal_move_is_409_and_changes_nothing(api, head, lead, requester, status, action):
    from tests.alliances.factories import AllianceFactory

    alliance = AllianceFactory() if status == "accepted" else None
    intake = IntakeFactory(requester=requester, status=status, alliance=alliance)
    user = requester if action == "answer" else lead
    response = act(api, user, intake, action, **BODIES[action])
    assert_error(response, 409, "illegal_transition")
    intake.refresh_from_db()
    assert intake.status == status
    assert not IntakeMessage.objects.exists()


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("decline", {}, "reason"),
        ("decline", {"reason": ""}, "reason"),
        ("request-info", {}, "question"),
        ("request-info", {"question": "   "}, "question"),
        ("triage", {"force": True}, "force"),
        ("decline", {"reason": "x", "status": "accepted"}, "status"),
    ],
)
def test_bad_action_bodies_are_400(api, lead, action, body, field):
    intake = IntakeFactory(status="triage")
    response = act(api, lead, intake, action, **body)
    assert_error(response, 400, field=field)


def test_bad_answer_is_400(api, requester):
    intake = IntakeFactory(requester=requester, status="needs_info")
    response = act(api, requester, intake, "answer")
    assert_error(response, 400, field="answer")


@pytest.mark.parametrize("role", ["requester", "executive", "specialist"])
def test_only_leads_and_head_triage(request, api, role):
    user = request.getfixturevalue(role)
    intake = IntakeFactory(requester=user)  # visible to them, so not a 404
    for action in ("triage", "decline", "request-info"):
        assert act(api, user, intake, action, **BODIES[action]).status_code == 403
    assert api(user).get(f"{URL}{intake.pk}/recommendation/").status_code == 403


def test_only_the_requester_answers(api, lead, requester):
    intake = IntakeFactory(requester=requester, status="needs_info")
    assert act(api, lead, intake, "answer", answer="I will answer for them").status_code == 403


def test_confidential_requests_are_triaged_by_the_head_only(api, head, lead2):
    intake = IntakeFactory(requester=lead2, confidential=True)
    # lead2 sees their own confidential request but may not triage it
    assert act(api, lead2, intake, "triage").status_code == 403
    assert act(api, head, intake, "triage").status_code == 200


def test_hidden_requests_are_404_for_every_action(api, lead):
    intake = IntakeFactory(confidential=True)
    for action in BODIES:
        assert act(api, lead, intake, action, **BODIES[action]).status_code == 404
    assert api(lead).get(f"{URL}{intake.pk}/recommendation/").status_code == 404


def test_overdue_is_computed_when_read_and_filterable(api, lead):
    past = timezone.localdate() - datetime.timedelta(days=1)
    IntakeFactory(title="LATE", sla_due=past)
    IntakeFactory(title="LATE BUT ASKED", sla_due=past, status="needs_info")
    IntakeFactory(title="ON TIME")
    IntakeFactory(title="DUE TODAY", sla_due=timezone.localdate())
    late = api(lead).get(URL, {"overdue": "true"}).json()["results"]
    assert [row["title"] for row in late] == ["LATE"]
    assert late[0]["overdue"] is True
    assert titles(api(lead).get(URL, {"overdue": "false"})) == {
        "LATE BUT ASKED",
        "ON TIME",
        "DUE TODAY",
    }


def test_list_filters(api, lead, requester):
    IntakeFactory(title="A", requester=requester, status="triage")
    IntakeFactory(title="B", complexity="high", services=["reporting"])
    assert titles(api(requester).get(URL, {"requester": "me"})) == {"A"}
    assert titles(api(lead).get(URL, {"requester": requester.pk})) == {"A"}
    assert titles(api(lead).get(URL, {"status": "triage"})) == {"A"}
    assert titles(api(lead).get(URL, {"complexity": "high"})) == {"B"}
    assert titles(api(lead).get(URL, {"service": "reporting"})) == {"B"}
    for bad in ({"requester": "you"}, {"status": "lost"}, {"overdue": "maybe"}, {"service": "x"}):
        assert api(lead).get(URL, bad).status_code == 400


def test_no_delete_or_edit_on_intake_requests(api, head):
    intake = IntakeFactory()
    assert api(head).delete(f"{URL}{intake.pk}/").status_code == 405
    assert api(head).patch(f"{URL}{intake.pk}/", {"title": "x"}, format="json").status_code == 405


def test_a_partner_on_record_is_shown(api, requester, body):
    partner = PartnerFactory(name="Halcyon Biologics")
    body.pop("partner_name")
    data = api(requester).post(URL, {**body, "partner": partner.pk}, format="json").json()
    assert data["partner"] == {"id": partner.pk, "name": "Halcyon Biologics", "kind": "biotech"}
    assert data["partner_name"] == ""


def test_requester_of_another_users_request_is_hidden(api, requester):
    other = IntakeFactory(requester=UserFactory(username="someone"))
    assert act(api, requester, other, "answer", answer="x").status_code == 404


def test_at_least_one_service_is_requested(api, requester, body):
    response = api(requester).post(URL, {**body, "requested_services": []}, format="json")
    assert_error(response, 400, field="requested_services")


def test_submitted_at_filters_use_the_portfolio_date(api, lead, settings):
    settings.PORTFOLIO_TIME_ZONE = "Europe/London"
    # 23:30 UTC on 1 June is 00:30 on 2 June in London
    late = datetime.datetime(2026, 6, 1, 23, 30, tzinfo=datetime.UTC)
    IntakeFactory(title="NIGHT OWL", submitted_at=late)
    on_the_2nd = {"submitted_at_after": "2026-06-02", "submitted_at_before": "2026-06-02"}
    assert titles(api(lead).get(URL, on_the_2nd)) == {"NIGHT OWL"}
