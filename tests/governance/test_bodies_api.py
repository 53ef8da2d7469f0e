"""Partner contacts, committees and their members through the API: who may write, bad input,
the escalation path (same alliance, no loops) and one co-chair per side."""

import datetime

import pytest

from alliances.choices import Status
from alliances.models import ActivityLog
from governance.choices import MemberRole
from governance.models import BodyMember, GovernanceBody
from tests.alliances.factories import AllianceFactory, PartnerFactory, UserFactory
from tests.governance.factories import (
    BodyMemberFactory,
    GovernanceBodyFactory,
    MeetingFactory,
    PartnerContactFactory,
)
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

BODIES = "/api/v1/governance-bodies/"
CONTACTS = "/api/v1/partner-contacts/"


@pytest.fixture
def alliance(lead):
    return AllianceFactory(lead=lead)


@pytest.fixture
def body(alliance):
    return GovernanceBodyFactory(alliance=alliance, name="JSC")


def members_url(body, member=None):
    return f"{BODIES}{body.pk}/members/" + (f"{member.pk}/" if member else "")


# Partner contacts ----------------------------------------------------------------------------


def test_a_lead_adds_a_contact_and_everyone_who_sees_the_partner_reads_it(api, lead, executive):
    partner = PartnerFactory()
    AllianceFactory(partner=partner)
    response = api(lead).post(
        CONTACTS,
        {"partner": partner.pk, "name": "Mei Tanaka", "email": "mei@p.example", "title": "AM"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["partner"]["id"] == partner.pk
    assert ActivityLog.objects.filter(verb="created", object_id=response.json()["id"]).exists()
    listed = api(executive).get(CONTACTS, {"partner": partner.pk}).json()
    assert [c["name"] for c in listed["results"]] == ["Mei Tanaka"]


def test_contacts_of_a_partner_known_only_by_a_confidential_alliance_are_hidden(
    api, lead, executive, head
):
    secret = AllianceFactory(confidential=True)
    contact = PartnerContactFactory(partner=secret.partner)
    assert api(executive).get(CONTACTS).json()["count"] == 0
    assert api(executive).get(f"{CONTACTS}{contact.pk}/").status_code == 404
    assert api(head).get(CONTACTS).json()["count"] == 1
    # ...and a lead cannot attach a contact to it: to them it does not exist.
    response = api(lead).post(CONTACTS, {"partner": secret.partner.pk, "name": "X"}, format="json")
    assert_error(response, 400, field="partner")


def test_only_leads_and_the_head_write_contacts(api, executive, specialist):
    partner = PartnerFactory()
    contact = PartnerContactFactory(partner=partner)
    for user in (executive, specialist):
        response = api(user).post(CONTACTS, {"partner": partner.pk, "name": "X"}, format="json")
        assert_error(response, 403)
    assert_error(
        api(executive).patch(f"{CONTACTS}{contact.pk}/", {"name": "Y"}, format="json"), 403
    )


def test_contact_bad_input(api, lead):
    partner = PartnerFactory()
    PartnerContactFactory(partner=partner, email="same@p.example")
    post = lambda body: api(lead).post(CONTACTS, body, format="json")  # noqa: E731
    assert_error(
        post({"partner": partner.pk, "name": "A", "email": "SAME@p.example"}), 400, field="email"
    )
    assert_error(
        post({"partner": partner.pk, "name": "A", "email": "not-an-email"}), 400, field="email"
    )
    assert_error(post({"partner": partner.pk, "name": "A", "shoe_size": 9}), 400, field="shoe_size")
    assert_error(post({"partner": "1.5", "name": "A"}), 400, field="partner")
    contact = PartnerContactFactory(partner=partner)
    response = api(lead).patch(f"{CONTACTS}{contact.pk}/", {"partner": partner.pk}, format="json")
    assert_error(response, 400, field="partner")
    response = api(lead).patch(f"{CONTACTS}{contact.pk}/", {"title": "CSO"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "CSO"


# Bodies --------------------------------------------------------------------------------------


def test_a_lead_creates_a_body_under_another_and_it_shows_its_path(api, lead, alliance, body):
    response = api(lead).post(
        BODIES,
        {
            "alliance": alliance.pk,
            "kind": "jdc",
            "name": "JDC",
            "parent": body.pk,
            "min_meetings_per_year": 4,
            "chartered_on": "2026-01-15",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["parent"] == {"id": body.pk, "name": "JSC", "kind": "jsc"}
    assert data["active"] is True and data["members"] == [] and data["next_meeting_at"] is None
    assert ActivityLog.objects.filter(verb="created", alliance=alliance).exists()


def test_who_writes_bodies(api, alliance, body, executive, specialist, requester, head):
    payload = {"alliance": alliance.pk, "kind": "jdc", "name": "JDC"}
    for user in (executive, specialist, requester):
        assert_error(api(user).post(BODIES, payload, format="json"), 403)
    assert_error(api(executive).patch(f"{BODIES}{body.pk}/", {"name": "N"}, format="json"), 403)
    assert_error(api(executive).delete(f"{BODIES}{body.pk}/"), 403)
    # Not on the alliance: it is not there at all.
    assert_error(api(requester).get(f"{BODIES}{body.pk}/"), 404)
    assert_error(api(requester).patch(f"{BODIES}{body.pk}/", {"name": "N"}, format="json"), 404)
    assert api(head).post(BODIES, payload, format="json").status_code == 201


def test_a_body_on_an_alliance_the_lead_cannot_see_is_a_400_on_alliance(api, lead):
    hidden = AllianceFactory(confidential=True)
    response = api(lead).post(
        BODIES, {"alliance": hidden.pk, "kind": "jsc", "name": "JSC"}, format="json"
    )
    assert_error(response, 400, field="alliance")


def test_the_parent_is_on_the_same_alliance(api, lead, alliance):
    elsewhere = GovernanceBodyFactory(alliance=AllianceFactory(), name="Their JSC")
    response = api(lead).post(
        BODIES,
        {"alliance": alliance.pk, "kind": "jdc", "name": "JDC", "parent": elsewhere.pk},
        format="json",
    )
    body = assert_error(response, 400, field="parent")
    assert "another alliance" in body["parent"][0]


def test_the_escalation_path_has_no_loop_and_says_where_it_closes(api, lead, alliance):
    jsc = GovernanceBodyFactory(alliance=alliance, name="JSC")
    jdc = GovernanceBodyFactory(alliance=alliance, name="JDC", parent=jsc)
    sub = GovernanceBodyFactory(alliance=alliance, name="CMC subteam", parent=jdc)
    response = api(lead).patch(f"{BODIES}{jsc.pk}/", {"parent": sub.pk}, format="json")
    message = assert_error(response, 400, field="parent")["parent"][0]
    assert "CMC subteam" in message and "JSC" in message and "loop" in message
    response = api(lead).patch(f"{BODIES}{jsc.pk}/", {"parent": jsc.pk}, format="json")
    assert_error(response, 400, field="parent")
    jsc.refresh_from_db()
    assert jsc.parent is None


def test_body_bad_input(api, lead, alliance, body):
    post = lambda data: api(lead).post(BODIES, {"alliance": alliance.pk, **data}, format="json")  # noqa: E731
    assert_error(post({"kind": "board", "name": "X"}), 400, field="kind")
    assert_error(post({"kind": "jsc", "name": "jsc"}), 400, field="name")  # same name, any case
    assert_error(
        post(
            {"kind": "jsc", "name": "X", "chartered_on": "2026-05-01", "dissolved_on": "2026-04-01"}
        ),
        400,
        field="dissolved_on",
    )
    assert_error(post({"kind": "jsc", "name": "X", "min_meetings_per_year": 99}), 400)
    assert_error(post({"kind": "jsc", "name": "X", "active": False}), 400, field="active")
    response = api(lead).patch(f"{BODIES}{body.pk}/", {"alliance": alliance.pk}, format="json")
    assert_error(response, 400, field="alliance")
    response = api(lead).patch(
        f"{BODIES}{body.pk}/",
        {"chartered_on": "2026-06-01", "dissolved_on": "2026-05-01"},
        format="json",
    )
    assert_error(response, 400, field="dissolved_on")


def test_a_closed_alliance_takes_no_new_body(api, lead):
    closed = AllianceFactory(lead=lead, status=Status.CLOSED)
    response = api(lead).post(
        BODIES, {"alliance": closed.pk, "kind": "jsc", "name": "JSC"}, format="json"
    )
    assert_error(response, 409, "alliance_closed")


def test_an_unused_body_is_deleted_a_used_one_is_dissolved(api, lead, alliance, body):
    spare = GovernanceBodyFactory(alliance=alliance, name="Spare")
    BodyMemberFactory(body=spare)
    assert api(lead).delete(f"{BODIES}{spare.pk}/").status_code == 204
    assert not GovernanceBody.objects.filter(pk=spare.pk).exists()
    MeetingFactory(body=body)
    assert_error(api(lead).delete(f"{BODIES}{body.pk}/"), 409, "body_in_use")
    day = datetime.date(2026, 11, 1)
    response = api(lead).patch(
        f"{BODIES}{body.pk}/", {"dissolved_on": day.isoformat()}, format="json"
    )
    assert response.status_code == 200 and response.json()["active"] is False
    listed = api(lead).get(BODIES, {"active": "false"}).json()["results"]
    assert [b["id"] for b in listed] == [body.pk]
    assert api(lead).get(BODIES, {"active": "true"}).json()["count"] == 0
    assert_error(api(lead).get(BODIES, {"active": "maybe"}), 400, field="active")


def test_the_list_shows_members_and_the_next_meeting(api, executive, body):
    BodyMemberFactory(body=body, role=MemberRole.CO_CHAIR)
    MeetingFactory(body=body)
    row = api(executive).get(BODIES, {"alliance": body.alliance_id, "kind": "jsc"}).json()
    (found,) = row["results"]
    assert len(found["members"]) == 1 and found["members"][0]["side"] == "internal"
    assert found["next_meeting_at"] is not None


# Members -------------------------------------------------------------------------------------


def test_members_from_both_sides(api, lead, body, executive):
    person = UserFactory()
    contact = PartnerContactFactory(partner=body.alliance.partner)
    response = api(lead).post(
        members_url(body), {"user": person.pk, "role": "co_chair"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["side"] == "internal"
    response = api(lead).post(
        members_url(body), {"contact": contact.pk, "role": "co_chair"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["contact"]["name"] == contact.name
    listed = api(executive).get(members_url(body)).json()
    assert {m["side"] for m in listed} == {"internal", "partner"}
    assert ActivityLog.objects.filter(verb="member_added").count() == 2


def test_one_co_chair_per_side_says_who_holds_it(api, lead, body):
    holder = BodyMemberFactory(body=body, role=MemberRole.CO_CHAIR)
    response = api(lead).post(
        members_url(body), {"user": UserFactory().pk, "role": "co_chair"}, format="json"
    )
    detail = assert_error(response, 409, "co_chair_taken")["detail"]
    assert holder.user.get_full_name() in detail and "our co-chair" in detail
    other = BodyMemberFactory(body=body)
    response = api(lead).patch(members_url(body, other), {"role": "co_chair"}, format="json")
    assert_error(response, 409, "co_chair_taken")
    # The partner's side has its own.
    contact = PartnerContactFactory(partner=body.alliance.partner)
    response = api(lead).post(
        members_url(body), {"contact": contact.pk, "role": "co_chair"}, format="json"
    )
    assert response.status_code == 201
    second = PartnerContactFactory(partner=body.alliance.partner)
    response = api(lead).post(
        members_url(body), {"contact": second.pk, "role": "co_chair"}, format="json"
    )
    assert "partner's co-chair" in assert_error(response, 409, "co_chair_taken")["detail"]
    # Handing over: the holder steps down, then the other takes it.
    assert (
        api(lead).patch(members_url(body, holder), {"role": "member"}, format="json").status_code
        == 200
    )
    response = api(lead).patch(members_url(body, other), {"role": "co_chair"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "co_chair"


def test_member_bad_input(api, lead, body):
    post = lambda data: api(lead).post(members_url(body), data, format="json")  # noqa: E731
    stranger = PartnerContactFactory()  # at another partner
    message = assert_error(post({"contact": stranger.pk}), 400, field="contact")["contact"][0]
    assert "not at this alliance's partner" in message
    person = UserFactory()
    assert post({"user": person.pk}).status_code == 201
    assert_error(post({"user": person.pk}), 400, field="user")  # already on it
    contact = PartnerContactFactory(partner=body.alliance.partner)
    assert_error(post({"user": UserFactory().pk, "contact": contact.pk}), 400, field="user")
    assert_error(post({}), 400, field="user")
    assert_error(post({"user": UserFactory(is_active=False).pk}), 400, field="user")
    assert_error(post({"user": person.pk + 10_000}), 400, field="user")
    assert_error(post({"contact": contact.pk, "role": "chair"}), 400, field="role")
    member = BodyMember.objects.get(user=person)
    response = api(lead).patch(members_url(body, member), {"user": person.pk}, format="json")
    assert_error(response, 400, field="user")


def test_who_changes_members(api, body, executive, requester, lead):
    member = BodyMemberFactory(body=body)
    assert_error(
        api(executive).post(members_url(body), {"user": UserFactory().pk}, format="json"), 403
    )
    assert_error(api(executive).delete(members_url(body, member)), 403)
    assert_error(api(requester).get(members_url(body)), 404)
    elsewhere = BodyMemberFactory()
    assert_error(api(lead).delete(members_url(body, elsewhere)), 404)
    assert api(lead).delete(members_url(body, member)).status_code == 204
    assert not BodyMember.objects.filter(pk=member.pk).exists()
    assert ActivityLog.objects.filter(verb="member_removed").exists()


def test_sitting_on_a_body_puts_you_on_a_confidential_alliance(api, lead, head):
    secret = AllianceFactory(confidential=True, lead=lead)
    body = GovernanceBodyFactory(alliance=secret)
    person = UserFactory()
    assert api(person).get(f"{BODIES}{body.pk}/").status_code == 404
    assert api(head).post(members_url(body), {"user": person.pk}, format="json").status_code == 201
    assert api(person).get(f"{BODIES}{body.pk}/").status_code == 200
