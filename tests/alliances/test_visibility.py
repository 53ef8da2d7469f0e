"""Who sees which alliance: the table in DESIGN.md, through every door (list, detail, search,
filters, counts, history, admin)."""

import pytest

from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/alliances/"


@pytest.fixture
def portfolio(lead, head):
    sponsor = UserFactory(username="sponsor")
    member = UserFactory(username="member")
    open_one = AllianceFactory(name="BOREALIS", lead=lead)
    secret = AllianceFactory(
        name="NIGHTJAR", confidential=True, lead=head, executive_sponsor=sponsor
    )
    MembershipFactory(alliance=secret, user=member)
    return {"open": open_one, "secret": secret, "sponsor": sponsor, "member": member}


def codes(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ["head", "superuser"])
def test_head_and_superuser_see_everything(request, api, portfolio, role):
    user = request.getfixturevalue(role)
    assert codes(api(user).get(URL)) == {"BOREALIS", "NIGHTJAR"}


@pytest.mark.parametrize("role", ["lead2", "executive"])
def test_leads_and_executives_see_all_but_confidential_they_are_not_on(
    request, api, portfolio, role
):
    user = request.getfixturevalue(role)
    client = api(user)
    secret = portfolio["secret"]
    assert codes(client.get(URL)) == {"BOREALIS"}
    assert client.get(URL).json()["count"] == 1
    assert client.get(f"{URL}{secret.pk}/").status_code == 404
    assert client.get(f"{URL}{secret.pk}/history/").status_code == 404
    assert codes(client.get(URL, {"search": "NIGHT"})) == set()
    assert codes(client.get(URL, {"search": secret.code})) == set()
    assert codes(client.get(URL, {"confidential": "true"})) == set()
    assert codes(client.get(URL, {"partner": secret.partner_id})) == set()
    assert codes(client.get(URL, {"executive_sponsor": portfolio["sponsor"].pk})) == set()


@pytest.mark.parametrize("person", ["sponsor", "member"])
def test_people_on_a_confidential_alliance_see_it(api, portfolio, executive, person):
    client = api(portfolio[person])
    assert codes(client.get(URL)) == {"NIGHTJAR"}
    assert client.get(f"{URL}{portfolio['secret'].pk}/").status_code == 200


def test_lead_of_a_confidential_alliance_sees_it(api, lead, head):
    secret = AllianceFactory(name="KESTREL", confidential=True, lead=lead)
    assert api(lead).get(f"{URL}{secret.pk}/").status_code == 200


def test_specialists_and_requesters_see_only_alliances_they_are_on(
    api, portfolio, specialist, requester
):
    assert codes(api(specialist).get(URL)) == set()
    assert api(requester).get(f"{URL}{portfolio['open'].pk}/").status_code == 404
    MembershipFactory(alliance=portfolio["open"], user=specialist)
    assert codes(api(specialist).get(URL)) == {"BOREALIS"}


def test_filter_by_hidden_id_answers_as_for_a_missing_one(api, portfolio, lead2):
    client = api(lead2)
    hidden = client.get(URL, {"partner": portfolio["secret"].partner_id})
    missing = client.get(URL, {"partner": 987654321})
    assert hidden.status_code == missing.status_code == 200
    assert hidden.json() == missing.json()
    hidden_detail = client.get(f"{URL}{portfolio['secret'].pk}/")
    missing_detail = client.get(f"{URL}987654321/")
    assert hidden_detail.status_code == missing_detail.status_code == 404
    assert hidden_detail.json() == missing_detail.json()


def test_anonymous_gets_401(api, portfolio):
    assert api().get(URL).status_code == 401
    assert api().get(f"{URL}{portfolio['open'].pk}/").status_code == 401


def test_mine_filter(api, portfolio, lead):
    AllianceFactory(name="OTHER")
    assert codes(api(lead).get(URL, {"mine": "true"})) == {"BOREALIS"}
    assert codes(api(lead).get(URL, {"mine": "false"})) == {"OTHER"}
