"""governance/compliance/: per body, worked out when read; and its summary."""

import datetime

import pytest
from django.utils import timezone

from alliances.calendar import today
from governance.choices import MeetingStatus, MemberRole
from tests.alliances.factories import AllianceFactory, UserFactory
from tests.alliances.test_query_counts import queries, token_client
from tests.governance.factories import (
    ActionItemFactory,
    BodyMemberFactory,
    GovernanceBodyFactory,
    MeetingFactory,
    PartnerContactFactory,
    TrainingCompletionFactory,
    TrainingCourseFactory,
)
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/governance/compliance/"
SUMMARY = f"{URL}summary/"


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def jsc():
    """Minimum 4 a year: three held in the last 12 months (one with minutes overdue), one held
    13 months ago (minutes approved), one cancelled, one scheduled; two overdue actions, one
    open, one done late; a trained co-chair, an untrained co-secretary, an untrained member
    (no role to train for) and the partner's co-chair."""
    body = GovernanceBodyFactory(name="JSC", min_meetings_per_year=4)
    MeetingFactory(body=body, status=MeetingStatus.HELD, starts_at=ago(40))  # minutes overdue
    MeetingFactory(body=body, status=MeetingStatus.HELD, starts_at=ago(10))  # not yet overdue
    approved = MeetingFactory(body=body, status=MeetingStatus.MINUTES_APPROVED, starts_at=ago(200))
    MeetingFactory(body=body, status=MeetingStatus.MINUTES_APPROVED, starts_at=ago(400))  # too old
    MeetingFactory(body=body, status=MeetingStatus.CANCELLED, starts_at=ago(100))
    upcoming = MeetingFactory(body=body, starts_at=timezone.now() + datetime.timedelta(days=30))
    late = today() - datetime.timedelta(days=3)
    ActionItemFactory.create_batch(2, meeting=approved, due_date=late)
    ActionItemFactory(meeting=approved)
    ActionItemFactory(meeting=approved, due_date=late, status="done")
    chair = BodyMemberFactory(body=body, role=MemberRole.CO_CHAIR)
    TrainingCompletionFactory(user=chair.user)
    secretary = BodyMemberFactory(
        body=body, role=MemberRole.CO_SECRETARY, user=UserFactory(username="secretary")
    )
    TrainingCompletionFactory(  # expired
        user=secretary.user, completed_on=today() - datetime.timedelta(days=800)
    )
    TrainingCompletionFactory(  # valid, but not for a governance role
        user=secretary.user, course=TrainingCourseFactory(kind="partnering")
    )
    BodyMemberFactory(body=body, role=MemberRole.MEMBER)
    BodyMemberFactory(
        body=body,
        user=None,
        contact=PartnerContactFactory(partner=body.alliance.partner),
        role=MemberRole.CO_CHAIR,
    )
    return {"body": body, "approved": approved, "upcoming": upcoming, "secretary": secretary}


def test_the_figures(api, head, jsc):
    (row,) = api(head).get(URL).json()["results"]
    assert row["id"] == jsc["body"].pk
    assert row["min_meetings_per_year"] == 4
    assert row["meetings_held_12_months"] == 3
    assert row["below_cadence"] is True
    assert row["minutes_overdue"] == 1
    assert (row["actions_open"], row["actions_overdue"]) == (3, 2)
    assert [p["username"] for p in row["untrained_role_holders"]] == ["secretary"]
    assert row["untrained_role_holders"][0]["role"] == "co_secretary"
    assert row["next_meeting_at"] is not None
    assert row["last_meeting_at"] is not None
    assert row["active"] is True and row["ok"] is False


def test_a_body_in_order_is_ok(api, head):
    body = GovernanceBodyFactory(min_meetings_per_year=1)
    MeetingFactory(body=body, status=MeetingStatus.MINUTES_APPROVED, starts_at=ago(60))
    chair = BodyMemberFactory(body=body, role=MemberRole.ALLIANCE_MANAGER)
    TrainingCompletionFactory(user=chair.user, course=TrainingCourseFactory(validity_months=None))
    (row,) = api(head).get(URL).json()["results"]
    assert (row["below_cadence"], row["untrained_role_holders"], row["ok"]) == (False, [], True)


def test_a_dissolved_body_owes_no_meetings(api, head):
    GovernanceBodyFactory(min_meetings_per_year=4, dissolved_on=today())
    (row,) = api(head).get(URL).json()["results"]
    assert (row["active"], row["below_cadence"], row["ok"]) == (False, False, True)


def test_the_summary_totals_what_the_caller_sees(api, head, lead, jsc):
    hidden = GovernanceBodyFactory(alliance=AllianceFactory(confidential=True))
    MeetingFactory(body=hidden, status=MeetingStatus.HELD, starts_at=ago(60))
    assert api(head).get(SUMMARY).json() == {
        "bodies": 2,
        "bodies_below_cadence": 2,
        "bodies_not_ok": 2,
        "minutes_overdue": 2,
        "actions_open": 3,
        "actions_overdue": 2,
        "untrained_role_holders": 1,
    }
    summary = api(lead).get(SUMMARY).json()
    assert (summary["bodies"], summary["minutes_overdue"]) == (1, 1)
    assert api(lead).get(URL).json()["count"] == 1
    assert api(lead).get(f"{URL}{hidden.pk}/").status_code == 404
    assert api(head).get(SUMMARY, {"alliance": hidden.alliance_id}).json()["bodies"] == 1


def test_filters(api, head, jsc):
    other = GovernanceBodyFactory(kind="jdc", min_meetings_per_year=0)
    client = api(head)

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(alliance=other.alliance_id) == {other.pk}
    assert ids(kind="jdc") == {other.pk}
    assert ids(non_compliant="true") == {jsc["body"].pk}
    assert ids(non_compliant="false") == {other.pk}
    assert ids(active="true") == {other.pk, jsc["body"].pk}
    assert ids(active="false") == set()
    assert ids(therapeutic_area="oncology") == {other.pk, jsc["body"].pk}
    assert ids(stage="commercial") == set()
    for bad in ({"kind": "club"}, {"active": "maybe"}, {"alliance": "-1"}, {"stage": "x"}):
        assert_error(client.get(URL, bad), 400, field=next(iter(bad)))
    assert_error(client.get(SUMMARY, {"kind": "club"}), 400, field="kind")


def test_a_specialist_sees_only_bodies_they_sit_on(api, specialist, jsc):
    assert api(specialist).get(URL).json()["count"] == 0
    BodyMemberFactory(body=jsc["body"], user=specialist)
    assert api(specialist).get(URL).json()["count"] == 1
    assert api(specialist).get(SUMMARY).json()["bodies"] == 1


def test_read_only_and_signed_in_only(api, head, jsc):
    assert api(head).post(URL, {}, format="json").status_code == 405
    assert api(None).get(URL).status_code == 401
    assert api(None).get(SUMMARY).status_code == 401


def test_detail(api, head, jsc):
    row = api(head).get(f"{URL}{jsc['body'].pk}/").json()
    assert row["meetings_held_12_months"] == 3


@pytest.mark.parametrize("role", ["head", "lead", "executive"])
def test_query_counts_are_pinned(request, role):
    user = request.getfixturevalue(role)
    for n in range(6):
        body = GovernanceBodyFactory(alliance__confidential=n == 0, min_meetings_per_year=3)
        meeting = MeetingFactory(body=body, status=MeetingStatus.HELD, starts_at=ago(45))
        ActionItemFactory(meeting=meeting, due_date=today() - datetime.timedelta(days=1))
        BodyMemberFactory.create_batch(2, body=body, role=MemberRole.CO_SECRETARY)
    client = token_client(user)
    # token, roles, count, the page's ids, the page's figures, its untrained role holders
    assert queries(client, URL, page_size=1) == queries(client, URL, page_size=500) == 6
    # token, roles, the bodies' flags, minutes, actions, untrained role holders
    assert queries(client, SUMMARY) == 6
