"""Every list answers in a fixed number of queries, whatever the page size or portfolio."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.alliances.factories import (
    AllianceFactory,
    MembershipFactory,
    PartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured)


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def portfolio(lead):
    for n in range(30):
        alliance = AllianceFactory(executive_sponsor=UserFactory(), confidential=n % 5 == 0)
        MembershipFactory(alliance=alliance)
        MembershipFactory(alliance=alliance, user=lead)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # token lookup, roles (for visibility), count, page
        ("/api/v1/alliances/", 4),
        # token lookup, roles (partners named only by confidential rows are hidden), count, page
        ("/api/v1/partners/", 4),
        # token lookup, count, page
        ("/api/v1/therapeutic-areas/", 3),
        # token lookup, roles, count, page, the page's groups
        ("/api/v1/users/", 5),
    ],
)
@pytest.mark.parametrize("role", ["head", "lead", "executive"])
def test_list_query_counts_are_pinned_and_independent_of_page_size(
    request, portfolio, url, expected, role
):
    client = token_client(request.getfixturevalue(role))
    PartnerFactory.create_batch(10)
    assert queries(client, url, page_size=2) == expected
    assert queries(client, url, page_size=500) == expected


def test_history_query_count(portfolio, lead, head):
    alliance = AllianceFactory()
    client = token_client(lead)
    for n in range(5):
        client.patch(f"/api/v1/alliances/{alliance.pk}/", {"name": f"N{n}"}, format="json")
    # token, roles, alliance, count, page
    assert queries(client, f"/api/v1/alliances/{alliance.pk}/history/", page_size=2) == 5
    assert queries(client, f"/api/v1/alliances/{alliance.pk}/history/", page_size=50) == 5


def test_filtered_and_searched_list_query_count(portfolio, lead):
    client = token_client(lead)
    # token, roles, area lookup for the filter, count, page
    assert queries(client, "/api/v1/alliances/", therapeutic_area="oncology", search="A") == 5
    assert (
        queries(client, "/api/v1/alliances/", stage="pre_poc", mine="true", ordering="-name") == 4
    )


def test_detail_query_count_reads_the_description_with_the_row(portfolio, lead):
    alliance = AllianceFactory(lead=lead, description="What the deal is for")
    MembershipFactory.create_batch(3, alliance=alliance)
    client = token_client(lead)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/alliances/{alliance.pk}/")
    assert response.json()["description"] == "What the deal is for"
    # token, roles, the alliance (description included), its members, then the sections
    # governance adds (agreements, obligations)
    assert len(captured) == 6, [q["sql"][:80] for q in captured.captured_queries]
    assert not any(
        '"description" FROM "alliances_alliance"' in q["sql"] for q in captured.captured_queries
    )
