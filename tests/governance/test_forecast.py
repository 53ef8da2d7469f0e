"""obligations/forecast/: money per calendar quarter and currency, in and out (and joint), met
and due; overdue and undated on their own; only what the caller may see; a fixed number of
queries. The test clock is 2026-11-18: the current quarter is 2026-Q4."""

import datetime

import pytest

from alliances.calendar import today
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.alliances.test_query_counts import queries, token_client
from tests.governance.factories import AgreementFactory, ObligationFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/obligations/forecast/"
D = datetime.date


def money(**fields):
    return ObligationFactory(**fields)


@pytest.fixture
def portfolio():
    """Figures in three currencies, on an open alliance and on a confidential one."""
    assert today() == D(2026, 11, 18)
    open_agreement = AgreementFactory()
    secret = AgreementFactory(alliance=AllianceFactory(confidential=True))
    on = {"agreement": open_agreement}
    # 2026-Q4: met in, due in (two), due out, met out in EUR
    money(**on, amount="100.00", status="met", met_on=D(2026, 10, 5), due_date=D(2026, 10, 1))
    money(**on, amount="250.50", due_date=D(2026, 12, 1))
    money(**on, amount="49.50", due_date=D(2026, 12, 31), status="disputed", status_reason="x")
    money(**on, amount="70.00", direction="outgoing", due_date=D(2026, 11, 30))
    money(**on, amount="30.00", currency="EUR", direction="outgoing", status="met", met_on=today())
    # 2027-Q1 in GBP, 2027-Q3 joint in USD, beyond four quarters (2027-Q4): left out
    money(**on, amount="1000.00", currency="GBP", due_date=D(2027, 3, 31))
    money(**on, amount="5.00", direction="joint", due_date=D(2027, 7, 1))
    money(**on, amount="999.00", due_date=D(2027, 10, 1))
    # overdue (in USD, out EUR), undated (waiting on a trigger), and what never counts
    money(**on, amount="10.00", due_date=D(2026, 11, 17))
    money(**on, amount="20.00", currency="EUR", direction="outgoing", due_date=D(2026, 1, 1))
    money(**on, amount="7.00", status="upcoming", due_date=None, trigger_event="Approval")
    money(**on, amount="1.00", status="waived", status_reason="x", due_date=D(2026, 12, 1))
    money(**on, amount="2.00", status="met", met_on=D(2026, 9, 30), due_date=D(2026, 9, 1))
    money(**on, kind="report", amount=None, currency="", due_date=D(2026, 12, 1))
    # on the confidential alliance: CHF, due this quarter, and overdue USD
    money(agreement=secret, amount="400.00", currency="CHF", due_date=D(2026, 12, 15))
    money(agreement=secret, amount="3.00", due_date=D(2026, 11, 1))
    return open_agreement, secret


def row(quarter: dict, currency: str) -> dict:
    return next(c for c in quarter["currencies"] if c["currency"] == currency)


def test_the_figures_per_quarter_and_currency(api, lead, portfolio):
    response = api(lead).get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == "2026-11-18"
    assert [q["quarter"] for q in body["quarters"]] == ["2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3"]
    q4 = body["quarters"][0]
    assert (q4["starts_on"], q4["ends_on"]) == ("2026-10-01", "2026-12-31")
    assert [c["currency"] for c in q4["currencies"]] == ["EUR", "GBP", "USD"]
    assert row(q4, "USD") == {
        "currency": "USD",
        "in": {"met": "100.00", "due": "300.00"},
        "out": {"met": "0.00", "due": "70.00"},
        "joint": {"met": "0.00", "due": "0.00"},
    }
    assert row(q4, "EUR")["out"] == {"met": "30.00", "due": "0.00"}
    assert row(body["quarters"][1], "GBP")["in"]["due"] == "1000.00"
    assert row(body["quarters"][3], "USD")["joint"]["due"] == "5.00"
    assert row(body["quarters"][3], "USD")["in"]["due"] == "0.00"
    assert body["overdue"] == [
        {"currency": "EUR", "in": "0.00", "out": "20.00", "joint": "0.00"},
        {"currency": "USD", "in": "10.00", "out": "0.00", "joint": "0.00"},
    ]
    assert body["undated"] == [{"currency": "USD", "in": "7.00", "out": "0.00", "joint": "0.00"}]


def test_confidential_alliances_count_only_for_those_who_see_them(api, lead, head, portfolio):
    _, secret = portfolio
    as_lead = api(lead).get(URL).json()
    assert "CHF" not in {c["currency"] for c in as_lead["quarters"][0]["currencies"]}
    as_head = api(head).get(URL).json()
    assert row(as_head["quarters"][0], "CHF")["in"]["due"] == "400.00"
    assert {"currency": "USD", "in": "13.00", "out": "0.00", "joint": "0.00"} in as_head["overdue"]
    member = MembershipFactory(alliance=secret.alliance).user
    as_member = api(member).get(URL, {"currency": "chf"}).json()
    assert row(as_member["quarters"][0], "CHF")["in"]["due"] == "400.00"


def test_the_forecast_takes_the_lists_filters(api, lead, portfolio):
    open_agreement, _ = portfolio
    out = api(lead).get(URL, {"direction": "outgoing", "quarters": 1}).json()
    assert len(out["quarters"]) == 1
    assert row(out["quarters"][0], "USD")["in"] == {"met": "0.00", "due": "0.00"}
    assert row(out["quarters"][0], "USD")["out"]["due"] == "70.00"
    other = AgreementFactory()
    assert api(lead).get(URL, {"agreement": other.pk}).json()["quarters"][0]["currencies"] == []
    gbp = api(lead).get(URL, {"currency": "GBP", "alliance": open_agreement.alliance_id}).json()
    assert [c["currency"] for c in gbp["quarters"][1]["currencies"]] == ["GBP"]
    assert api(lead).get(URL, {"kind": "royalty"}).json()["overdue"] == []


def test_twelve_quarters_reach_three_years(api, lead, portfolio):
    body = api(lead).get(URL, {"quarters": 12}).json()
    assert body["quarters"][-1]["quarter"] == "2029-Q3"
    assert row(body["quarters"][4], "USD")["in"]["due"] == "999.00"


@pytest.mark.parametrize(
    "params",
    [
        {"quarters": 0},
        {"quarters": 13},
        {"quarters": "four"},
        {"quarters": "-1"},
        {"currency": "ZZZ"},
        {"kind": "bribe"},
        {"direction": "up"},
        {"alliance": "x"},
    ],
)
def test_bad_parameters_are_a_400(api, lead, params):
    response = api(lead).get(URL, params)
    assert_error(response, 400, field=next(iter(params)))


def test_anonymous_is_a_401_and_everyone_signed_in_reads_their_own(api, requester, portfolio):
    assert api(None).get(URL).status_code == 401
    body = api(requester).get(URL).json()
    assert body["overdue"] == [] and body["undated"] == []
    assert all(q["currencies"] == [] for q in body["quarters"])


@pytest.mark.parametrize("role", ["head", "lead", "executive", "specialist"])
def test_the_forecast_is_pinned(request, role):
    for n in range(4):
        alliance = AllianceFactory(confidential=n == 0)
        MembershipFactory(alliance=alliance, user=request.getfixturevalue("lead"))
        for currency in ("USD", "EUR", "JPY"):
            money(agreement__alliance=alliance, currency=currency)
            money(agreement__alliance=alliance, currency=currency, due_date=D(2026, 1, 5))
    client = token_client(request.getfixturevalue(role))
    # token, roles, then met, due, overdue and undated: one grouped query each
    assert queries(client, URL) == queries(client, URL, quarters=12) <= 6
