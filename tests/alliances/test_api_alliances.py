import pytest

from alliances.models import ActivityLog, Alliance, AllianceMembership
from tests.alliances.factories import (
    AllianceFactory,
    MembershipFactory,
    PartnerFactory,
    TherapeuticAreaFactory,
    UserFactory,
)
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/alliances/"


@pytest.fixture
def body(lead, executive):
    partner = PartnerFactory(name="Halcyon Biologics")
    TherapeuticAreaFactory(code="immunology", name="Immunology")
    return {
        "name": "SOLSTICE",
        "partner": partner.pk,
        "therapeutic_area": "immunology",
        "alliance_type": "co_development",
        "direction": "in",
        "stage": "development",
        "status": "active",
        "management_model": "dedicated",
        "purpose_quadrant": "differentiating",
        "lead": lead.pk,
        "executive_sponsor": executive.pk,
        "start_date": "2024-03-01",
        "upfront_payment": "25000000.00",
        "potential_milestones": "180000000.00",
        "currency": "USD",
    }


def test_head_registers_an_existing_alliance(api, head, body, lead2):
    body["members"] = [{"user": lead2.pk, "role": "alliance_manager"}]
    response = api(head).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["code"].startswith("ALL-")
    assert data["partner"]["name"] == "Halcyon Biologics"
    assert data["therapeutic_area"] == "immunology"
    assert data["upfront_payment"] == "25000000.00"
    assert data["members"][0]["user"]["username"] == "lead2"
    created = Alliance.objects.get(pk=data["id"])
    assert ActivityLog.objects.filter(alliance=created, verb="created", actor=head).exists()
    assert ActivityLog.objects.filter(alliance=created, verb="member_added").exists()


def test_codes_come_from_a_sequence_and_never_repeat(api, head, body):
    first = api(head).post(URL, body, format="json").json()["code"]
    second = api(head).post(URL, {**body, "name": "EQUINOX"}, format="json").json()["code"]
    assert int(second.split("-")[1]) == int(first.split("-")[1]) + 1


@pytest.mark.parametrize("role", ["lead", "executive", "specialist", "requester"])
def test_only_the_head_creates_alliances_directly(request, api, body, role):
    response = api(request.getfixturevalue(role)).post(URL, body, format="json")
    assert response.status_code == 403
    assert not Alliance.objects.exists()


BAD_CREATE = [
    ({"alliance_type": "merger"}, "alliance_type"),
    ({"stage": "phase_3"}, "stage"),
    ({"direction": None}, "direction"),
    ({"whatever": 1}, "whatever"),
    ({"code": "ALL-0001"}, "code"),
    ({"id": 5}, "id"),
    ({"partner": "Halcyon"}, "partner"),
    ({"partner": 99999999999999999999999}, "partner"),
    ({"partner": 987654}, "partner"),
    ({"lead": 2**64}, "lead"),
    ({"therapeutic_area": "dermatology"}, "therapeutic_area"),
    ({"start_date": "2024-13-01"}, "start_date"),
    ({"start_date": "2024-03-01", "end_date": "2023-01-01"}, "end_date"),
    ({"upfront_payment": "-5.00"}, "upfront_payment"),
    ({"upfront_payment": "lots"}, "upfront_payment"),
    ({"potential_milestones": "1" * 20}, "potential_milestones"),
    ({"currency": "XXY"}, "currency"),
    ({"currency": ""}, "currency"),
    ({"confidential": "maybe"}, "confidential"),
    ({"members": [{"user": 424242}]}, "members"),
    ({"members": "everyone"}, "members"),
]


@pytest.mark.parametrize(("change", "field"), BAD_CREATE)
def test_bad_create_bodies_are_400_with_the_field_named(api, head, body, change, field):
    response = api(head).post(URL, {**body, **change}, format="json")
    assert_error(response, 400, field=field)
    assert not Alliance.objects.exists()


@pytest.mark.parametrize("missing", ["name", "partner", "lead", "stage", "management_model"])
def test_missing_required_fields_are_400(api, head, body, missing):
    del body[missing]
    response = api(head).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()[missing] == ["This field is required."]


def test_a_body_that_is_not_an_object_is_400(api, head):
    assert api(head).post(URL, ["a"], format="json").status_code == 400
    response = api(head).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_lead_edits_an_alliance_and_it_is_logged(api, lead2):
    alliance = AllianceFactory(name="BOREALIS", upfront_payment="5.00")
    response = api(lead2).patch(
        f"{URL}{alliance.pk}/", {"name": "BOREALIS II", "end_date": "2030-01-01"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "BOREALIS II"
    log = ActivityLog.objects.get(alliance=alliance, verb="updated")
    assert log.changes == {"name": ["BOREALIS", "BOREALIS II"], "end_date": [None, "2030-01-01"]}
    assert log.actor == lead2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stage": "commercial"}, "stage"),
        ({"status": "closed"}, "status"),
        ({"management_model": "dedicated"}, "management_model"),
        ({"code": "ALL-9999"}, "code"),
        ({"end_date": "2020-01-01"}, "end_date"),
        ({"lead": None}, "lead"),
        ({"updated_at": "2026-01-01T00:00:00"}, "updated_at"),
        ({"members": []}, "members"),
    ],
)
def test_bad_edits_are_400_and_change_nothing(api, lead, change, field):
    alliance = AllianceFactory(start_date="2025-01-01", stage="pre_poc")
    response = api(lead).patch(f"{URL}{alliance.pk}/", change, format="json")
    assert_error(response, 400, field=field)
    assert not ActivityLog.objects.exists()


def test_transition_fields_point_at_the_transition_action(api, lead):
    alliance = AllianceFactory()
    response = api(lead).patch(f"{URL}{alliance.pk}/", {"stage": "commercial"}, format="json")
    assert "transition" in response.json()["stage"][0]


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_readers_cannot_edit(request, api, role):
    user = request.getfixturevalue(role)
    alliance = AllianceFactory(name="BOREALIS")
    MembershipFactory(alliance=alliance, user=user)
    response = api(user).patch(f"{URL}{alliance.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 403
    alliance.refresh_from_db()
    assert alliance.name == "BOREALIS"


def test_no_put_or_delete_on_alliances(api, head):
    alliance = AllianceFactory()
    assert api(head).delete(f"{URL}{alliance.pk}/").status_code == 405
    assert api(head).put(f"{URL}{alliance.pk}/", {}, format="json").status_code == 405
    assert Alliance.objects.filter(pk=alliance.pk).exists()


def test_detail_shows_members(api, lead):
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, user=UserFactory(username="zoe"), role="legal")
    data = api(lead).get(f"{URL}{alliance.pk}/").json()
    assert data["members"][0]["user"]["username"] == "zoe"
    assert data["members"][0]["role"] == "legal"


def test_members_are_added_and_removed_by_leads(api, lead, executive):
    alliance = AllianceFactory()
    person = UserFactory(username="newbie")
    added = api(lead).post(
        f"{URL}{alliance.pk}/members/", {"user": person.pk, "role": "finance"}, format="json"
    )
    assert added.status_code == 201, added.content
    again = api(lead).post(f"{URL}{alliance.pk}/members/", {"user": person.pk}, format="json")
    assert_error(again, 409, "already_member")
    assert api(executive).delete(f"{URL}{alliance.pk}/members/{person.pk}/").status_code == 403
    assert api(lead).delete(f"{URL}{alliance.pk}/members/{person.pk}/").status_code == 204
    assert not AllianceMembership.objects.exists()
    assert api(lead).delete(f"{URL}{alliance.pk}/members/{person.pk}/").status_code == 404
    verbs = list(ActivityLog.objects.filter(alliance=alliance).values_list("verb", flat=True))
    assert sorted(verbs) == ["member_added", "member_removed"]


@pytest.mark.parametrize(
    "body", [{"user": "me"}, {"user": 2**70}, {"user": 1, "role": "boss"}, {}, {"x": 1}]
)
def test_bad_member_bodies_are_400(api, lead, body):
    alliance = AllianceFactory()
    response = api(lead).post(f"{URL}{alliance.pk}/members/", body, format="json")
    assert response.status_code == 400


def test_history_lists_transitions_and_edits_newest_first(api, lead, executive):
    alliance = AllianceFactory(status="startup")
    client = api(lead)
    client.post(f"{URL}{alliance.pk}/transition/", {"field": "status", "to": "active"})
    client.patch(f"{URL}{alliance.pk}/", {"name": "RENAMED"}, format="json")
    response = api(executive).get(f"{URL}{alliance.pk}/history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["verb"] for row in rows] == ["updated", "transitioned"]
    assert rows[1]["changes"] == {"status": ["startup", "active"]}
    assert rows[1]["actor"]["username"] == "lead"
    assert rows[1]["request_id"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "x"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "x"}, "page"),
        ({"stage": "phase_3"}, "stage"),
        ({"therapeutic_area": "dermatology"}, "therapeutic_area"),
        ({"lead": "me"}, "lead"),
        ({"partner": str(2**64)}, "partner"),
        ({"start_date_after": "2024-02-30"}, "start_date"),
        ({"confidential": "perhaps"}, "confidential"),
        ({"ordering": "password"}, "ordering"),
        ({"search": " ".join(["word"] * 21)}, "search"),
        ({"search": " ".join(["a"] * 1200)}, "search"),
    ],
)
def test_bad_list_parameters_are_400(api, lead, params, field):
    AllianceFactory()
    response = api(lead).get(URL, params)
    assert response.status_code == 400, response.content
    assert any(key.startswith(field) for key in response.json())


def test_ids_beyond_64_bits_are_404_not_500(api, lead):
    assert api(lead).get(f"{URL}{2**70}/").status_code == 404
    assert api(lead).get(f"{URL}abc/").status_code == 404


def test_filters_search_and_ordering(api, lead, lead2):
    onc = TherapeuticAreaFactory(code="oncology")
    neuro = TherapeuticAreaFactory(code="neuroscience")
    academic = PartnerFactory(name="Institut Verrier", kind="academic")
    AllianceFactory(name="ALPHA", stage="pre_poc", therapeutic_area=onc, start_date="2020-05-01")
    AllianceFactory(
        name="BRAVO",
        stage="development",
        therapeutic_area=neuro,
        partner=academic,
        lead=lead2,
        start_date="2023-01-01",
    )
    AllianceFactory(name="CHARLIE", stage="commercial", status="reset", start_date="2024-06-30")
    client = api(lead)

    def names(**params):
        return [row["name"] for row in client.get(URL, params).json()["results"]]

    assert names(stage="development") == ["BRAVO"]
    assert names(stage=["development", "commercial"], ordering="-name") == ["CHARLIE", "BRAVO"]
    assert names(therapeutic_area="neuroscience") == ["BRAVO"]
    assert names(partner_kind="academic") == ["BRAVO"]
    assert names(search="verrier") == ["BRAVO"]
    assert names(lead=lead2.pk) == ["BRAVO"]
    assert names(status="reset") == ["CHARLIE"]
    assert names(start_date_after="2023-01-01", start_date_before="2024-06-30") == [
        "BRAVO",
        "CHARLIE",
    ]
    assert names(ordering="start_date") == ["ALPHA", "BRAVO", "CHARLIE"]
    page = client.get(URL, {"page_size": 2, "page": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 1
    assert page["previous"]
