"""The bodies (with their members), meetings and partner contacts lists answer in a fixed number
of queries, whatever the page size."""

import datetime

import pytest
from django.utils import timezone

from governance.choices import MeetingStatus, MemberRole
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.alliances.test_query_counts import queries, token_client
from tests.governance.factories import (
    BodyMemberFactory,
    GovernanceBodyFactory,
    MeetingFactory,
    PartnerContactFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def governance(lead, specialist):
    for n in range(8):
        alliance = AllianceFactory(confidential=n % 4 == 0)
        MembershipFactory(alliance=alliance, user=lead)
        jsc = GovernanceBodyFactory(alliance=alliance)
        jdc = GovernanceBodyFactory(alliance=alliance, kind="jdc", parent=jsc)
        if n == 0:  # the specialist sits on a confidential alliance's JSC
            BodyMemberFactory(body=jsc, user=specialist)
        for body in (jsc, jdc):
            BodyMemberFactory(body=body, role=MemberRole.CO_CHAIR)
            BodyMemberFactory(body=body)
            contact = PartnerContactFactory(partner=alliance.partner)
            BodyMemberFactory(body=body, user=None, contact=contact, role=MemberRole.CO_CHAIR)
            MeetingFactory(body=body)
            held = MeetingFactory(
                body=body,
                status=MeetingStatus.HELD,
                starts_at=timezone.now() - datetime.timedelta(days=40),
            )
            held.attendees.set(body.members.all())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # token, roles, count, page (parents and next meeting joined), members with people
        ("/api/v1/governance-bodies/", 5),
        # token, roles, count, page (bodies, alliances, minutes overdue), attendees
        ("/api/v1/meetings/", 5),
        # token, roles (partners named only by confidential alliances), count, page
        ("/api/v1/partner-contacts/", 4),
    ],
)
@pytest.mark.parametrize("role", ["head", "lead", "executive", "specialist"])
def test_governance_lists_are_pinned(request, governance, url, expected, role):
    client = token_client(request.getfixturevalue(role))
    small = queries(client, url, page_size=1)
    large = queries(client, url, page_size=500)
    assert small == large == expected
    assert client.get(url).json()["count"] > 0
