import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.alliances.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_describes_the_caller(api, lead):
    response = api(lead).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": lead.pk,
        "username": "lead",
        "full_name": lead.get_full_name(),
        "groups": ["alliance_lead"],
        "specialist_id": None,
        "unread_notifications": 0,
    }


def test_me_needs_sign_in(api):
    assert api().get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("role", ["lead", "head"])
def test_leads_and_head_list_every_active_user(request, api, role, executive):
    UserFactory(username="gone", is_active=False)
    user = request.getfixturevalue(role)
    names = [u["username"] for u in api(user).get("/api/v1/users/").json()["results"]]
    assert names == sorted({user.username, "executive"})


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_everyone_else_sees_only_themselves(request, api, role, lead):
    user = request.getfixturevalue(role)
    response = api(user).get("/api/v1/users/")
    assert [u["username"] for u in response.json()["results"]] == [user.username]
    assert api(user).get(f"/api/v1/users/{lead.pk}/").status_code == 404


def test_users_filter_by_group(api, lead, executive, specialist):
    response = api(lead).get("/api/v1/users/", {"group": "executive"})
    assert [u["username"] for u in response.json()["results"]] == ["executive"]
    assert api(lead).get("/api/v1/users/", {"group": "pirates"}).status_code == 400


def test_token_sign_in_and_use(lead):
    lead.set_password("correct horse")
    lead.save()
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "lead", "password": "correct horse"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["username"] == "lead"
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    "body",
    [{"username": "lead", "password": "wrong"}, {"username": "lead"}, {}, {"username": ["x"]}],
)
def test_bad_sign_in_is_400(lead, body):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400


def test_token_endpoint_is_throttled(lead, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "3/minute"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        from rest_framework.throttling import ScopedRateThrottle

        ScopedRateThrottle.THROTTLE_RATES = rates
        try:
            client = APIClient()
            codes = [
                client.post(
                    "/api/v1/auth/token/", {"username": "lead", "password": "guess"}, format="json"
                ).status_code
                for _ in range(4)
            ]
        finally:
            from rest_framework.settings import api_settings

            ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [400, 400, 400, 429]
