"""The admin's download page takes the alliances list's filters from its filterset, so it
offers every filter the API takes and refuses a value exactly as the API does."""

import html

import pytest

from alliances.filters import AllianceFilter

pytestmark = pytest.mark.django_db

PAGE = "/admin/reports/statusreport/portfolio/"
URL = "/api/v1/reports/portfolio.xlsx"


def test_the_page_offers_every_filter_of_the_alliances_list(client, lead):
    client.force_login(lead)
    page = client.get(PAGE).content.decode()
    for name in [*AllianceFilter.base_filters, "search", "since"]:
        assert f'name="{name}"' in page, name


@pytest.mark.parametrize(
    "params",
    [
        {"lead": "0"},
        {"partner": "1.5"},
        {"mine": "maybe"},
        {"start_date_after": "0001-01-01"},
        {"since": "2026-02-31"},
    ],
)
def test_the_page_refuses_a_value_with_the_apis_message(api, client, lead, params):
    refused = api(lead).get(URL, params)
    assert refused.status_code == 400
    (name,) = params
    (message,) = refused.json()[name]
    client.force_login(lead)
    page = client.get(PAGE, {"download": "1", **params})
    assert page.status_code == 200
    assert html.escape(message) in page.content.decode() or message in page.content.decode()
