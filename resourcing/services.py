"""Front-door writes: keyword-only, atomic, given the actor, each with its activity-log entry."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alliances.activity import activity_record, apply_changes, initial_changes
from alliances.calendar import add_business_days, local_date
from config.api.exceptions import DomainError

from .choices import INTAKE_EDGES, IntakeStatus, MessageKind
from .models import IntakeMessage, IntakeRequest, LeavePeriod, Specialist


def _sla_due(moment):
    return add_business_days(local_date(moment), settings.INTAKE_TRIAGE_SLA_DAYS)


@transaction.atomic
def intake_submit(*, actor, data: dict, services: list) -> IntakeRequest:
    """Any signed-in user asks for a partnership to be resourced."""
    now = timezone.now()
    intake = IntakeRequest(
        **data,
        requester=actor,
        status=IntakeStatus.SUBMITTED,
        submitted_at=now,
        sla_due=_sla_due(now),
    )
    intake.full_clean()
    intake.save()
    intake.requested_services.set(services)
    activity_record(
        actor=actor,
        verb="submitted",
        target=intake,
        changes={
            **initial_changes(data),
            "requested_services": [None, sorted(s.code for s in services)],
        },
    )
    return intake


def _move(*, actor, intake: IntakeRequest, to: str, verb: str, note: str = "", **fields):
    """Lock the request, check the edge, move it and log the move."""
    locked = IntakeRequest.objects.select_for_update().get(pk=intake.pk)
    if to not in INTAKE_EDGES[locked.status]:
        allowed = ", ".join(sorted(INTAKE_EDGES[locked.status])) or "nothing (it is final)"
        raise DomainError(
            "illegal_transition",
            f"This request is {locked.status}; from {locked.status} it can move to {allowed}.",
        )
    changes = apply_changes(locked, {"status": to, **fields})
    locked.save()
    activity_record(actor=actor, verb=verb, target=locked, changes=changes, note=note)
    return locked


@transaction.atomic
def intake_triage(*, actor, intake: IntakeRequest) -> IntakeRequest:
    return _move(actor=actor, intake=intake, to=IntakeStatus.TRIAGE, verb="triage_started")


@transaction.atomic
def intake_decline(*, actor, intake: IntakeRequest, reason: str) -> IntakeRequest:
    return _move(
        actor=actor,
        intake=intake,
        to=IntakeStatus.DECLINED,
        verb="declined",
        note=reason,
        decline_reason=reason,
        decided_by=actor,
        decided_at=timezone.now(),
    )


@transaction.atomic
def intake_request_info(*, actor, intake: IntakeRequest, question: str) -> IntakeRequest:
    moved = _move(
        actor=actor, intake=intake, to=IntakeStatus.NEEDS_INFO, verb="info_requested", note=question
    )
    IntakeMessage.objects.create(
        intake_request=moved, kind=MessageKind.QUESTION, author=actor, text=question
    )
    return moved


@transaction.atomic
def intake_answer(*, actor, intake: IntakeRequest, answer: str) -> IntakeRequest:
    """The requester answers; the request goes back to submitted and its SLA starts again."""
    now = timezone.now()
    moved = _move(
        actor=actor,
        intake=intake,
        to=IntakeStatus.SUBMITTED,
        verb="answered",
        note=answer,
        submitted_at=now,
        sla_due=_sla_due(now),
    )
    IntakeMessage.objects.create(
        intake_request=moved, kind=MessageKind.ANSWER, author=actor, text=answer
    )
    return moved


# Specialists -------------------------------------------------------------------------------


def _set_relations(specialist: Specialist, relations: dict, changes: dict) -> None:
    for name in ("services", "therapeutic_areas"):
        if name in relations:
            manager = getattr(specialist, name)
            before = sorted(manager.values_list("code", flat=True))
            after = sorted(item.code for item in relations[name])
            if before != after:
                manager.set(relations[name])
                changes[name] = [before, after]
    if "leave_periods" in relations:
        before = [
            [p.start.isoformat(), p.end.isoformat(), p.note] for p in specialist.leave_periods.all()
        ]
        specialist.leave_periods.all().delete()
        periods = [
            LeavePeriod(specialist=specialist, **period) for period in relations["leave_periods"]
        ]
        for period in periods:
            period.full_clean(exclude=["specialist"])
        LeavePeriod.objects.bulk_create(periods)
        after = [[p.start.isoformat(), p.end.isoformat(), p.note] for p in periods]
        if before != after:
            changes["leave_periods"] = [before, after]


RELATIONS = ("services", "therapeutic_areas", "leave_periods")


@transaction.atomic
def specialist_create(*, actor, data: dict) -> Specialist:
    fields = {k: v for k, v in data.items() if k not in RELATIONS}
    if Specialist.objects.filter(user=fields["user"]).exists():
        raise DomainError("already_specialist", "This person already has a specialist profile.")
    specialist = Specialist(**fields)
    specialist.full_clean()
    specialist.save()
    changes = initial_changes(fields)
    _set_relations(specialist, {k: v for k, v in data.items() if k in RELATIONS}, changes)
    activity_record(actor=actor, verb="created", target=specialist, changes=changes)
    return specialist


@transaction.atomic
def specialist_update(*, actor, specialist: Specialist, data: dict) -> Specialist:
    locked = Specialist.objects.select_for_update().get(pk=specialist.pk)
    changes = apply_changes(locked, {k: v for k, v in data.items() if k not in RELATIONS})
    if changes:
        locked.full_clean()
        locked.save()
    _set_relations(locked, {k: v for k, v in data.items() if k in RELATIONS}, changes)
    if changes:
        activity_record(actor=actor, verb="updated", target=locked, changes=changes)
    return locked
