"""Is governance running as agreed? Computed when read, per body: meetings held in the last 12
months against the contract's minimum, minutes overdue, open and overdue action items, and the
co-chairs, co-secretaries and alliance managers without valid governance-role training. Every
figure is a subquery on the body's row, so a page of bodies costs the same few queries however
many meetings, items and members lie behind it. Training validity, the rule the figures and
the recommendation's factor share, lives here too."""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from alliances.calendar import local_date, today

from .choices import TRAINED_ROLES, ActionStatus, CourseKind, MeetingStatus
from .models import ActionItem, BodyMember, GovernanceBody, Meeting, TrainingCompletion
from .querysets import action_overdue_q, active_body_q, minutes_overdue_q

HELD = (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED)
CADENCE_WINDOW = datetime.timedelta(days=365)


# Training ------------------------------------------------------------------------------------


def completion_valid_q(day: datetime.date | None = None, prefix: str = "") -> Q:
    """A completion counts from the day it was completed until the day it expires (that day no
    longer); a course without a validity never expires."""
    day = day or today()
    return Q(**{f"{prefix}completed_on__lte": day}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gt": day})
    )


def governance_trained(user, day: datetime.date | None = None) -> Exists:
    """`user` (an id, a user or an OuterRef) holds valid governance-role training."""
    return Exists(
        TrainingCompletion.objects.filter(
            completion_valid_q(day), user=user, course__kind=CourseKind.GOVERNANCE_ROLE
        )
    )


def governance_training_of(user, day: datetime.date | None = None) -> dict:
    """Whether `user` holds valid governance-role training, and until when (the latest expiry
    of their valid completions; None for one that never expires)."""
    valid = list(
        TrainingCompletion.objects.filter(
            completion_valid_q(day), user=user, course__kind=CourseKind.GOVERNANCE_ROLE
        ).values_list("expires_on", flat=True)
    )
    if not valid:
        return {"trained": False, "valid_until": None}
    until = None if None in valid else max(valid)
    return {"trained": True, "valid_until": until.isoformat() if until else None}


# Compliance ----------------------------------------------------------------------------------


def _count(rows: QuerySet) -> Coalesce:
    """The number of `rows` (already tied to the outer body), as a correlated subquery."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_compliance(bodies: QuerySet, *, now: datetime.datetime | None = None) -> QuerySet:
    """`bodies` with every compliance figure as an annotation (see the module's docstring)."""
    now = now or timezone.now()
    day = local_date(now)
    meetings = Meeting.objects.filter(body=OuterRef("pk"))
    held = meetings.filter(status__in=HELD, starts_at__lte=now)
    items = ActionItem.objects.filter(meeting__body=OuterRef("pk"))
    role_holders = BodyMember.objects.filter(
        body=OuterRef("pk"), role__in=TRAINED_ROLES, user__isnull=False
    )
    return (
        bodies.annotate(
            is_active=Case(When(active_body_q(day), then=Value(True)), default=Value(False)),
            meetings_held=_count(held.filter(starts_at__gte=now - CADENCE_WINDOW)),
            last_meeting_at=Subquery(held.order_by("-starts_at").values("starts_at")[:1]),
            next_meeting_at=Subquery(
                meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now)
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
            minutes_overdue=_count(meetings.filter(minutes_overdue_q(now))),
            actions_open=_count(items.filter(status=ActionStatus.OPEN)),
            actions_overdue=_count(items.filter(action_overdue_q(day))),
            untrained=_count(role_holders.filter(~governance_trained(OuterRef("user_id"), day))),
        )
        .annotate(
            # A dissolved body owes no meetings.
            below_cadence=Case(
                When(
                    is_active=True, meetings_held__lt=F("min_meetings_per_year"), then=Value(True)
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .annotate(
            ok=Case(
                When(
                    below_cadence=False,
                    minutes_overdue=0,
                    actions_overdue=0,
                    untrained=0,
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def compliance_rows(*, ids: list[int], now: datetime.datetime | None = None) -> list:
    """The bodies `ids` (a page, already checked against the reader's visibility), in that
    order, with their figures and the untrained role holders by name: two queries."""
    day = local_date(now) if now else today()
    untrained = (
        BodyMember.objects.filter(role__in=TRAINED_ROLES, user__isnull=False)
        .filter(~governance_trained(OuterRef("user_id"), day))
        .select_related("user")
        .order_by("role", "user__username", "pk")
    )
    rows = (
        with_compliance(GovernanceBody.objects.filter(pk__in=ids), now=now)
        .select_related("alliance")
        .prefetch_related(Prefetch("members", queryset=untrained, to_attr="untrained_members"))
    )
    by_id = {body.pk: body for body in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def compliance_summary(bodies: QuerySet, *, now: datetime.datetime | None = None) -> dict:
    """Totals over `bodies` (what the reader sees, filtered): four queries, whatever their
    number. The sums are counted from the rows themselves: Django 5.2 drops a summed
    subquery annotation from the inner query of an aggregate (SQLite then sums a string)."""
    now = now or timezone.now()
    day = local_date(now)
    ids = bodies.order_by().values("pk")
    flags = with_compliance(bodies.order_by(), now=now).aggregate(
        bodies=Count("pk"),
        bodies_below_cadence=Count("pk", filter=Q(below_cadence=True)),
        bodies_not_ok=Count("pk", filter=Q(ok=False)),
    )
    actions = ActionItem.objects.filter(meeting__body__in=ids).aggregate(
        actions_open=Count("pk", filter=Q(status=ActionStatus.OPEN)),
        actions_overdue=Count("pk", filter=action_overdue_q(day)),
    )
    return {
        **flags,
        "minutes_overdue": Meeting.objects.filter(minutes_overdue_q(now), body__in=ids).count(),
        **actions,
        "untrained_role_holders": BodyMember.objects.filter(
            ~governance_trained(OuterRef("user_id"), day),
            body__in=ids,
            role__in=TRAINED_ROLES,
            user__isnull=False,
        ).count(),
    }


# The recommendation's management-model factor (registered with resourcing.hooks) ------------


def proposed_lead_training(*, intake, management_model: str) -> dict:
    """A self-managed alliance is run by a trained business lead: show whether the proposed
    lead (the requester: a request names no other) holds valid governance-role training. A
    factor beside the recommendation, never a veto; other models get nothing."""
    from alliances.api.serializers import full_name
    from alliances.choices import ManagementModel

    if management_model != ManagementModel.SELF_MANAGED:
        return {}
    lead = intake.requester
    training = governance_training_of(lead.pk)
    name = full_name(lead)
    if training["trained"]:
        until = training["valid_until"]
        note = f"{name} holds valid governance-role training" + (
            f" until {until}." if until else "."
        )
    else:
        note = (
            f"{name} holds no valid governance-role training: a business team runs a "
            "self-managed alliance well only with it, so plan the training (this does not "
            "change the recommendation)."
        )
    return {
        "proposed_lead_training": {
            "user": {"id": lead.pk, "username": lead.get_username(), "full_name": name},
            "proposed_as": "requester",
            **training,
            "note": note,
        }
    }
