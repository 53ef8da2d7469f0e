"""The demo's governance: committees on most active alliances, a year of meetings with some
minutes awaiting approval and some actions overdue, one committee below its cadence, upcoming
meetings with their logistics steps, and training with one co-chair lacking it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from alliances.calendar import today
from governance.choices import MeetingStatus, MemberRole
from governance.models import (
    ActionItem,
    BodyMember,
    GovernanceBody,
    Meeting,
    MeetingStep,
    TrainingCompletion,
)
from governance.querysets import action_overdue_q, minutes_overdue_q

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_governance_to_work_with(demo):
    assert "Demo governance: loaded" in demo
    assert GovernanceBody.objects.filter(kind="jsc").count() >= 30
    assert GovernanceBody.objects.filter(kind="jdc", parent__kind="jsc").exists()
    assert GovernanceBody.objects.filter(kind="subteam", parent__kind="jdc").exists()
    assert Meeting.objects.filter(minutes_overdue_q()).exists()
    assert Meeting.objects.filter(status=MeetingStatus.MINUTES_APPROVED).count() > 100
    assert ActionItem.objects.filter(action_overdue_q()).exists()
    assert ActionItem.objects.filter(status="open", due_date__gte=today()).exists()
    # Open internal actions are in their owners' queues.
    assert not ActionItem.objects.filter(status="open", task__isnull=True).exists()
    upcoming = Meeting.objects.filter(status="scheduled", starts_at__gt=timezone.now())
    assert upcoming.count() >= 10
    assert MeetingStep.objects.filter(meeting__in=upcoming).count() >= upcoming.count()
    # One committee met once in the last year against a contract asking for four.
    year_ago = timezone.now() - timezone.timedelta(days=365)
    below = [
        body
        for body in GovernanceBody.objects.filter(min_meetings_per_year__gt=0)
        if body.meetings.filter(
            starts_at__gte=year_ago, status__in=["held", "minutes_approved"]
        ).count()
        < body.min_meetings_per_year
    ]
    assert below
    # A co-chair without governance-role training.
    chairs = BodyMember.objects.filter(role=MemberRole.CO_CHAIR, user__isnull=False)
    trained = TrainingCompletion.objects.filter(course__kind="governance_role").values("user")
    assert chairs.exclude(user__in=trained).exists()
    assert chairs.filter(user__in=trained).exists()


def test_a_second_load_keeps_what_users_changed(demo):
    body = GovernanceBody.objects.first()
    body.name = "RENAMED JSC"
    body.save()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo governance: already has data" in out.getvalue()
    body.refresh_from_db()
    assert body.name == "RENAMED JSC"


def test_the_demo_has_agreements_and_obligations(demo):
    from governance.models import Agreement, Obligation

    assert "Demo agreements and obligations: loaded" in demo
    from alliances.models import Alliance

    assert not Alliance.objects.exclude(agreements__kind="collaboration").exists()
    subsidiary = Agreement.objects.filter(kind__in=["quality", "pv_sdea", "supply", "data_use"])
    assert set(subsidiary.values_list("status", flat=True)) >= {
        "planned",
        "drafting",
        "negotiating",
        "executed",
        "abandoned",
    }
    kinds = set(Obligation.objects.values_list("kind", flat=True))
    assert {"upfront", "milestone", "royalty", "report", "notice"} <= kinds
    assert set(Obligation.objects.values_list("direction", flat=True)) >= {"incoming", "outgoing"}
    assert len(set(Obligation.objects.exclude(currency="").values_list("currency", flat=True))) >= 3
    assert Obligation.objects.overdue().exists()
    assert Obligation.objects.filter(status="disputed").count() == 1
    assert Obligation.objects.filter(status="upcoming").exists()  # waiting on a trigger
