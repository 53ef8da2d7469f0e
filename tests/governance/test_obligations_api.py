"""obligations/: the register of what is owed under each agreement, its moves (met, waive,
dispute, trigger), recurrence, who may do what, and a list in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest

from alliances.calendar import today
from alliances.choices import Status as AllianceStatus
from alliances.models import ActivityLog
from governance.models import Obligation
from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.alliances.test_query_counts import queries, token_client
from tests.governance.factories import AgreementFactory, ObligationFactory
from tests.helpers import assert_error
from tests.resourcing.factories import AssignmentFactory, service

pytestmark = pytest.mark.django_db
URL = "/api/v1/obligations/"


def days(n: int) -> str:
    return (today() + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def agreement():
    return AgreementFactory(payment_terms_days=45)


def create(api, user, on, **fields):
    body = {
        "agreement": on.pk,
        "kind": "milestone",
        "direction": "incoming",
        "title": "Phase 2 start",
        "due_date": days(60),
        "amount": "2500000.00",
        "currency": "EUR",
        **fields,
    }
    return api(user).post(URL, body, format="json")


def post(api, user, obligation, move, body=None):
    return api(user).post(f"{URL}{obligation.pk}/{move}/", body or {}, format="json")


# Create ------------------------------------------------------------------------------------


def test_a_dated_obligation_is_due_and_an_undated_one_upcoming(api, lead, agreement):
    response = create(api, lead, agreement, currency="eur")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "due" and body["overdue"] is False
    assert body["amount"] == "2500000.00" and body["currency"] == "EUR"
    assert body["alliance"]["id"] == agreement.alliance_id
    assert body["agreement"]["payment_terms_days"] == 45
    waiting = create(api, lead, agreement, due_date=None, trigger_event="First patient dosed")
    assert waiting.status_code == 201, waiting.content
    assert waiting.json()["status"] == "upcoming"
    assert ActivityLog.objects.filter(verb="obligation_created").count() == 2


def test_a_non_financial_obligation_needs_no_money(api, lead, agreement):
    response = create(
        api, lead, agreement, kind="report", title="Annual report", amount=None, currency=""
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": None}, "amount"),
        ({"currency": ""}, "currency"),
        ({"currency": "XXY"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"amount": "-1.00"}, "amount"),
        ({"amount": 100}, "amount"),  # money is a decimal string
        ({"amount": "1.234"}, "amount"),
        ({"due_date": None}, "due_date"),  # neither a date nor a trigger event
        ({"we_invoice": True, "direction": "outgoing"}, "we_invoice"),
        ({"kind": "bribe"}, "kind"),
        ({"direction": "sideways"}, "direction"),
        ({"recurrence": "weekly"}, "recurrence"),
        ({"due_date": "1850-01-01"}, "due_date"),
        ({"title": ""}, "title"),
        ({"status": "met"}, "status"),
        ({"met_on": days(0)}, "met_on"),
        ({"agreement": 10**12}, "agreement"),
        ({"owner": 10**12}, "owner"),
        ({"nonsense": 1}, "nonsense"),
    ],
)
def test_bad_input_is_a_400_on_the_field(api, lead, agreement, fields, field):
    assert_error(create(api, lead, agreement, **fields), 400, field=field)
    assert not Obligation.objects.exists()


def test_a_hidden_agreement_is_a_400_as_if_it_did_not_exist(api, lead):
    secret = AgreementFactory(alliance=AllianceFactory(confidential=True))
    assert_error(create(api, lead, secret), 400, field="agreement")


def test_the_owner_must_be_active_and_see_the_alliance(api, head):
    alliance = AllianceFactory(confidential=True)
    agreement = AgreementFactory(alliance=alliance)
    outsider, gone = UserFactory(), UserFactory(is_active=False)
    assert_error(create(api, head, agreement, owner=outsider.pk), 400, field="owner")
    assert_error(create(api, head, agreement, owner=gone.pk), 400, field="owner")
    MembershipFactory(alliance=alliance, user=outsider)
    response = create(api, head, agreement, owner=outsider.pk)
    assert response.status_code == 201, response.content
    assert response.json()["owner"]["id"] == outsider.pk


def test_a_closed_alliance_takes_no_obligations(api, lead):
    agreement = AgreementFactory(alliance=AllianceFactory(status=AllianceStatus.CLOSED))
    assert_error(create(api, lead, agreement), 409, code="alliance_closed")


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_only_leads_and_the_head_create(api, request, agreement, role):
    user = request.getfixturevalue(role)
    MembershipFactory(alliance=agreement.alliance, user=user)
    assert_error(create(api, user, agreement), 403)


def test_anonymous_is_a_401(api, agreement):
    assert api(None).get(URL).status_code == 401
    assert create(api, None, agreement).status_code == 401


# Read ------------------------------------------------------------------------------------


def test_the_register_shows_overdue_first_then_by_due_date(api, lead):
    later = ObligationFactory(due_date=today() + datetime.timedelta(days=90))
    sooner = ObligationFactory(due_date=today() + datetime.timedelta(days=5))
    overdue = ObligationFactory(due_date=today() - datetime.timedelta(days=3))
    undated = ObligationFactory(due_date=None, status="upcoming", trigger_event="Approval")
    met = ObligationFactory(
        due_date=today() - datetime.timedelta(days=30), status="met", met_on=today()
    )
    rows = api(lead).get(URL).json()["results"]
    assert [r["id"] for r in rows] == [overdue.pk, met.pk, sooner.pk, later.pk, undated.pk]
    assert [r["overdue"] for r in rows] == [True, False, False, False, False]


def test_filters(api, lead, head):
    mine = ObligationFactory(owner=lead, currency="GBP", direction="outgoing")
    overdue = ObligationFactory(due_date=today() - datetime.timedelta(days=1))
    other = ObligationFactory(kind="report", amount=None, currency="")

    def ids(**params):
        response = api(lead).get(URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(owner="me") == {mine.pk}
    assert ids(owner=lead.pk) == {mine.pk}
    assert ids(currency="gbp") == {mine.pk}
    assert ids(direction="outgoing") == {mine.pk}
    assert ids(overdue="true") == {overdue.pk}
    assert ids(overdue="false") == {mine.pk, other.pk}
    assert ids(kind="report") == {other.pk}
    assert ids(agreement=other.agreement_id) == {other.pk}
    assert ids(alliance=overdue.alliance_id) == {overdue.pk}
    assert ids(due_date_before=days(0)) == {overdue.pk}
    assert ids(due_date_after=days(1), status="due") == {mine.pk, other.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"currency": "ZZZ"},
        {"overdue": "maybe"},
        {"owner": "you"},
        {"status": "late"},
        {"kind": "bribe"},
        {"due_date_after": "2026-02-30"},
        {"alliance": "x"},
        {"ordering": "secret"},
    ],
)
def test_bad_filters_are_a_400(api, lead, params):
    assert api(lead).get(URL, params).status_code == 400


def test_confidential_obligations_are_seen_only_by_those_on_the_alliance(api, lead, head):
    secret = ObligationFactory(agreement__alliance=AllianceFactory(confidential=True))
    assert api(lead).get(f"{URL}{secret.pk}/").status_code == 404
    assert api(lead).get(URL).json()["count"] == 0
    assert api(head).get(f"{URL}{secret.pk}/").status_code == 200
    assert_error(post(api, lead, secret, "met", {"met_on": days(0)}), 404)


@pytest.fixture
def register(lead, specialist):
    for n in range(6):
        alliance = AllianceFactory(confidential=n % 3 == 0)
        MembershipFactory(alliance=alliance, user=lead)
        if n == 0:  # the specialist is on one confidential alliance
            MembershipFactory(alliance=alliance, user=specialist)
        agreement = AgreementFactory(alliance=alliance)
        for m in range(3):
            ObligationFactory(
                agreement=agreement,
                owner=UserFactory(),
                due_date=today() + datetime.timedelta(days=m * 20 - 10),
            )
        ObligationFactory(agreement=agreement, status="met", met_on=today())


@pytest.mark.parametrize("role", ["head", "lead", "executive", "specialist"])
def test_the_register_is_pinned(request, register, role):
    client = token_client(request.getfixturevalue(role))
    # token, roles, count, the page's ids, its rows (alliances, agreements, people joined)
    small = queries(client, URL, page_size=1)
    large = queries(client, URL, page_size=500, overdue="true")
    assert small == large == 5


# PATCH -------------------------------------------------------------------------------------


def test_patch_dates_an_upcoming_obligation_and_refuses_a_closed_one(api, lead):
    waiting = ObligationFactory(status="upcoming", due_date=None, trigger_event="Approval")
    response = api(lead).patch(f"{URL}{waiting.pk}/", {"due_date": days(30)}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "due"
    assert_error(api(lead).patch(f"{URL}{waiting.pk}/", {"amount": None}), 400, field="amount")
    met = ObligationFactory(status="met", met_on=today())
    refused = api(lead).patch(f"{URL}{met.pk}/", {"title": "Renamed"}, format="json")
    assert_error(refused, 409, code="obligation_closed")
    noted = api(lead).patch(f"{URL}{met.pk}/", {"note": "Paid by wire"}, format="json")
    assert noted.status_code == 200 and noted.json()["note"] == "Paid by wire"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"agreement": 1}, "agreement"),
        ({"status": "met"}, "status"),
        ({"currency": "ABC"}, "currency"),
        ({"due_date": None}, "due_date"),  # no trigger event to wait on
    ],
)
def test_patch_bad_input(api, lead, body, field):
    obligation = ObligationFactory()
    assert_error(api(lead).patch(f"{URL}{obligation.pk}/", body, format="json"), 400, field=field)


def test_patch_is_for_leads_and_the_head(api, executive):
    obligation = ObligationFactory()
    response = api(executive).patch(f"{URL}{obligation.pk}/", {"title": "x"}, format="json")
    assert_error(response, 403)


# Moves -------------------------------------------------------------------------------------


def test_met_records_the_day_and_refuses_the_future(api, lead):
    obligation = ObligationFactory()
    assert_error(post(api, lead, obligation, "met", {"met_on": days(1)}), 400, field="met_on")
    assert_error(post(api, lead, obligation, "met", {}), 400, field="met_on")
    assert_error(post(api, lead, obligation, "met", {"met_on": "soon"}), 400, field="met_on")
    response = post(api, lead, obligation, "met", {"met_on": days(-2), "note": "Wire received"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "met" and response.json()["met_on"] == days(-2)
    assert ActivityLog.objects.filter(verb="obligation_met", note="Wire received").exists()
    again = post(api, lead, obligation, "met", {"met_on": days(0)})
    assert_error(again, 409, code="illegal_transition")


def test_waive_and_dispute_need_a_reason(api, lead):
    obligation = ObligationFactory()
    assert_error(post(api, lead, obligation, "waive", {}), 400, field="reason")
    assert_error(post(api, lead, obligation, "dispute", {"reason": ""}), 400, field="reason")


def test_a_disputed_obligation_can_be_met_or_waived(api, lead):
    first, second = ObligationFactory(), ObligationFactory()
    for obligation in (first, second):
        response = post(api, lead, obligation, "dispute", {"reason": "Milestone not reached"})
        assert response.status_code == 200, response.content
        assert response.json()["status_reason"] == "Milestone not reached"
    assert post(api, lead, first, "met", {"met_on": days(0)}).json()["status"] == "met"
    waived = post(api, lead, second, "waive", {"reason": "Settled"})
    assert waived.json()["status"] == "waived"
    assert_error(post(api, lead, second, "dispute", {"reason": "x"}), 409, "illegal_transition")


def test_an_upcoming_obligation_is_triggered_before_it_is_met_or_disputed(api, lead):
    waiting = ObligationFactory(status="upcoming", due_date=None, trigger_event="Approval")
    assert_error(post(api, lead, waiting, "met", {"met_on": days(0)}), 409, "illegal_transition")
    assert_error(post(api, lead, waiting, "dispute", {"reason": "x"}), 409, "illegal_transition")


def test_trigger_dates_it_from_the_payment_terms(api, lead):
    agreement = AgreementFactory(payment_terms_days=45)
    waiting = ObligationFactory(
        agreement=agreement, status="upcoming", due_date=None, trigger_event="First dosing"
    )
    assert_error(post(api, lead, waiting, "trigger", {}), 400, field="occurred_on")
    future = post(api, lead, waiting, "trigger", {"occurred_on": days(3)})
    assert_error(future, 400, field="occurred_on")
    response = post(api, lead, waiting, "trigger", {"occurred_on": days(-5)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "due" and body["triggered_on"] == days(-5)
    assert body["due_date"] == days(40)
    again = post(api, lead, waiting, "trigger", {"occurred_on": days(0)})
    assert_error(again, 409, code="illegal_transition")
    assert ActivityLog.objects.filter(verb="obligation_triggered").count() == 1


def test_the_finance_assignee_records_met_and_trigger_but_not_waivers(api, specialist):
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, user=specialist)
    AssignmentFactory(alliance=alliance, service=service("contract_finance"), assignee=specialist)
    obligation = ObligationFactory(agreement__alliance=alliance)
    waiting = ObligationFactory(
        agreement__alliance=alliance, status="upcoming", due_date=None, trigger_event="x"
    )
    assert_error(post(api, specialist, obligation, "waive", {"reason": "x"}), 403)
    assert_error(post(api, specialist, obligation, "dispute", {"reason": "x"}), 403)
    assert post(api, specialist, waiting, "trigger", {"occurred_on": days(0)}).status_code == 200
    assert post(api, specialist, obligation, "met", {"met_on": days(0)}).status_code == 200


@pytest.mark.parametrize("move", ["met", "trigger", "waive", "dispute"])
def test_others_who_see_it_may_not_move_it(api, executive, move):
    obligation = ObligationFactory()
    body = {
        "met": {"met_on": days(0)},
        "trigger": {"occurred_on": days(0)},
        "waive": {"reason": "x"},
        "dispute": {"reason": "x"},
    }[move]
    assert_error(post(api, executive, obligation, move, body), 403)


# Recurrence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recurrence", "due", "following"),
    [
        ("monthly", datetime.date(2027, 1, 31), datetime.date(2027, 2, 28)),
        ("monthly", datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
        ("quarterly", datetime.date(2026, 11, 30), datetime.date(2027, 2, 28)),
        ("annual", datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
        ("quarterly", datetime.date(2026, 10, 15), datetime.date(2027, 1, 15)),
    ],
)
def test_meeting_a_recurring_obligation_creates_the_next(api, lead, recurrence, due, following):
    obligation = ObligationFactory(
        kind="royalty", recurrence=recurrence, due_date=due, owner=lead, note="Q report"
    )
    response = post(api, lead, obligation, "met", {"met_on": days(0)})
    assert response.status_code == 200, response.content
    nxt = Obligation.objects.get(previous=obligation)
    assert response.json()["next_occurrence"] == nxt.pk
    assert nxt.due_date == following and nxt.status == "due"
    assert (nxt.kind, nxt.amount, nxt.currency, nxt.owner, nxt.recurrence) == (
        "royalty",
        Decimal(obligation.amount),
        "USD",
        lead,
        recurrence,
    )
    assert ActivityLog.objects.filter(verb="obligation_recurred", object_id=nxt.pk).exists()
    assert api(lead).get(f"{URL}{nxt.pk}/").json()["previous"] == obligation.pk


def test_waiving_a_recurring_obligation_also_creates_the_next(api, lead):
    obligation = ObligationFactory(kind="report", amount=None, currency="", recurrence="annual")
    post(api, lead, obligation, "waive", {"reason": "Partner excused this year"})
    assert Obligation.objects.get(previous=obligation).status == "due"


def test_a_one_off_obligation_does_not_recur(api, lead):
    obligation = ObligationFactory()
    post(api, lead, obligation, "met", {"met_on": days(0)})
    assert Obligation.objects.count() == 1
