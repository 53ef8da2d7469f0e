"""Obligation and notice-date reminders: each once per threshold, to the owner and the
alliance's lead, about what they may see, in a number of queries that does not grow with the
number of obligations."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.calendar import today
from governance.reminders import contract_reminders, notice_reminders, obligation_reminders
from notifications.models import Notification
from notifications.reminders import run_reminders
from notifications.selectors import preferences
from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.governance.factories import AgreementFactory, ObligationFactory

pytestmark = pytest.mark.django_db

PREFS = "/api/v1/me/notification-preferences/"


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def told(user) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", "key").order_by())


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def alliance(lead, owner):
    alliance = AllianceFactory(name="BOREALIS", code="ALL-0100", lead=lead)
    MembershipFactory(alliance=alliance, user=owner)
    return alliance


def obligation(alliance, **fields):
    agreement = fields.pop("agreement", None) or AgreementFactory(alliance=alliance)
    return ObligationFactory(agreement=agreement, **fields)


def test_due_in_30_then_in_7_then_overdue_each_once_to_the_owner_and_the_lead(
    lead, owner, alliance
):
    milestone = obligation(
        alliance, owner=owner, due_date=days(20), title="Phase 2 start", amount="2500000.00"
    )
    assert obligation_reminders(today()) == 2
    key = f"obligation:{milestone.pk}:due_30:{milestone.due_date.isoformat()}"
    assert told(owner) == told(lead) == [("obligation_due", key)]
    assert obligation_reminders(today()) == 0  # a second tick tells nobody again
    assert obligation_reminders(today() + datetime.timedelta(days=1)) == 0  # nor the next day
    (notice,) = Notification.objects.filter(recipient=owner)
    assert notice.text == (
        f"ALL-0100 BOREALIS: “Phase 2 start” (Milestone payment, USD 2,500,000.00) is due "
        f"{milestone.due_date:%d %b %Y}."
    )
    assert notice.alliance_id == alliance.pk
    assert notice.api_path == f"/api/v1/obligations/{milestone.pk}/"

    week_before = milestone.due_date - datetime.timedelta(days=7)
    assert obligation_reminders(week_before) == 2
    assert obligation_reminders(week_before) == 0
    assert [kind for kind, _ in told(lead)] == ["obligation_due", "obligation_due"]

    after = milestone.due_date + datetime.timedelta(days=1)
    assert obligation_reminders(after) == 2
    assert obligation_reminders(after + datetime.timedelta(days=5)) == 0  # overdue: told once
    overdue = Notification.objects.get(recipient=owner, kind="obligation_overdue")
    assert "is overdue" in overdue.text


def test_which_obligations_are_told(lead, alliance):
    soon = obligation(alliance, due_date=days(5))
    later = obligation(alliance, due_date=days(31))  # beyond 30 days: not yet
    late = obligation(alliance, due_date=days(-3), status="disputed", status_reason="Wrong sum")
    waiting = obligation(alliance, status="upcoming", due_date=None, kind="report", amount=None)
    met = obligation(alliance, due_date=days(5), status="met", met_on=today())
    waived = obligation(alliance, due_date=days(-5), status="waived", status_reason="Agreed")
    run_reminders(today())
    keys = {key for _, key in told(lead)}
    assert keys == {
        f"obligation:{soon.pk}:due_7:{soon.due_date.isoformat()}",
        f"obligation:{late.pk}:overdue:{late.due_date.isoformat()}",
    }
    assert not {later.pk, waiting.pk, met.pk, waived.pk} & {int(key.split(":")[1]) for key in keys}


def test_a_moved_due_date_is_a_new_reminder(lead, alliance):
    payment = obligation(alliance, due_date=days(10))
    assert obligation_reminders(today()) == 1
    payment.due_date = days(25)
    payment.save()
    assert obligation_reminders(today()) == 1
    assert len(told(lead)) == 2


def test_the_owner_and_lead_being_one_person_hear_once(lead, alliance):
    obligation(alliance, owner=lead, due_date=days(3))
    assert obligation_reminders(today()) == 1


def test_a_confidential_alliance_is_told_only_to_its_team(head, lead, lead2, executive):
    secret = AllianceFactory(name="NIGHTJAR", confidential=True, lead=lead)
    # lead2 owns it without being on the alliance (the services would refuse; rows need not)
    obligation(secret, owner=lead2, due_date=days(3), title="Secret milestone")
    obligation(secret, owner=executive, due_date=days(-3))
    AgreementFactory(
        alliance=secret, expiry_date=days(120), notice_days=90, title="Secret agreement"
    )
    run_reminders(today())
    assert len(told(lead)) == 3
    assert told(lead2) == told(executive) == told(head) == []
    assert not Notification.objects.exclude(recipient=lead).exists()


def test_an_owner_who_cannot_see_the_alliance_hears_nothing(lead, alliance):
    stranger = UserFactory(username="stranger")  # on no alliance, no role
    obligation(alliance, owner=stranger, due_date=days(3))
    obligation_reminders(today())
    assert told(stranger) == []
    assert len(told(lead)) == 1


def test_notice_dates_within_60_days_once_per_notice_date(lead, alliance):
    soon = AgreementFactory(
        alliance=alliance, title="Licence", expiry_date=days(100), notice_days=90
    )  # notice date in 10 days
    edge = AgreementFactory(alliance=alliance, expiry_date=days(90), notice_days=30)  # in 60
    AgreementFactory(alliance=alliance, expiry_date=days(200), notice_days=30)  # in 170 days
    AgreementFactory(alliance=alliance, expiry_date=days(100), notice_days=None)  # none
    AgreementFactory(alliance=alliance, expiry_date=days(40), notice_days=60)  # passed
    AgreementFactory(
        alliance=alliance, expiry_date=days(100), notice_days=90, status="negotiating"
    )  # not executed
    assert notice_reminders(today()) == 2
    assert {key for _, key in told(lead)} == {
        f"agreement:{soon.pk}:notice:{days(10).isoformat()}",
        f"agreement:{edge.pk}:notice:{days(60).isoformat()}",
    }
    text = Notification.objects.get(key__startswith=f"agreement:{soon.pk}:").text
    assert text == (
        f"ALL-0100 BOREALIS: notice on “Licence” must be given by {days(10):%d %b %Y} "
        f"(it expires {days(100):%d %b %Y})."
    )
    assert notice_reminders(today()) == 0
    assert notice_reminders(today() + datetime.timedelta(days=3)) == 0
    soon.expiry_date = days(130)  # renewed: a new notice date
    soon.save()
    assert notice_reminders(today()) == 1
    assert {kind for kind, _ in told(lead)} == {"notice_due"}


def test_the_scan_takes_the_same_queries_for_more_obligations(lead, lead2, alliance):
    """The same people hearing of more obligations and agreements: the same queries."""
    other = AllianceFactory(lead=lead2)

    def scan_queries():
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            contract_reminders(today())
        return len(queries)

    obligation(alliance, due_date=days(3))
    obligation(other, due_date=days(-3), owner=lead)
    AgreementFactory(alliance=alliance, expiry_date=days(100), notice_days=90)
    AgreementFactory(alliance=other, expiry_date=days(100), notice_days=90)
    few = scan_queries()
    for n in range(10):
        obligation(alliance, due_date=days(n * 3 - 10))
        obligation(other, due_date=days(n + 1), owner=lead)
        AgreementFactory(alliance=other, expiry_date=days(100 + n), notice_days=90 - n)
    assert scan_queries() == few


def test_the_new_kinds_have_labels_and_preferences(api, lead):
    kinds = {row["kind"]: row for row in preferences(user=lead)}
    for kind in ("obligation_due", "obligation_overdue", "notice_due"):
        assert kinds[kind]["delivery"] == "immediately"
        assert kinds[kind]["label"]
    listed = {row["kind"] for row in api(lead).get(PREFS).json()}
    assert {"obligation_due", "obligation_overdue", "notice_due"} <= listed
    response = api(lead).patch(PREFS, {"obligation_due": "daily_digest"}, format="json")
    assert response.status_code == 200, response.content
    assert {row["kind"]: row["delivery"] for row in preferences(user=lead)}[
        "obligation_due"
    ] == "daily_digest"
