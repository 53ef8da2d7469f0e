"""Governance reads, each through the one visibility method, with the joins its list needs."""

from django.db.models import (
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from .choices import MeetingStatus
from .models import (
    Agreement,
    AgreementStep,
    BodyMember,
    GovernanceBody,
    Meeting,
    MeetingStep,
    PartnerContact,
)

# Bodies, members and partner contacts ------------------------------------------------------


def partner_contact_list(*, user) -> QuerySet[PartnerContact]:
    return PartnerContact.objects.visible_to(user).select_related("partner")


def body_members() -> QuerySet[BodyMember]:
    return BodyMember.objects.select_related("user", "contact").order_by("role", "pk")


def next_meeting_at() -> Subquery:
    """The start of the body's next scheduled meeting (None without one)."""
    return Subquery(
        Meeting.objects.filter(
            body=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at", "pk")
        .values("starts_at")[:1]
    )


def body_list(*, user) -> QuerySet[GovernanceBody]:
    """Bodies the user may see, each with its members, its parent and its next meeting."""
    return (
        GovernanceBody.objects.visible_to(user)
        .select_related("alliance", "parent")
        .prefetch_related(Prefetch("members", queryset=body_members()))
        .annotate(next_meeting_at=next_meeting_at())
    )


# Meetings ------------------------------------------------------------------------------------


def meeting_list(*, user) -> QuerySet[Meeting]:
    """Meetings the user may see, with `minutes_overdue` (querysets.minutes_overdue_q)."""
    return (
        Meeting.objects.visible_to(user)
        .select_related("alliance", "body", "created_by")
        .prefetch_related(Prefetch("attendees", queryset=BodyMember.objects.only("pk", "body")))
        .with_minutes_overdue()
    )


def meeting_detail_queryset(*, user) -> QuerySet[Meeting]:
    """A meeting with its logistics steps (the tasks and whose they are)."""
    steps = MeetingStep.objects.select_related("task__assignee").order_by("task__due_date", "pk")
    return meeting_list(user=user).prefetch_related(Prefetch("steps", queryset=steps))


# Agreements ----------------------------------------------------------------------------------


def agreement_list(*, user) -> QuerySet[Agreement]:
    """Agreements the user may see (exactly those of the alliances they see), with their
    alliance, parent and author."""
    return Agreement.objects.visible_to(user).select_related("alliance", "parent", "created_by")


def agreement_detail_queryset(*, user) -> QuerySet[Agreement]:
    """An agreement with the playbook steps it started (the tasks and whose they are)."""
    steps = AgreementStep.objects.select_related("task__assignee").order_by("task__due_date", "pk")
    return agreement_list(user=user).prefetch_related(Prefetch("steps", queryset=steps))
