import pytest

from alliances.models import ActivityLog
from resourcing.models import Specialist
from tests.alliances.factories import TherapeuticAreaFactory, UserFactory
from tests.helpers import assert_error
from tests.resourcing.factories import LeaveFactory, SpecialistFactory, TaskFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/specialists/"


@pytest.fixture
def nadia():
    return SpecialistFactory(
        user=UserFactory(username="nadia"),
        services=["startup", "reporting"],
        areas=["oncology"],
    )


def test_leads_and_head_see_every_specialist_with_their_load(api, lead, nadia):
    TaskFactory(assignee=nadia.user)
    TaskFactory(assignee=nadia.user, status="done")
    LeaveFactory(specialist=nadia)
    data = api(lead).get(URL).json()["results"]
    assert data[0]["user"]["username"] == "nadia"
    assert sorted(data[0]["services"]) == ["reporting", "startup"]
    assert data[0]["therapeutic_areas"] == ["oncology"]
    assert data[0]["open_tasks"] == 1
    assert data[0]["leave_periods"] == [{"start": "2027-01-04", "end": "2027-01-08", "note": ""}]


def test_a_specialist_sees_only_their_own_profile(api, nadia, specialist):
    mine = SpecialistFactory(user=specialist)
    response = api(specialist).get(URL)
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert api(specialist).get(f"{URL}{nadia.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["executive", "requester"])
def test_others_see_none(request, api, role, nadia):
    assert api(request.getfixturevalue(role)).get(URL).json()["count"] == 0


def test_lead_creates_and_edits_a_specialist(api, lead):
    person = UserFactory(username="omar")
    TherapeuticAreaFactory(code="vaccines")
    created = api(lead).post(
        URL,
        {
            "user": person.pk,
            "services": ["governance_logistics"],
            "therapeutic_areas": ["vaccines"],
            "weekly_capacity_hours": "24.0",
            "wip_limit": 15,
            "leave_periods": [{"start": "2027-01-04", "end": "2027-01-15", "note": "Holiday"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["leave_periods"][0]["note"] == "Holiday"
    changed = api(lead).patch(
        f"{URL}{pk}/",
        {"services": ["governance_logistics", "reporting"], "active": False},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["active"] is False
    assert sorted(changed.json()["services"]) == ["governance_logistics", "reporting"]
    log = ActivityLog.objects.filter(verb="updated", object_id=pk).get()
    assert log.changes["services"] == [
        ["governance_logistics"],
        ["governance_logistics", "reporting"],
    ]
    assert log.changes["active"] == [True, False]


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_only_leads_and_head_manage_specialists(request, api, role, nadia):
    user = request.getfixturevalue(role)
    created = api(user).post(URL, {"user": user.pk, "services": ["startup"]}, format="json")
    assert created.status_code == 403
    if role == "specialist":
        SpecialistFactory(user=user)
        own = Specialist.objects.get(user=user)
        response = api(user).patch(f"{URL}{own.pk}/", {"wip_limit": 99}, format="json")
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"services": ["catering"]}, "services"),
        ({"wip_limit": 0}, "wip_limit"),
        ({"wip_limit": "many"}, "wip_limit"),
        ({"weekly_capacity_hours": "100"}, "weekly_capacity_hours"),
        ({"weekly_capacity_hours": "-1"}, "weekly_capacity_hours"),
        ({"therapeutic_areas": ["astrology"]}, "therapeutic_areas"),
        ({"leave_periods": [{"start": "2027-01-10", "end": "2027-01-01"}]}, "leave_periods"),
        ({"leave_periods": [{"start": "2027-01-10"}]}, "leave_periods"),
        ({"open_tasks": 3}, "open_tasks"),
        ({"user": 2**64}, "user"),
        ({"id": 5}, "id"),
    ],
)
def test_bad_specialist_bodies_are_400(api, lead, body, field):
    person = UserFactory()
    response = api(lead).post(
        URL, {"user": person.pk, "services": ["startup"], **body}, format="json"
    )
    assert_error(response, 400, field=field)
    assert not Specialist.objects.exists()


def test_one_profile_per_person(api, lead, nadia):
    response = api(lead).post(URL, {"user": nadia.user.pk, "services": ["startup"]}, format="json")
    assert_error(response, 409, "already_specialist")


def test_user_cannot_be_changed_on_a_profile(api, lead, nadia):
    response = api(lead).patch(f"{URL}{nadia.pk}/", {"user": UserFactory().pk}, format="json")
    assert_error(response, 400, field="user")


def test_specialist_filters(api, lead, nadia):
    SpecialistFactory(services=["termination"], active=False)
    assert api(lead).get(URL, {"service": "termination"}).json()["count"] == 1
    assert api(lead).get(URL, {"active": "true"}).json()["count"] == 1
    assert api(lead).get(URL, {"therapeutic_area": "oncology"}).json()["count"] == 1
    assert api(lead).get(URL, {"service": "x"}).status_code == 400


def test_services_and_their_playbooks_are_readable_by_everyone(api, requester):
    from tests.resourcing.factories import TaskTemplateFactory

    TaskTemplateFactory(title="Kick-off", offset_days=30)
    response = api(requester).get("/api/v1/services/")
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert set(codes) == {
        "startup",
        "termination",
        "subsidiary_agreements",
        "reporting",
        "governance_logistics",
        "contract_finance",
    }
    startup = api(requester).get("/api/v1/services/startup/").json()
    assert startup["playbook"][0]["title"] == "Kick-off"
    assert api(requester).post("/api/v1/services/", {"code": "x"}, format="json").status_code == 405
    assert api().get("/api/v1/services/").status_code == 401


def test_me_names_the_specialist_profile(api, specialist):
    assert api(specialist).get("/api/v1/me/").json()["specialist_id"] is None
    profile = SpecialistFactory(user=specialist)
    assert api(specialist).get("/api/v1/me/").json()["specialist_id"] == profile.pk


def test_overlapping_leave_is_400(api, lead, nadia):
    response = api(lead).patch(
        f"{URL}{nadia.pk}/",
        {
            "leave_periods": [
                {"start": "2027-01-12", "end": "2027-06-30"},
                {"start": "2027-01-12", "end": "2027-06-30"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert "overlaps" in str(response.json()["leave_periods"])
