"""Confidentiality holes: work never outlives access, partners named only by confidential rows,
only the head flips the flag, and existence never leaks through status codes."""

import pytest

from alliances.models import ActivityLog
from resourcing.models import Assignment, Task
from tests.alliances.factories import AllianceFactory, MembershipFactory, PartnerFactory
from tests.helpers import assert_error
from tests.reports.factories import StatusReportFactory
from tests.resourcing.factories import (
    AssignmentFactory,
    IntakeFactory,
    SpecialistFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(head):
    return AllianceFactory(confidential=True, lead=head, name="NIGHTJAR")


@pytest.fixture
def insider(secret):
    """A specialist on the confidential alliance's team, holding an open task and a done one."""
    person = SpecialistFactory(services=["startup"]).user
    MembershipFactory(alliance=secret, user=person)
    return person


def remove(api, actor, alliance, user, **params):
    url = f"/api/v1/alliances/{alliance.pk}/members/{user.pk}/"
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api(actor).delete(f"{url}?{query}" if query else url)


def test_removing_a_member_who_holds_work_on_a_confidential_alliance_is_refused(
    api, head, secret, insider
):
    task = TaskFactory(alliance=secret, assignee=insider)
    TaskFactory(alliance=secret, assignee=insider, status="done")
    body = assert_error(remove(api, head, secret, insider), 409, "member_has_work")
    assert body["task_ids"] == [task.pk]
    assert body["assignment_ids"] == []
    assert secret.memberships.filter(user=insider).exists()  # nothing half-written


def test_an_assignment_counts_as_work_too(api, head, secret, insider):
    assignment = AssignmentFactory(alliance=secret, specialist=insider.specialist_profile)
    body = assert_error(remove(api, head, secret, insider), 409, "member_has_work")
    assert body["assignment_ids"] == [assignment.pk]


def test_hand_to_passes_the_work_on_and_then_they_see_nothing_of_the_alliance(
    api, head, secret, insider
):
    other = SpecialistFactory(services=["startup"]).user
    MembershipFactory(alliance=secret, user=other)
    task = TaskFactory(alliance=secret, assignee=insider, title="NIGHTJAR diligence pack")
    done = TaskFactory(alliance=secret, assignee=insider, status="done")
    assignment = AssignmentFactory(alliance=secret, specialist=insider.specialist_profile)
    StatusReportFactory(alliance=secret)
    assert remove(api, head, secret, insider, hand_to=other.pk).status_code == 204
    task.refresh_from_db()
    assignment.refresh_from_db()
    assert task.assignee == other
    assert (assignment.assignee, assignment.specialist) == (other, other.specialist_profile)
    assert ActivityLog.objects.filter(verb="task_handed_over", object_id=task.pk).exists()
    # Nothing of it anywhere: details, lists, search, filters, counts, actions.
    me = api(insider)
    for url in (
        f"/api/v1/alliances/{secret.pk}/",
        f"/api/v1/alliances/{secret.pk}/history/",
        f"/api/v1/tasks/{task.pk}/",
        f"/api/v1/tasks/{done.pk}/",
    ):
        assert me.get(url).status_code == 404, url
    assert me.post(f"/api/v1/tasks/{done.pk}/reopen/").status_code == 404
    assert me.get("/api/v1/tasks/").json()["count"] == 0
    assert me.get("/api/v1/tasks/", {"search": "NIGHTJAR"}).json()["count"] == 0
    assert me.get("/api/v1/tasks/", {"alliance": secret.pk}).json()["count"] == 0
    assert me.get("/api/v1/alliances/", {"search": "NIGHTJAR"}).json()["count"] == 0
    assert me.get("/api/v1/status-reports/").json()["count"] == 0


def test_hand_to_someone_who_cannot_take_the_work_is_a_400(api, head, secret, insider, lead2):
    TaskFactory(alliance=secret, assignee=insider)
    # lead2 is a lead, but not on the confidential alliance
    assert_error(remove(api, head, secret, insider, hand_to=lead2.pk), 400, field="hand_to")
    assert_error(remove(api, head, secret, insider, hand_to="1.5"), 400, field="hand_to")
    assert secret.memberships.filter(user=insider).exists()


def test_on_an_alliance_that_is_not_confidential_they_keep_their_own_task(api, lead, insider):
    open_alliance = AllianceFactory(lead=lead)
    MembershipFactory(alliance=open_alliance, user=insider)
    task = TaskFactory(alliance=open_alliance, assignee=insider)
    assert remove(api, lead, open_alliance, insider).status_code == 204
    assert api(insider).get(f"/api/v1/tasks/{task.pk}/").status_code == 200


def test_a_replaced_lead_hands_their_work_on_a_confidential_alliance_to_the_new_one(
    api, head, lead, lead2
):
    alliance = AllianceFactory(confidential=True, lead=lead)
    task = TaskFactory(alliance=alliance, assignee=lead)
    assignment = AssignmentFactory(alliance=alliance, specialist=None, assignee=lead)
    response = api(head).patch(
        f"/api/v1/alliances/{alliance.pk}/", {"lead": lead2.pk}, format="json"
    )
    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).assignee == lead2
    assert Assignment.objects.get(pk=assignment.pk).assignee == lead2
    assert api(lead).get(f"/api/v1/tasks/{task.pk}/").status_code == 404


def test_the_head_changes_confidentiality_with_a_note_and_it_is_logged(api, head, lead):
    alliance = AllianceFactory(lead=lead)
    url = f"/api/v1/alliances/{alliance.pk}/confidentiality/"
    assert_error(api(head).post(url, {"confidential": True}), 400, field="note")
    assert_error(api(head).post(url, {"confidential": True, "note": "  "}), 400, field="note")
    assert_error(
        api(head).post(url, {"confidential": "maybe", "note": "x"}), 400, field="confidential"
    )
    assert api(head).post(url, {"confidential": True, "note": "Board asked"}).status_code == 200
    assert_error(api(head).post(url, {"confidential": True, "note": "again"}), 409, "no_change")
    entry = ActivityLog.objects.get(verb="confidentiality_changed")
    assert (entry.changes, entry.note) == ({"confidential": [False, True]}, "Board asked")
    assert api(lead).post(url, {"confidential": False, "note": "x"}).status_code == 403


def test_confidentiality_is_404_to_those_who_cannot_see_the_alliance(api, lead2, secret):
    url = f"/api/v1/alliances/{secret.pk}/confidentiality/"
    assert api(lead2).post(url, {"confidential": False, "note": "x"}).status_code == 404
    assert api().post(url, {"confidential": False, "note": "x"}).status_code == 401


def test_marking_confidential_while_outsiders_hold_its_work_is_refused(api, head, lead):
    alliance = AllianceFactory(lead=lead)
    outsider_task = TaskFactory(alliance=alliance)
    TaskFactory(alliance=alliance, assignee=lead)  # the lead is on it
    url = f"/api/v1/alliances/{alliance.pk}/confidentiality/"
    body = assert_error(
        api(head).post(url, {"confidential": True, "note": "x"}), 409, "work_outside_team"
    )
    assert body["task_ids"] == [outsider_task.pk]
    alliance.refresh_from_db()
    assert alliance.confidential is False


def test_a_partner_named_only_by_confidential_rows_is_seen_only_through_them(
    api, head, lead, lead2, requester, secret
):
    hidden = secret.partner
    shared = PartnerFactory(name="Shared Bio")
    AllianceFactory(partner=shared, confidential=True, lead=head)
    AllianceFactory(partner=shared)
    lonely = PartnerFactory(name="Lonely Labs")
    asked = PartnerFactory(name="Asked Quietly")
    IntakeFactory(partner=asked, confidential=True, requester=requester)

    def names(user):
        return {p["name"] for p in api(user).get("/api/v1/partners/").json()["results"]}

    assert names(lead2) == {"Shared Bio", "Lonely Labs"}
    assert names(requester) == {"Shared Bio", "Lonely Labs", "Asked Quietly"}
    assert {hidden.name, "Asked Quietly"} <= names(head)
    assert api(lead2).get(f"/api/v1/partners/{hidden.pk}/").status_code == 404
    MembershipFactory(alliance=secret, user=lead2)
    assert hidden.name in names(lead2)
    assert lonely.pk and shared.pk


def test_a_hidden_partner_in_a_request_is_refused_like_one_that_does_not_exist(
    api, requester, secret
):
    body = {
        "title": "Ask",
        "therapeutic_area": secret.therapeutic_area.code,
        "alliance_type": "licensing",
        "direction": "in",
        "description": "x",
        "differentiating": False,
        "mission_critical": False,
        "complexity": "low",
        "desired_start_date": "2027-03-01",
        "requested_services": ["startup"],
    }
    hidden = api(requester).post("/api/v1/intake-requests/", {**body, "partner": secret.partner.pk})
    missing = api(requester).post("/api/v1/intake-requests/", {**body, "partner": 999999})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["partner"][0].replace(str(secret.partner.pk), "N") == missing.json()[
        "partner"
    ][0].replace("999999", "N")
