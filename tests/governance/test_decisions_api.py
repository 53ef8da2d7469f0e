"""decisions/: recorded on held meetings, escalated only up the escalation path, logged; read by
whoever sees the alliance."""

import pytest

from alliances.models import ActivityLog
from governance.choices import MeetingStatus
from governance.models import Decision
from tests.alliances.factories import AllianceFactory
from tests.alliances.test_query_counts import queries, token_client
from tests.governance.factories import DecisionFactory, GovernanceBodyFactory, MeetingFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/decisions/"


@pytest.fixture
def path():
    """subteam → JDC → JSC, on one alliance; and a held meeting of the subteam."""
    alliance = AllianceFactory()
    jsc = GovernanceBodyFactory(alliance=alliance, name="JSC")
    jdc = GovernanceBodyFactory(alliance=alliance, name="JDC", kind="jdc", parent=jsc)
    subteam = GovernanceBodyFactory(
        alliance=alliance, name="CMC subteam", kind="subteam", parent=jdc
    )
    meeting = MeetingFactory(body=subteam, status=MeetingStatus.HELD)
    return {"alliance": alliance, "jsc": jsc, "jdc": jdc, "subteam": subteam, "meeting": meeting}


def test_a_lead_records_a_decision_and_it_is_logged(api, lead, path):
    body = {"meeting": path["meeting"].pk, "text": "Go to phase 2.", "outcome": "approved"}
    response = api(lead).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["outcome"] == "approved"
    assert data["escalated_to"] is None
    assert data["body"]["id"] == path["subteam"].pk
    assert data["alliance"]["id"] == path["alliance"].pk
    assert data["created_by"]["id"] == lead.pk
    entry = ActivityLog.objects.get(verb="decision_recorded")
    assert entry.alliance_id == path["alliance"].pk
    assert entry.object_id == data["id"]


@pytest.mark.parametrize("up", ["jdc", "jsc"])
def test_escalated_to_any_body_up_the_path(api, head, path, up):
    body = {
        "meeting": path["meeting"].pk,
        "text": "Cannot agree the budget.",
        "outcome": "escalated",
        "escalated_to": path[up].pk,
    }
    response = api(head).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["escalated_to"]["id"] == path[up].pk


def test_escalation_must_go_up_the_path_and_the_message_names_it(api, lead, path):
    sibling = GovernanceBodyFactory(alliance=path["alliance"], name="JRC", kind="jrc")
    for target in (path["subteam"], sibling):  # itself; a body not above it
        body = {
            "meeting": path["meeting"].pk,
            "text": "Escalate.",
            "outcome": "escalated",
            "escalated_to": target.pk,
        }
        error = assert_error(api(lead).post(URL, body, format="json"), 400, field="escalated_to")
        assert "JDC" in error["escalated_to"][0] and "JSC" in error["escalated_to"][0]
    missing = {"meeting": path["meeting"].pk, "text": "Escalate.", "outcome": "escalated"}
    assert_error(api(lead).post(URL, missing, format="json"), 400, field="escalated_to")
    assert not Decision.objects.exists()


def test_a_body_at_the_top_has_nowhere_to_escalate(api, lead, path):
    meeting = MeetingFactory(body=path["jsc"], status=MeetingStatus.HELD)
    body = {
        "meeting": meeting.pk,
        "text": "Escalate.",
        "outcome": "escalated",
        "escalated_to": path["jdc"].pk,
    }
    error = assert_error(api(lead).post(URL, body, format="json"), 400, field="escalated_to")
    assert "has none" in error["escalated_to"][0]


def test_an_escalation_on_another_alliance_is_refused(api, lead, path):
    elsewhere = GovernanceBodyFactory()
    body = {
        "meeting": path["meeting"].pk,
        "text": "Escalate.",
        "outcome": "escalated",
        "escalated_to": elsewhere.pk,
    }
    assert_error(api(lead).post(URL, body, format="json"), 400, field="escalated_to")


def test_only_an_escalated_decision_names_a_body(api, lead, path):
    body = {
        "meeting": path["meeting"].pk,
        "text": "Approved.",
        "outcome": "approved",
        "escalated_to": path["jdc"].pk,
    }
    assert_error(api(lead).post(URL, body, format="json"), 400, field="escalated_to")


@pytest.mark.parametrize("state", [MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED])
def test_decisions_need_a_held_meeting(api, lead, path, state):
    meeting = MeetingFactory(body=path["subteam"], status=state)
    body = {"meeting": meeting.pk, "text": "Too early.", "outcome": "deferred"}
    assert_error(api(lead).post(URL, body, format="json"), 409, code="meeting_not_held")
    assert not Decision.objects.exists()
    assert not ActivityLog.objects.filter(verb="decision_recorded").exists()


def test_minutes_approved_meetings_take_decisions_too(api, lead, path):
    meeting = MeetingFactory(body=path["subteam"], status=MeetingStatus.MINUTES_APPROVED)
    body = {"meeting": meeting.pk, "text": "Noted late.", "outcome": "rejected"}
    assert api(lead).post(URL, body, format="json").status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "x", "outcome": "approved"}, "meeting"),
        ({"meeting": "1.5", "text": "x", "outcome": "approved"}, "meeting"),
        ({"meeting": True, "text": "x", "outcome": "approved"}, "meeting"),
        ({"meeting": None, "text": "x", "outcome": "maybe"}, "outcome"),
        ({"meeting": None, "text": "", "outcome": "approved"}, "text"),
        ({"meeting": None, "text": "x", "outcome": "approved", "created_by": 1}, "created_by"),
        ({"meeting": None, "text": "x", "outcome": "approved", "colour": "red"}, "colour"),
        ({"meeting": None, "text": 5, "outcome": "approved"}, "text"),
    ],
)
def test_bad_input_is_a_400_on_the_field(api, lead, path, body, field):
    if body.get("meeting", 0) is None:
        body["meeting"] = path["meeting"].pk
    assert_error(api(lead).post(URL, body, format="json"), 400, field=field)


def test_a_meeting_on_a_hidden_alliance_is_a_400_not_a_404(api, lead):
    hidden = MeetingFactory(body__alliance__confidential=True, status=MeetingStatus.HELD)
    body = {"meeting": hidden.pk, "text": "x", "outcome": "approved"}
    assert_error(api(lead).post(URL, body, format="json"), 400, field="meeting")


@pytest.mark.parametrize("role", ["executive", "specialist", "requester"])
def test_only_leads_and_the_head_record_decisions(request, api, path, role):
    user = request.getfixturevalue(role)
    body = {"meeting": path["meeting"].pk, "text": "x", "outcome": "approved"}
    assert_error(api(user).post(URL, body, format="json"), 403)
    assert api(None).post(URL, body, format="json").status_code == 401


def test_readers_see_decisions_of_alliances_they_see(api, executive, specialist, path):
    decision = DecisionFactory(meeting=path["meeting"])
    hidden = DecisionFactory(meeting__body__alliance__confidential=True)
    ids = {row["id"] for row in api(executive).get(URL).json()["results"]}
    assert decision.pk in ids and hidden.pk not in ids
    assert api(executive).get(f"{URL}{hidden.pk}/").status_code == 404
    assert api(specialist).get(URL).json()["count"] == 0
    assert api(specialist).get(f"{URL}{decision.pk}/").status_code == 404


def test_filters(api, head, path):
    escalated = DecisionFactory(
        meeting=path["meeting"], outcome="escalated", escalated_to=path["jdc"]
    )
    other = DecisionFactory()
    client = api(head)

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(alliance=path["alliance"].pk) == {escalated.pk}
    assert ids(body=path["subteam"].pk) == {escalated.pk}
    assert ids(meeting=other.meeting_id) == {other.pk}
    assert ids(outcome="escalated") == {escalated.pk}
    assert ids(outcome="approved") == {other.pk}
    assert ids(escalated_to=path["jdc"].pk) == {escalated.pk}
    assert_error(client.get(URL, {"outcome": "maybe"}), 400, field="outcome")
    assert_error(client.get(URL, {"alliance": "x"}), 400, field="alliance")


def test_no_delete_or_edit(api, head, path):
    decision = DecisionFactory(meeting=path["meeting"])
    assert api(head).delete(f"{URL}{decision.pk}/").status_code == 405
    assert api(head).patch(f"{URL}{decision.pk}/", {"text": "y"}, format="json").status_code == 405


@pytest.mark.parametrize("role", ["head", "lead", "executive"])
def test_list_query_count_is_pinned(request, role):
    user = request.getfixturevalue(role)
    for n in range(6):
        jsc = GovernanceBodyFactory(alliance__confidential=n == 0)
        DecisionFactory.create_batch(
            2, meeting__body=jsc, outcome="escalated", escalated_to=GovernanceBodyFactory()
        )
        DecisionFactory(meeting__body=jsc)
    client = token_client(user)
    # token, roles, count, page
    assert queries(client, URL, page_size=1) == queries(client, URL, page_size=500) == 4
