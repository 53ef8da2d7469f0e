"""The calendar page (admin:calendar): what concerns the user in the next eight weeks, late
things first, each linked to its page, through the one visibility rule; and their own private
calendar address, made or renewed by a button, never someone else's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alliances.calendar import today
from governance.models import CalendarFeed
from governance.services.calendar import calendar_feed_get_or_create
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.governance.factories import (
    ActionItemFactory,
    BodyMemberFactory,
    GovernanceBodyFactory,
    MeetingFactory,
    ObligationFactory,
)

pytestmark = pytest.mark.django_db


def url():
    return reverse("admin:calendar")


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def fill(alliance, user, tag: str = "-MINE"):
    """One of each entry on `alliance` concerning `user`."""
    body = GovernanceBodyFactory(alliance=alliance)
    BodyMemberFactory(body=body, user=user)
    MeetingFactory(
        body=body, title=f"MEET{tag}", starts_at=timezone.now() + datetime.timedelta(days=10)
    )
    ObligationFactory(agreement__alliance=alliance, title=f"OBL{tag}", due_date=days(20))
    ActionItemFactory(meeting__body=body, owner_user=user, title=f"ACT{tag}", due_date=days(3))


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(url())
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_requester_has_no_calendar_page(client, requester):
    client.force_login(requester)
    assert client.get(url()).status_code == 403


def test_a_specialist_sees_what_concerns_them_and_only_what_they_may_see(client, specialist, lead2):
    mine = AllianceFactory(name="MINE")
    MembershipFactory(alliance=mine, user=specialist)
    fill(mine, specialist)
    other_body = GovernanceBodyFactory(alliance=mine)
    MeetingFactory(body=other_body, title="NOT MY BODY")
    ActionItemFactory(meeting__body=other_body, title="NOT MY ACTION")
    late = ObligationFactory(
        agreement__alliance=mine,
        title="LATE PAYMENT",
        kind="upfront",
        due_date=days(-5),
        amount="1250000.00",
        currency="EUR",
    )
    ObligationFactory(agreement__alliance=mine, title="FAR AWAY", due_date=days(80))
    ObligationFactory(agreement__alliance=mine, title="ALREADY MET", status="met", met_on=today())
    # Owned by the specialist, but on a confidential alliance they are not on.
    secret = AllianceFactory(lead=lead2, confidential=True)
    ObligationFactory(agreement__alliance=secret, title="SECRET ONE", owner=specialist)
    client.force_login(specialist)

    page = client.get(url()).content.decode()

    for seen in ("MEET-MINE", "OBL-MINE", "ACT-MINE", "LATE PAYMENT"):
        assert seen in page
    for unseen in ("NOT MY BODY", "NOT MY ACTION", "FAR AWAY", "ALREADY MET", "SECRET ONE"):
        assert unseen not in page
    # Late first, with its days, its kind's label and its money.
    assert page.index("LATE PAYMENT") < page.index("ACT-MINE") < page.index("MEET-MINE")
    assert "5 days overdue" in page
    assert "Upfront payment, EUR 1,250,000" in page
    assert reverse("admin:governance_obligation_change", args=[late.pk]) in page
    assert f"This week: {today() - datetime.timedelta(days=today().weekday()):%-d %b %Y}" in page


def test_a_lead_sees_their_alliances_not_every_alliance_they_may_see(client, lead):
    AllianceFactory()  # visible to a lead, but not theirs
    ObligationFactory(title="NOT MINE", due_date=days(5))
    ObligationFactory(
        agreement__alliance=AllianceFactory(lead=lead), title="LED BY ME", due_date=days(5)
    )
    client.force_login(lead)
    page = client.get(url()).content.decode()
    assert "LED BY ME" in page and "NOT MINE" not in page


def test_the_calendar_address_is_made_renewed_and_only_ever_ones_own(client, specialist, lead):
    others = calendar_feed_get_or_create(actor=lead)
    client.force_login(specialist)
    page = client.get(url()).content.decode()
    assert "Get my calendar address" in page and others.secret not in page
    assert not CalendarFeed.objects.filter(user=specialist).exists()  # a GET makes nothing

    assert client.post(url(), {"address": "get"}).status_code == 302
    feed = CalendarFeed.objects.get(user=specialist)
    page = client.get(url()).content.decode()
    assert f"/api/v1/calendar/{feed.secret}.ics" in page and others.secret not in page
    assert "webcal://" in page

    client.post(url(), {"address": "new"})
    renewed = CalendarFeed.objects.get(user=specialist)
    assert renewed.secret != feed.secret
    page = client.get(url()).content.decode()
    assert renewed.secret in page and feed.secret not in page

    # Anything else changes nothing.
    response = client.post(url(), {"address": "someone-else"}, follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert CalendarFeed.objects.get(user=specialist).secret == renewed.secret


def test_the_calendar_keeps_a_constant_number_of_queries(
    client, specialist, django_assert_max_num_queries
):
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, user=specialist)
    fill(alliance, specialist, "0")
    calendar_feed_get_or_create(actor=specialist)
    client.force_login(specialist)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url()).status_code == 200
    for n in range(1, 6):
        other = AllianceFactory()
        MembershipFactory(alliance=other, user=specialist)
        fill(other, specialist, str(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url()).content.decode()
    assert all(f"OBL{n}" in page and f"ACT{n}" in page for n in range(6))
