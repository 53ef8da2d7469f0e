"""Defects found by fuzzing the API; each stays fixed."""

import pytest

from alliances.models import Alliance, Partner
from tests.alliances.factories import AllianceFactory, MembershipFactory, PartnerFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def test_a_partner_without_a_country_is_listed(api, lead, requester):
    created = api(lead).post(
        "/api/v1/partners/", {"name": "NoCountry Ltd", "kind": "pharma"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["country"] == ""
    assert api(requester).get("/api/v1/partners/").status_code == 200
    assert api(requester).get(f"/api/v1/partners/{created.json()['id']}/").status_code == 200


@pytest.mark.parametrize("ordering", [",", " ", "\x85", ", ,"])
def test_an_empty_ordering_means_the_default_order(api, lead, ordering):
    AllianceFactory()
    for url in ("/api/v1/alliances/", "/api/v1/partners/", "/api/v1/users/"):
        assert api(lead).get(url, {"ordering": ordering}).status_code == 200


def test_only_the_head_changes_confidentiality_and_a_lead_cannot_patch_it(api, lead2, head):
    alliance = AllianceFactory(name="BOREALIS")
    response = api(lead2).patch(
        f"/api/v1/alliances/{alliance.pk}/", {"confidential": True}, format="json"
    )
    assert response.status_code == 400
    assert "confidentiality" in response.json()["confidential"][0]
    url = f"/api/v1/alliances/{alliance.pk}/confidentiality/"
    assert api(lead2).post(url, {"confidential": True, "note": "x"}).status_code == 403
    response = api(head).post(url, {"confidential": True, "note": "Partner asked"})
    assert response.status_code == 200
    assert response.json()["confidential"] is True
    assert api(lead2).get(f"/api/v1/alliances/{alliance.pk}/").status_code == 404


def test_handing_a_confidential_alliance_over(api, lead, lead2):
    alliance = AllianceFactory(confidential=True, lead=lead)
    response = api(lead).patch(
        f"/api/v1/alliances/{alliance.pk}/", {"lead": lead2.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["lead"]["username"] == "lead2"


@pytest.mark.parametrize("path", ["/api/v1/alliances/abc/", "/api/v1/nothing-here/"])
def test_unknown_api_urls_answer_json(api, lead, path):
    response = api(lead).get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_permission_is_checked_before_the_body(api, executive):
    partner = PartnerFactory(name="Halcyon")
    bad = api(executive).patch(f"/api/v1/partners/{partner.pk}/", {"kind": "zzz"}, format="json")
    assert bad.status_code == 403
    dup = api(executive).post("/api/v1/partners/", {"name": "halcyon", "kind": "x"}, format="json")
    assert dup.status_code == 403
    area = api(executive).post("/api/v1/therapeutic-areas/", {"code": "!"}, format="json")
    assert area.status_code == 403


def test_deleting_a_partner_says_who_may(api, lead):
    partner = PartnerFactory()
    response = api(lead).delete(f"/api/v1/partners/{partner.pk}/")
    assert response.status_code == 403
    assert "deletes" in response.json()["detail"]
    assert Partner.objects.filter(pk=partner.pk).exists()


@pytest.mark.parametrize(("params", "key"), [({"page": "0"}, "page"), ({"page": "-1"}, "page")])
def test_pages_below_one_are_400(api, lead, params, key):
    response = api(lead).get("/api/v1/alliances/", params)
    assert_error(response, 400, field=key)


def test_date_filter_errors_name_the_parameter_sent(api, lead):
    response = api(lead).get("/api/v1/alliances/", {"start_date_after": "2020-13-01"})
    assert_error(response, 400, field="start_date_after")


def test_unknown_country_filter_is_400_and_an_empty_code_filter_is_ignored(api, lead):
    assert api(lead).get("/api/v1/partners/", {"country": "ZZ"}).status_code == 400
    assert api(lead).get("/api/v1/users/", {"group": ""}).status_code == 200


def test_history_includes_transitions_recorded_before_this_system(api, head, lead2):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    alliance = Alliance.objects.filter(transitions__isnull=False).first()
    MembershipFactory(alliance=alliance, user=lead2)
    verbs, url = set(), f"/api/v1/alliances/{alliance.pk}/history/"
    while url:  # newest first: the demo's governance records come before the old transitions
        page = api(head).get(url).json()
        verbs |= {row["verb"] for row in page["results"]}
        url = page["next"]
    assert "transitioned" in verbs


def test_a_server_error_on_the_api_answers_json_with_the_request_id(lead, monkeypatch):
    from rest_framework.test import APIClient

    from alliances import selectors

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "alliance_list", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(lead)
    response = client.get("/api/v1/alliances/")
    assert response.status_code == 500
    assert response.json()["request_id"] == response["X-Request-ID"]
