"""`agreements/`: who may read and write, bad input as 400s on the field, status moves through
transition/ (409 illegal_transition, effective_date_missing), closed alliances (409
alliance_closed), confidentiality and the list's pinned query count. The test clock is
2026-11-18 10:00 Europe/London."""

import datetime

import pytest

from alliances.calendar import today
from alliances.models import ActivityLog
from governance.models import Agreement
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.alliances.test_query_counts import queries, token_client
from tests.governance.factories import AgreementFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/v1/agreements/"


def url(agreement) -> str:
    return f"{AGREEMENTS}{agreement.pk}/"


def days(n: int) -> str:
    return (today() + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def alliance(lead):
    return AllianceFactory(lead=lead)


@pytest.fixture
def main(alliance):
    return AgreementFactory(alliance=alliance, title="Collaboration and licence agreement")


def create(client, alliance, **fields):
    body = {"alliance": alliance.pk, "kind": "cda", "title": "Mutual CDA", **fields}
    return client.post(AGREEMENTS, body, format="json")


# Reading -------------------------------------------------------------------------------------


def test_everyone_who_sees_the_alliance_reads_its_agreements(api, executive, main):
    response = api(executive).get(AGREEMENTS, {"alliance": main.alliance_id})
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["title"] == main.title
    assert row["alliance"]["code"] == main.alliance.code
    assert "steps" not in row
    detail = api(executive).get(url(main)).json()
    assert detail["steps"] == []
    assert api().get(AGREEMENTS).status_code in (401, 403)


def test_notice_date_is_expiry_less_notice_days_and_filters(api, lead, alliance):
    soon = AgreementFactory(
        alliance=alliance, expiry_date=today() + datetime.timedelta(days=100), notice_days=90
    )
    AgreementFactory(
        alliance=alliance, expiry_date=today() + datetime.timedelta(days=400), notice_days=90
    )
    AgreementFactory(alliance=alliance)  # no expiry: no notice date
    client = api(lead)
    assert client.get(url(soon)).json()["notice_date"] == days(10)
    found = client.get(AGREEMENTS, {"notice_after": days(0), "notice_before": days(30)}).json()
    assert [row["id"] for row in found["results"]] == [soon.pk]
    expiring = client.get(AGREEMENTS, {"expiring_before": days(200)}).json()
    assert [row["id"] for row in expiring["results"]] == [soon.pk]
    assert client.get(AGREEMENTS, {"expiring_after": days(200)}).json()["count"] == 1


def test_filters_by_kind_status_parent_and_search(api, lead, alliance, main):
    quality = AgreementFactory(
        alliance=alliance, kind="quality", title="Quality agreement", parent=main, status="drafting"
    )
    client = api(lead)
    assert [r["id"] for r in client.get(AGREEMENTS, {"kind": "quality"}).json()["results"]] == [
        quality.pk
    ]
    assert client.get(AGREEMENTS, {"status": "drafting"}).json()["count"] == 1
    assert client.get(AGREEMENTS, {"parent": main.pk}).json()["results"][0]["id"] == quality.pk
    assert client.get(AGREEMENTS, {"search": "quality agr"}).json()["count"] == 1
    assert_error(client.get(AGREEMENTS, {"kind": "lease"}), 400, field="kind")
    assert_error(client.get(AGREEMENTS, {"notice_before": "soon"}), 400, field="notice_before")


def test_a_confidential_alliance_hides_its_agreements(api, lead, lead2, head):
    secret = AllianceFactory(lead=lead, confidential=True)
    agreement = AgreementFactory(alliance=secret)
    assert api(lead2).get(url(agreement)).status_code == 404
    assert api(lead2).get(AGREEMENTS).json()["count"] == 0
    assert api(lead2).get(AGREEMENTS, {"alliance": secret.pk}).json()["count"] == 0
    assert_error(
        api(lead2).post(f"{url(agreement)}transition/", {"to": "expired"}, format="json"), 404
    )
    assert_error(api(lead2).patch(url(agreement), {"title": "Mine"}, format="json"), 404)
    assert_error(create(api(lead2), secret), 400, field="alliance")
    # Nor as a parent elsewhere.
    other = AllianceFactory(lead=lead2)
    assert_error(
        create(api(lead2), other, kind="amendment", parent=agreement.pk), 400, field="parent"
    )
    assert api(lead).get(url(agreement)).status_code == 200
    assert api(head).get(AGREEMENTS).json()["count"] == 1


# Writing -------------------------------------------------------------------------------------


def test_leads_and_the_head_record_agreements(api, lead, head, alliance):
    response = create(
        api(lead),
        alliance,
        owning_function="legal",
        effective_date=days(-30),
        expiry_date=days(700),
        notice_days=90,
        document_url="https://contracts.example/cda/1",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "planned"
    assert data["notice_date"] == days(610)
    assert data["created_by"]["username"] == "lead"
    assert ActivityLog.objects.filter(verb="created", object_id=data["id"]).exists()
    assert create(api(head), alliance, title="Another").status_code == 201


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_others_cannot_write(request, api, role, alliance, main):
    user = request.getfixturevalue(role)
    MembershipFactory(alliance=alliance, user=user)
    client = api(user)
    assert client.get(url(main)).status_code == 200
    assert_error(create(client, alliance), 403)
    assert_error(client.patch(url(main), {"title": "Mine"}, format="json"), 403)
    assert_error(client.post(f"{url(main)}transition/", {"to": "expired"}, format="json"), 403)
    assert not ActivityLog.objects.filter(actor=user).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "quality"}, "target_date"),  # a subsidiary agreement without its target date
        ({"kind": "supply", "target_date": None}, "target_date"),
        ({"kind": "amendment"}, "parent"),  # an amendment amends something
        ({"effective_date": "2027-01-10", "expiry_date": "2027-01-09"}, "expiry_date"),
        ({"status": "executed"}, "status"),
        ({"notice_date": "2027-01-01"}, "notice_date"),
        ({"colour": "blue"}, "colour"),
        ({"kind": "lease"}, "kind"),
        ({"title": ""}, "title"),
        ({"notice_days": -1}, "notice_days"),
        ({"notice_days": "30"}, "notice_days"),
        ({"payment_terms_days": 400}, "payment_terms_days"),
        ({"document_url": "not a link"}, "document_url"),
        ({"owning_function": "marketing"}, "owning_function"),
        ({"parent": 999999}, "parent"),
        ({"parent": 1.5}, "parent"),
        ({"target_date": "3000-01-01"}, "target_date"),
    ],
)
def test_bad_input_is_a_400_on_the_field(api, lead, alliance, fields, field):
    assert_error(create(api(lead), alliance, **fields), 400, field=field)
    assert not Agreement.objects.exists()


def test_a_parent_on_another_alliance_is_a_400(api, lead, alliance):
    elsewhere = AgreementFactory(alliance=AllianceFactory(lead=lead))
    body = assert_error(
        create(api(lead), alliance, kind="amendment", parent=elsewhere.pk), 400, field="parent"
    )
    assert "another alliance" in body["parent"][0]


def test_parents_never_make_a_loop(api, lead, alliance, main):
    client = api(lead)
    amendment = create(client, alliance, kind="amendment", title="First amendment", parent=main.pk)
    assert amendment.status_code == 201
    child = Agreement.objects.get(pk=amendment.json()["id"])
    body = assert_error(client.patch(url(main), {"parent": child.pk}, format="json"), 400)
    assert "loop" in body["parent"][0]
    assert_error(client.patch(url(main), {"parent": main.pk}, format="json"), 400, field="parent")
    assert_error(client.patch(url(child), {"parent": None}, format="json"), 400, field="parent")
    main.refresh_from_db()
    assert main.parent is None


def test_patch_changes_details_and_refuses_what_it_cannot_change(api, lead, main):
    client = api(lead)
    response = client.patch(url(main), {"title": "Restated collaboration"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Restated collaboration"
    assert ActivityLog.objects.filter(verb="updated", object_id=main.pk).exists()
    for field, value in (("kind", "cda"), ("alliance", main.alliance_id), ("status", "expired")):
        body = assert_error(client.patch(url(main), {field: value}, format="json"), 400)
        assert "cannot be written here" in body[field][0]
    body = assert_error(
        client.patch(url(main), {"expiry_date": days(-500)}, format="json"),
        400,
        field="expiry_date",
    )
    assert "on or after" in body["expiry_date"][0]


def test_no_new_agreements_on_a_closed_alliance(api, lead):
    closed = AllianceFactory(lead=lead, status="closed")
    assert_error(create(api(lead), closed), 409, "alliance_closed")
    assert not Agreement.objects.exists()


# Transitions ---------------------------------------------------------------------------------


def move(client, agreement, to: str, note: str = ""):
    return client.post(f"{url(agreement)}transition/", {"to": to, "note": note}, format="json")


def test_an_agreement_moves_through_its_life(api, lead, alliance):
    agreement = AgreementFactory(alliance=alliance, status="planned", effective_date=None)
    client = api(lead)
    assert move(client, agreement, "drafting").json()["status"] == "drafting"
    assert move(client, agreement, "negotiating", "Redlines sent").status_code == 200
    body = assert_error(move(client, agreement, "executed"), 409, "effective_date_missing")
    assert "effective_date" in body["detail"]
    client.patch(url(agreement), {"effective_date": days(-1)}, format="json")
    assert move(client, agreement, "executed").json()["status"] == "executed"
    assert move(client, agreement, "terminated", "Partner walked").json()["status"] == "terminated"
    log = ActivityLog.objects.filter(verb="transitioned", object_id=agreement.pk)
    assert log.count() == 4
    assert log.filter(note="Partner walked").exists()


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("planned", "executed"),
        ("drafting", "planned"),
        ("executed", "abandoned"),
        ("executed", "executed"),
        ("expired", "executed"),
        ("abandoned", "drafting"),
        ("terminated", "expired"),
    ],
)
def test_illegal_moves_are_409s(api, lead, alliance, start, to):
    agreement = AgreementFactory(alliance=alliance, status=start)
    body = assert_error(move(api(lead), agreement, to), 409, "illegal_transition")
    assert body["from"] == start
    agreement.refresh_from_db()
    assert agreement.status == start


def test_transition_bad_input(api, lead, main):
    client = api(lead)
    assert_error(move(client, main, "signed"), 400, field="to")
    assert_error(client.post(f"{url(main)}transition/", {}, format="json"), 400, field="to")
    assert_error(
        client.post(f"{url(main)}transition/", {"to": "expired", "why": "x"}, format="json"),
        400,
        field="why",
    )


# Query counts --------------------------------------------------------------------------------


@pytest.fixture
def register(lead, specialist):
    for n in range(8):
        alliance = AllianceFactory(confidential=n % 4 == 0)
        MembershipFactory(alliance=alliance, user=lead)
        if n == 0:
            MembershipFactory(alliance=alliance, user=specialist)
        main = AgreementFactory(alliance=alliance)
        AgreementFactory(alliance=alliance, kind="quality", parent=main, status="drafting")
        AgreementFactory(alliance=alliance, kind="amendment", parent=main)


@pytest.mark.parametrize("role", ["head", "lead", "executive", "specialist"])
def test_the_list_is_pinned(request, register, role):
    client = token_client(request.getfixturevalue(role))
    # token, roles, count, page (alliance, parent and author joined)
    small = queries(client, AGREEMENTS, page_size=1)
    large = queries(client, AGREEMENTS, page_size=500)
    assert small == large == 4
    assert client.get(AGREEMENTS).json()["count"] > 0


def test_an_alliances_detail_lists_its_agreements_and_next_obligations(api, lead):
    from tests.governance.factories import ObligationFactory

    alliance = AllianceFactory(lead=lead)
    main = AgreementFactory(alliance=alliance, title="MAIN DEAL")
    ObligationFactory(agreement=main, title="LATER", due_date=today() + datetime.timedelta(days=9))
    ObligationFactory(agreement=main, title="LATE", due_date=today() - datetime.timedelta(days=3))
    ObligationFactory(agreement=main, title="PAID", status="met", met_on=today())
    body = api(lead).get(f"/api/v1/alliances/{alliance.pk}/").json()
    assert [a["title"] for a in body["agreements"]] == ["MAIN DEAL"]
    assert [(o["title"], o["overdue"]) for o in body["next_obligations"]] == [
        ("LATE", True),
        ("LATER", False),
    ]
