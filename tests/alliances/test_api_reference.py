import pytest

from alliances.models import ActivityLog, Partner, TherapeuticArea
from tests.alliances.factories import AllianceFactory, PartnerFactory, TherapeuticAreaFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

AREAS = "/api/v1/therapeutic-areas/"
PARTNERS = "/api/v1/partners/"


@pytest.mark.parametrize("role", ["lead", "executive", "specialist", "requester"])
def test_everyone_signed_in_reads_reference_data(request, api, role):
    TherapeuticAreaFactory(code="oncology", name="Oncology")
    PartnerFactory(name="Halcyon Biologics")
    client = api(request.getfixturevalue(role))
    assert client.get(AREAS).json()["results"] == [{"code": "oncology", "name": "Oncology"}]
    assert client.get(f"{AREAS}oncology/").status_code == 200
    assert client.get(PARTNERS).json()["results"][0]["name"] == "Halcyon Biologics"


def test_anonymous_gets_401_on_reference_data(api):
    assert api().get(AREAS).status_code == 401
    assert api().get(PARTNERS).status_code == 401


def test_head_manages_therapeutic_areas(api, head):
    client = api(head)
    created = client.post(AREAS, {"code": "dermatology", "name": "Dermatology"}, format="json")
    assert created.status_code == 201
    renamed = client.patch(f"{AREAS}dermatology/", {"name": "Dermatology & skin"}, format="json")
    assert renamed.json()["name"] == "Dermatology & skin"
    assert client.delete(f"{AREAS}dermatology/").status_code == 204
    assert list(ActivityLog.objects.values_list("verb", flat=True).order_by("pk")) == [
        "created",
        "updated",
        "deleted",
    ]


@pytest.mark.parametrize("role", ["lead", "executive", "specialist", "requester"])
def test_only_the_head_changes_therapeutic_areas(request, api, role):
    TherapeuticAreaFactory(code="oncology")
    client = api(request.getfixturevalue(role))
    assert client.post(AREAS, {"code": "x", "name": "X"}, format="json").status_code == 403
    assert client.patch(f"{AREAS}oncology/", {"name": "Y"}, format="json").status_code == 403
    assert client.delete(f"{AREAS}oncology/").status_code == 403
    assert TherapeuticArea.objects.count() == 1


def test_deleting_referenced_reference_data_is_409(api, head):
    alliance = AllianceFactory()
    area = api(head).delete(f"{AREAS}{alliance.therapeutic_area.code}/")
    assert_error(area, 409, "in_use")
    partner = api(head).delete(f"{PARTNERS}{alliance.partner_id}/")
    assert_error(partner, 409, "in_use")
    assert Partner.objects.filter(pk=alliance.partner_id).exists()
    assert not ActivityLog.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "Has Spaces", "name": "X"}, "code"),
        ({"code": "oncology", "name": "Again"}, "code"),
        ({"code": "x"}, "name"),
        ({"code": "x", "name": "X", "colour": "red"}, "colour"),
    ],
)
def test_bad_area_bodies_are_400(api, head, body, field):
    TherapeuticAreaFactory(code="oncology")
    response = api(head).post(AREAS, body, format="json")
    assert_error(response, 400, field=field)


def test_leads_add_and_edit_partners_but_only_the_head_deletes(api, lead, head):
    created = api(lead).post(
        PARTNERS, {"name": "Northgate CDMO", "kind": "cdmo_cro", "country": "IE"}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api(lead).patch(f"{PARTNERS}{pk}/", {"country": "GB"}, format="json").status_code == 200
    assert api(lead).delete(f"{PARTNERS}{pk}/").status_code == 403
    assert api(head).delete(f"{PARTNERS}{pk}/").status_code == 204


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_readers_cannot_add_partners(request, api, role):
    client = api(request.getfixturevalue(role))
    response = client.post(PARTNERS, {"name": "Acme", "kind": "pharma"}, format="json")
    assert response.status_code == 403
    assert not Partner.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "halcyon biologics", "kind": "pharma"}, "name"),
        ({"name": "New", "kind": "hedge_fund"}, "kind"),
        ({"name": "New", "kind": "pharma", "country": "XX"}, "country"),
        ({"name": "New", "kind": "pharma", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"kind": "pharma"}, "name"),
    ],
)
def test_bad_partner_bodies_are_400(api, lead, body, field):
    PartnerFactory(name="Halcyon Biologics")
    response = api(lead).post(PARTNERS, body, format="json")
    assert_error(response, 400, field=field)


def test_partner_filters(api, lead):
    PartnerFactory(name="Halcyon", kind="pharma", country="US")
    PartnerFactory(name="Verrier", kind="academic", country="FR")
    client = api(lead)
    assert [p["name"] for p in client.get(PARTNERS, {"kind": "academic"}).json()["results"]] == [
        "Verrier"
    ]
    assert [p["name"] for p in client.get(PARTNERS, {"search": "halc"}).json()["results"]] == [
        "Halcyon"
    ]
    assert client.get(PARTNERS, {"kind": "bank"}).status_code == 400
