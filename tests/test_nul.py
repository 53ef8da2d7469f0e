import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/alliances/?search=a%00b",
        "/api/v1/partners/?search=%00",
        "/api/v1/tasks/?search=%00",
        "/api/v1/therapeutic-areas/%00x/",
        "/api/v1/alliances/?therapeutic_area=%00",
        "/api/v1/users/?group=%00",
        "/api/v1/intake-requests/?service=%00",
        "/admin/alliances/alliance/?q=%00",
    ],
)
def test_nul_in_a_query_is_400_not_500(api, lead, url):
    response = api(lead).get(url)
    assert response.status_code in (400, 404)
