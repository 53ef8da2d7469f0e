"""An executed agreement with an expiry date and a notice period has exactly one open `notice`
obligation (joint, due on its notice date, owned by the alliance's lead); it moves with those
dates, is waived with a reason when the agreement leaves `executed` or loses either date, and
none is created twice. The test clock is 2026-11-18 10:00 Europe/London."""

import datetime

import pytest

from alliances.calendar import today
from alliances.models import ActivityLog
from governance.models import Obligation
from tests.alliances.factories import AllianceFactory
from tests.governance.factories import AgreementFactory

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/v1/agreements/"


def day(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def alliance(lead):
    return AllianceFactory(lead=lead)


@pytest.fixture
def negotiating(alliance):
    return AgreementFactory(
        alliance=alliance,
        title="Supply agreement",
        status="negotiating",
        effective_date=day(-10),
        expiry_date=day(700),
        notice_days=180,
    )


def move(client, agreement, to: str):
    response = client.post(f"{AGREEMENTS}{agreement.pk}/transition/", {"to": to}, format="json")
    assert response.status_code == 200, response.content
    return response


def patch(client, agreement, **fields):
    response = client.patch(f"{AGREEMENTS}{agreement.pk}/", fields, format="json")
    assert response.status_code == 200, response.content
    return response


def notices(agreement):
    return Obligation.objects.filter(agreement=agreement, kind="notice").order_by("pk")


def test_executing_creates_the_notice_obligation(api, lead, negotiating):
    assert not notices(negotiating).exists()
    move(api(lead), negotiating, "executed")
    notice = notices(negotiating).get()
    assert notice.title == "Notice before expiry of Supply agreement"
    assert notice.direction == "joint"
    assert notice.status == "due"
    assert notice.due_date == day(520)
    assert notice.owner == lead
    assert notice.created_by == lead
    assert notice.alliance == negotiating.alliance
    assert ActivityLog.objects.filter(verb="created", object_id=notice.pk).exists()


def test_new_dates_move_it_and_nothing_is_created_twice(api, lead, negotiating):
    client = api(lead)
    move(client, negotiating, "executed")
    patch(client, negotiating, notice_days=90)
    patch(client, negotiating, expiry_date=day(800).isoformat())
    patch(client, negotiating, title="Commercial supply agreement")
    patch(client, negotiating, title="Commercial supply agreement")  # no change
    notice = notices(negotiating).get()
    assert notice.due_date == day(710)
    assert notice.title == "Notice before expiry of Commercial supply agreement"
    assert notice.status == "due"


@pytest.mark.parametrize(
    ("to", "reason"),
    [
        ("expired", "The agreement expired."),
        ("terminated", "The agreement was terminated."),
        ("superseded", "The agreement was superseded."),
    ],
)
def test_leaving_executed_waives_it(api, lead, negotiating, to, reason):
    client = api(lead)
    move(client, negotiating, "executed")
    move(client, negotiating, to)
    notice = notices(negotiating).get()
    assert notice.status == "waived"
    assert notice.status_reason == reason
    assert ActivityLog.objects.filter(verb="waived", object_id=notice.pk, note=reason).exists()


def test_losing_a_date_waives_it_and_giving_it_back_creates_one(api, lead, negotiating):
    client = api(lead)
    move(client, negotiating, "executed")
    patch(client, negotiating, notice_days=None)
    first = notices(negotiating).get()
    assert first.status == "waived"
    assert first.status_reason == "The agreement no longer has a notice period."
    patch(client, negotiating, notice_days=30)
    assert notices(negotiating).filter(status="due").get().due_date == day(670)
    patch(client, negotiating, expiry_date=None)
    assert not notices(negotiating).filter(status="due").exists()
    assert notices(negotiating).last().status_reason == (
        "The agreement no longer has an expiry date."
    )


def test_without_a_notice_period_there_is_none(api, lead, negotiating):
    negotiating.notice_days = None
    negotiating.save()
    move(api(lead), negotiating, "executed")
    assert not notices(negotiating).exists()
    # Dates on an agreement not executed yet make none either.
    other = AgreementFactory(alliance=negotiating.alliance, status="drafting")
    patch(api(lead), other, expiry_date=day(400).isoformat(), notice_days=60)
    assert not notices(other).exists()


def test_a_notice_already_given_is_not_asked_again(api, lead, negotiating):
    client = api(lead)
    move(client, negotiating, "executed")
    notices(negotiating).update(status="met", met_on=today())
    patch(client, negotiating, notice_days=180)  # unchanged: nothing happens
    assert list(notices(negotiating).values_list("status", "due_date")) == [("met", day(520))]
    patch(client, negotiating, notice_days=181)  # a new notice date: a new notice is owed
    assert list(notices(negotiating).values_list("status", "due_date")) == [
        ("met", day(520)),
        ("due", day(519)),
    ]


def test_one_open_notice_only_for_its_own_agreement(api, lead, negotiating):
    sibling = AgreementFactory(alliance=negotiating.alliance, expiry_date=day(300), notice_days=30)
    move(api(lead), negotiating, "executed")
    assert notices(sibling).count() == 0
    assert notices(negotiating).count() == 1
