"""Accepting a request creates the alliance, its assignments and its dated work at once."""

import datetime

import pytest

from alliances.models import ActivityLog, Alliance, AllianceMembership, Partner
from resourcing.models import Assignment, IntakeRequest, Task
from tests.alliances.factories import PartnerFactory, UserFactory
from tests.helpers import assert_error
from tests.resourcing.factories import (
    AssignmentFactory,
    IntakeFactory,
    SpecialistFactory,
    TaskTemplateFactory,
    service,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2027, 3, 1)


def url(intake, action="accept"):
    return f"/api/v1/intake-requests/{intake.pk}/{action}/"


@pytest.fixture
def playbooks():
    TaskTemplateFactory(service=service("startup"), title="Obligations list", offset_days=5)
    TaskTemplateFactory(service=service("startup"), title="Joint kick-off", offset_days=30)
    TaskTemplateFactory(
        service=service("reporting"),
        title="Quarterly scorecard",
        offset_days=90,
        effort_hours="3.0",
    )
    # not start-anchored: waits for a meeting date, so accept creates no task for it
    TaskTemplateFactory(service=service("governance_logistics"), anchor="meeting", offset_days=-56)


@pytest.fixture
def people():
    return {
        "ana": SpecialistFactory(
            user=UserFactory(username="ana"), services=["startup"], areas=["oncology"]
        ),
        "ben": SpecialistFactory(
            user=UserFactory(username="ben"), services=["startup", "reporting"]
        ),
        "cy": SpecialistFactory(user=UserFactory(username="cy"), services=["governance_logistics"]),
    }


@pytest.fixture
def intake(requester):
    return IntakeFactory(
        requester=requester,
        status="triage",
        desired_start_date=START,
        services=["startup", "reporting"],
        title="Bispecific for atopic dermatitis",
    )


def test_accept_creates_the_alliance_assignments_and_dated_tasks(
    api, lead, requester, intake, people, playbooks
):
    response = api(lead).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    alliance = Alliance.objects.get(pk=data["alliance"]["id"])
    assert (alliance.status, alliance.stage, alliance.management_model) == (
        "startup",
        "pre_poc",
        "dedicated",
    )
    assert alliance.name == "Bispecific for atopic dermatitis"
    assert alliance.lead == lead
    assert alliance.partner == intake.partner
    assert alliance.start_date == START
    assert alliance.purpose_quadrant == "differentiating"
    assert AllianceMembership.objects.filter(alliance=alliance, user=requester).exists()

    assignments = {a["service"]: a for a in data["assignments"]}
    assert set(assignments) == {"startup", "reporting"}
    assert assignments["startup"]["assignee"]["username"] == "ana"  # area match wins
    assert assignments["reporting"]["assignee"]["username"] == "ben"
    stored = Assignment.objects.get(alliance=alliance, service__code="startup")
    assert stored.recommendation["chosen"] == "recommended"
    assert stored.recommendation["candidates"][0]["user"]["username"] == "ana"
    assert stored.intake_request_id == intake.pk

    tasks = {(t["title"], t["due_date"], t["assignee"]["username"]) for t in data["tasks"]}
    assert tasks == {
        ("Obligations list", "2027-03-06", "ana"),
        ("Joint kick-off", "2027-03-31", "ana"),
        ("Quarterly scorecard", "2027-05-30", "ben"),
    }
    assert Task.objects.filter(alliance=alliance).count() == 3
    intake.refresh_from_db()
    assert (intake.status, intake.alliance_id, intake.decided_by) == ("accepted", alliance.pk, lead)
    verbs = set(ActivityLog.objects.filter(alliance=alliance).values_list("verb", flat=True))
    assert {"created", "member_added", "assigned", "playbook_started", "accepted"} <= verbs


def test_body_options_and_overrides(api, lead, lead2, executive, intake, people, playbooks):
    body = {
        "management_model": "specialist_supported",
        "services": ["startup"],
        "overrides": {"startup": {"specialist": people["ben"].pk, "reason": "Knows the partner"}},
        "alliance": {
            "name": "SOLSTICE",
            "lead": lead2.pk,
            "executive_sponsor": executive.pk,
            "stage": "development",
        },
    }
    response = api(lead).post(url(intake), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["alliance"]["name"] == "SOLSTICE"
    assert data["alliance"]["lead"]["username"] == "lead2"
    assert data["alliance"]["stage"] == "development"
    (assignment,) = data["assignments"]
    assert assignment["assignee"]["username"] == "ben"
    assert assignment["override_reason"] == "Knows the partner"
    assert assignment["recommendation"]["chosen"] == "override"
    assert {t["assignee"]["username"] for t in data["tasks"]} == {"ben"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "management_model"),
        ({"management_model": "outsourced"}, "management_model"),
        ({"management_model": "dedicated", "services": ["catering"]}, "services"),
        ({"management_model": "dedicated", "services": ["startup", "startup"]}, "services"),
        ({"management_model": "dedicated", "colour": "red"}, "colour"),
        ({"management_model": "dedicated", "alliance": {"stage": "phase_3"}}, "alliance"),
        ({"management_model": "dedicated", "alliance": {"lead": 2**64}}, "alliance"),
        ({"management_model": "dedicated", "alliance": {"code": "ALL-1"}}, "alliance"),
        ({"management_model": "dedicated", "overrides": {"startup": {"reason": "x"}}}, "overrides"),
        ({"management_model": "dedicated", "overrides": "ana"}, "overrides"),
    ],
)
def test_bad_accept_bodies_are_400_and_write_nothing(api, lead, intake, people, body, field):
    response = api(lead).post(url(intake), body, format="json")
    assert_error(response, 400, field=field)
    assert not Alliance.objects.exists()
    intake.refresh_from_db()
    assert intake.status == "triage"


def test_override_needs_a_reason(api, lead, intake, people):
    body = {
        "management_model": "dedicated",
        "overrides": {"startup": {"specialist": people["ben"].pk}},
    }
    response = api(lead).post(url(intake), body, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["overrides"]["startup"]


def test_override_to_someone_without_the_skill_is_400(api, lead, intake, people):
    body = {
        "management_model": "dedicated",
        "overrides": {"startup": {"specialist": people["cy"].pk, "reason": "Free"}},
    }
    response = api(lead).post(url(intake), body, format="json")
    assert response.status_code == 400
    assert "specialist" in response.json()["overrides"]["startup"]
    assert not Alliance.objects.exists()
    assert not Partner.objects.exclude(pk=intake.partner_id).exists()


def test_override_for_a_service_not_being_accepted_is_400(api, lead, intake, people):
    body = {
        "management_model": "dedicated",
        "services": ["startup"],
        "overrides": {"reporting": {"specialist": people["ben"].pk, "reason": "x"}},
    }
    assert api(lead).post(url(intake), body, format="json").status_code == 400


def test_second_accept_is_409_and_writes_nothing(api, lead, head, intake, people, playbooks):
    first = api(lead).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert first.status_code == 201
    counts = (Alliance.objects.count(), Assignment.objects.count(), Task.objects.count())
    second = api(head).post(url(intake), {"management_model": "self_managed"}, format="json")
    refusal = assert_error(second, 409, "already_accepted")
    assert refusal["alliance"] == first.json()["alliance"]["id"]
    assert (Alliance.objects.count(), Assignment.objects.count(), Task.objects.count()) == counts


@pytest.mark.parametrize("status", ["submitted", "needs_info", "declined"])
def test_only_a_request_in_triage_is_accepted(api, lead, status):
    intake = IntakeFactory(status=status)
    response = api(lead).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert_error(response, 409, "illegal_transition")


def test_a_database_constraint_backs_one_alliance_per_request(intake, lead):
    from django.db import IntegrityError, transaction

    from tests.alliances.factories import AllianceFactory

    first, second = AllianceFactory(), AllianceFactory()
    IntakeRequest.objects.filter(pk=intake.pk).update(alliance=first, status="accepted")
    other = IntakeFactory(status="triage")
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeRequest.objects.filter(pk=other.pk).update(alliance=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeRequest.objects.filter(pk=other.pk).update(status="accepted")
    assert second.pk


def test_a_new_partner_name_creates_a_partner_of_kind_other(api, lead, people):
    intake = IntakeFactory(status="triage", partner=None, partner_name="Corvane Therapeutics")
    response = api(lead).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert response.status_code == 201
    partner = Partner.objects.get(name="Corvane Therapeutics")
    assert partner.kind == "other"
    assert response.json()["alliance"]["partner"]["id"] == partner.pk


def test_a_partner_name_matching_one_on_record_reuses_it(api, lead, people):
    existing = PartnerFactory(name="Corvane Therapeutics")
    intake = IntakeFactory(status="triage", partner=None, partner_name="corvane therapeutics")
    response = api(lead).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert response.json()["alliance"]["partner"]["id"] == existing.pk
    assert Partner.objects.count() == 1


def test_without_any_candidate_the_lead_owns_the_service(api, lead, intake, playbooks):
    response = api(lead).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert response.status_code == 201
    for assignment in response.json()["assignments"]:
        assert assignment["assignee"]["username"] == "lead"
        assert assignment["specialist"] is None
        assert assignment["recommendation"]["chosen"] == "no_candidate"


def test_the_tie_break_spreads_accepts_between_equal_specialists(api, lead, playbooks):
    equal = [SpecialistFactory(services=["reporting"]) for _ in range(3)]
    winners = []
    for _ in range(3):
        intake = IntakeFactory(status="triage", services=["reporting"])
        data = api(lead).post(url(intake), {"management_model": "dedicated"}, format="json").json()
        winners.append(data["assignments"][0]["specialist"])
    assert winners == [s.pk for s in equal]


@pytest.mark.parametrize("role", ["requester", "executive", "specialist"])
def test_only_leads_and_head_accept(request, api, role, people):
    user = request.getfixturevalue(role)
    intake = IntakeFactory(requester=user, status="triage")
    response = api(user).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert response.status_code == 403
    assert not Alliance.objects.exists()


def test_confidential_requests_are_accepted_by_the_head_and_stay_confidential(
    api, lead, head, lead2, people
):
    intake = IntakeFactory(status="triage", confidential=True, requester=lead2)
    hidden = api(lead).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert hidden.status_code == 404
    accepted = api(head).post(url(intake), {"management_model": "dedicated"}, format="json")
    assert accepted.status_code == 201
    alliance_id = accepted.json()["alliance"]["id"]
    assert accepted.json()["alliance"]["confidential"] is True
    assert api(lead).get(f"/api/v1/alliances/{alliance_id}/").status_code == 404
    # the requester and the assigned specialist are on it
    assert api(lead2).get(f"/api/v1/alliances/{alliance_id}/").status_code == 200
    assigned = people["ana"].user
    assert api(assigned).get(f"/api/v1/alliances/{alliance_id}/").status_code == 200


def test_idempotency_key_replays_the_first_response(api, lead, intake, people, playbooks):
    client = api(lead)
    body = {"management_model": "dedicated"}
    first = client.post(url(intake), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url(intake), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Alliance.objects.count() == 1
    other = client.post(
        url(intake), {"management_model": "self_managed"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422
    no_key = client.post(url(intake), body, format="json")
    assert_error(no_key, 409, "already_accepted")


def test_idempotency_keys_are_per_user(api, lead, lead2, intake, people, playbooks):
    body = {"management_model": "dedicated"}
    api(lead).post(url(intake), body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = api(lead2).post(url(intake), body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert_error(response, 409, "already_accepted")  # not a replay of lead's response


def test_idempotency_keys_expire(api, lead, settings, intake, people, playbooks):
    from django.utils import timezone

    from config.models import IdempotencyRecord

    body = {"management_model": "dedicated"}
    api(lead).post(url(intake), body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    response = api(lead).post(url(intake), body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert_error(response, 409, "already_accepted")  # run again, not replayed
    assert "Idempotent-Replayed" not in response


def test_idempotency_on_other_actions(api, lead):
    from tests.alliances.factories import AllianceFactory

    alliance = AllianceFactory(status="active")
    client = api(lead)
    path = f"/api/v1/alliances/{alliance.pk}/transition/"
    body = {"field": "status", "to": "reset", "note": "x"}
    first = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    second = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    alliance.refresh_from_db()
    assert alliance.status == "reset"


def test_assigned_specialists_continue_with_the_same_partner(api, lead, people, playbooks):
    first = IntakeFactory(status="triage", services=["reporting"])
    extra = SpecialistFactory(services=["reporting"], user=UserFactory(username="zed"))
    AssignmentFactory(specialist=extra, service=service("reporting"))
    AssignmentFactory(specialist=people["ben"], service=service("reporting"))
    AssignmentFactory(
        specialist=extra,
        service=service("startup"),
        alliance__partner=first.partner,
    )
    data = api(lead).post(url(first), {"management_model": "dedicated"}, format="json").json()
    assert data["assignments"][0]["assignee"]["username"] == "zed"
