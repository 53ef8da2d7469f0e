"""Front-door writes: keyword-only, atomic, given the actor, each with its activity-log entry."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliances.access import is_head, is_lead
from alliances.activity import (
    activity_entry,
    activity_record,
    activity_record_many,
    apply_changes,
    initial_changes,
    update_and_record,
)
from alliances.calendar import add_business_days, local_date
from alliances.choices import MemberRole, PartnerKind, Stage
from alliances.choices import Status as AllianceStatus
from alliances.models import ActivityLog, Alliance, Partner
from alliances.services import alliance_create, reference_create
from alliances.transitions import illegal_transition
from config.errors import DomainError

from . import hooks, machines, notices
from .choices import OPEN_WORK, Anchor, IntakeStatus, MessageKind, TaskStatus
from .models import (
    Assignment,
    IntakeMessage,
    IntakeRequest,
    LeavePeriod,
    Service,
    Specialist,
    Task,
    TaskTemplate,
)
from .recommendation import purpose_quadrant
from .selectors import intake_recommendation


def recommendation_snapshot(recommendation: dict, chosen: dict | None = None) -> dict:
    """The recommendation as it stood when a request was decided, kept with the decision:
    the management model, every service's ranking and exclusions and, on accept, who was
    chosen for each service and why."""
    return {
        "taken_at": timezone.now().isoformat(),
        "management_model": recommendation["management_model"],
        "services": recommendation["services"],
        "chosen": chosen or {},
    }


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


def _move(
    *, actor, intake: IntakeRequest, to: str, verb: str, note: str = "", decided=False, **fields
):
    """Lock the request, check the edge, move it and log the move; a decision keeps the
    recommendation as it stood when it was taken."""
    locked = IntakeRequest.objects.select_for_update().get(pk=intake.pk)
    machines.INTAKE.check(locked.status, to)
    changes = apply_changes(locked, {"status": to, **fields})
    if decided:
        locked.decision_recommendation = recommendation_snapshot(
            intake_recommendation(intake=locked, user=actor)
        )
    locked.save()
    activity_record(actor=actor, verb=verb, target=locked, changes=changes, note=note)
    return locked


@transaction.atomic
def intake_triage(*, actor, intake: IntakeRequest) -> IntakeRequest:
    return _move(actor=actor, intake=intake, to=IntakeStatus.TRIAGE, verb="triage_started")


@transaction.atomic
def intake_decline(*, actor, intake: IntakeRequest, reason: str) -> IntakeRequest:
    declined = _move(
        actor=actor,
        intake=intake,
        to=IntakeStatus.DECLINED,
        verb="declined",
        note=reason,
        decided=True,
        decline_reason=reason,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    notices.announce(notices.intake_event, declined.pk, "declined")
    return declined


@transaction.atomic
def intake_request_info(*, actor, intake: IntakeRequest, question: str) -> IntakeRequest:
    moved = _move(
        actor=actor, intake=intake, to=IntakeStatus.NEEDS_INFO, verb="info_requested", note=question
    )
    message = IntakeMessage.objects.create(
        intake_request=moved, kind=MessageKind.QUESTION, author=actor, text=question
    )
    notices.announce(notices.intake_event, moved.pk, "question", message.pk)
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
    message = IntakeMessage.objects.create(
        intake_request=moved, kind=MessageKind.ANSWER, author=actor, text=answer
    )
    notices.announce(notices.intake_event, moved.pk, "answered", message.pk)
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


# Accept: the alliance and its work ---------------------------------------------------------


@dataclass(frozen=True)
class PlaybookRun:
    """One service's playbook for whoever delivers it on the alliance."""

    service: Service
    assignee: object
    assignment: Assignment | None = None


def _steps_by_service(*, services: list[Service], anchor: str) -> dict[int, list[TaskTemplate]]:
    """Every service's steps on `anchor`, in date order, from one query."""
    steps = {service.pk: [] for service in services}
    for template in TaskTemplate.objects.filter(service__in=services, anchor=anchor).order_by(
        "offset_days", "pk"
    ):
        steps[template.service_id].append(template)
    return steps


def playbook_tasks_build(
    *, actor, alliance, runs: list[PlaybookRun], anchor: str, anchor_date
) -> tuple[list[Task], dict[int, ActivityLog]]:
    """Every run's playbook steps on `anchor`, dated from `anchor_date`, in one insert; and
    per service with steps its unsaved `playbook_started` entry, for the caller to record."""
    steps = _steps_by_service(services=[run.service for run in runs], anchor=anchor)
    tasks, entries = [], {}
    for run in runs:
        templates = steps[run.service.pk]
        tasks += [
            Task(
                alliance=alliance,
                assignment=run.assignment,
                service=run.service,
                template=template,
                title=template.title,
                description=template.description,
                assignee=run.assignee,
                due_date=anchor_date + datetime.timedelta(days=template.offset_days),
                effort_hours=template.effort_hours,
                priority=template.priority,
            )
            for template in templates
        ]
        if templates:
            entries[run.service.pk] = activity_entry(
                actor=actor,
                verb="playbook_started",
                target=alliance,
                alliance=alliance,
                changes={
                    "service": [None, run.service.code],
                    "tasks": [None, len(templates)],
                    "assignee": [None, run.assignee.pk],
                    "anchor_date": [None, anchor_date.isoformat()],
                },
            )
    return Task.objects.bulk_create(tasks), entries


def playbook_tasks_create(
    *, actor, alliance, service, anchor: str, anchor_date, assignee, assignment=None
) -> list[Task]:
    """The service's playbook steps on `anchor`, dated from `anchor_date`, in one go."""
    tasks, entries = playbook_tasks_build(
        actor=actor,
        alliance=alliance,
        runs=[PlaybookRun(service=service, assignee=assignee, assignment=assignment)],
        anchor=anchor,
        anchor_date=anchor_date,
    )
    activity_record_many(list(entries.values()))
    return tasks


def _partner_for(*, actor, intake) -> Partner:
    if intake.partner_id:
        return intake.partner
    existing = Partner.objects.filter(name__iexact=intake.partner_name).first()
    if existing:
        return existing
    return reference_create(
        actor=actor, model=Partner, data={"name": intake.partner_name, "kind": PartnerKind.OTHER}
    )


TOP_CANDIDATES_KEPT = 5


def _accept_locked(intake: IntakeRequest) -> IntakeRequest:
    """The request, locked, if it can be accepted: in triage and not accepted yet."""
    locked = (
        IntakeRequest.objects.select_for_update(of=("self",))
        .select_related("partner", "therapeutic_area", "requester")
        .get(pk=intake.pk)
    )
    if locked.status == IntakeStatus.ACCEPTED:
        raise DomainError(
            "already_accepted",
            "This request has already been accepted.",
            alliance=locked.alliance_id,
        )
    machines.INTAKE.check(
        locked.status,
        IntakeStatus.ACCEPTED,
        detail=f"Only a request in triage can be accepted; this one is {locked.status}.",
    )
    return locked


def _override_specialists(*, services: list[Service], overrides: dict) -> dict[str, Specialist]:
    """Per overridden service code, the chosen specialist (with their user), who must be one of
    the services accepted and active and delivering it; checked in two queries, however many."""
    unknown = sorted(set(overrides) - {s.code for s in services})
    if unknown:
        raise ValidationError(
            {f"overrides.{code}": ["Not one of the services being accepted."] for code in unknown}
        )
    ids = {override["specialist"].pk for override in overrides.values()}
    if not ids:
        return {}
    people = Specialist.objects.select_related("user").in_bulk(ids)
    delivers = set(
        Specialist.services.through.objects.filter(specialist_id__in=ids).values_list(
            "specialist_id", "service__code"
        )
    )
    errors = {}
    for code, override in overrides.items():
        specialist = people[override["specialist"].pk]
        if not specialist.active or (specialist.pk, code) not in delivers:
            errors[f"overrides.{code}.specialist"] = [f"{specialist} does not deliver {code} now."]
    if errors:
        raise ValidationError(errors)
    return {code: people[override["specialist"].pk] for code, override in overrides.items()}


def _accept_alliance(*, actor, intake: IntakeRequest, management_model: str, fields: dict, lead):
    """The alliance in start-up, from the request; the requester stays in the loop as a member
    of the alliance they asked for."""
    members = []
    if intake.requester not in (lead, fields.get("executive_sponsor")):
        members.append({"user": intake.requester, "role": MemberRole.BUSINESS_LEAD})
    return alliance_create(
        actor=actor,
        data={
            "name": fields.get("name") or intake.title[:120],
            "description": intake.description,
            "partner": _partner_for(actor=actor, intake=intake),
            "therapeutic_area": intake.therapeutic_area,
            "alliance_type": intake.alliance_type,
            "direction": intake.direction,
            "stage": fields.get("stage") or Stage.PRE_POC,
            "status": AllianceStatus.STARTUP,
            "management_model": management_model,
            "purpose_quadrant": purpose_quadrant(
                differentiating=intake.differentiating, mission_critical=intake.mission_critical
            ),
            "lead": lead,
            "executive_sponsor": fields.get("executive_sponsor"),
            "start_date": intake.desired_start_date,
            "confidential": intake.confidential,
        },
        members=members,
    )


def _accept_assignments(
    *, actor, alliance, intake, services, recommendation, overrides, chosen, lead
) -> list[Assignment]:
    """One assignment per service, in one insert: the override, else the top-ranked
    specialist, else the alliance's lead; each keeps the ranking it was chosen from."""
    by_code = {service.code: service for service in services}
    top = {
        section["service"]: section["candidates"][0]["id"]
        for section in recommendation["services"]
        if section["candidates"] and section["service"] not in chosen
    }
    recommended = Specialist.objects.select_related("user").in_bulk(top.values())
    assignments = []
    for section in recommendation["services"]:
        code = section["service"]
        if code in chosen:
            specialist, how = chosen[code], "override"
        elif code in top:
            specialist, how = recommended[top[code]], "recommended"
        else:
            specialist, how = None, "no_candidate"
        assignments.append(
            Assignment(
                alliance=alliance,
                service=by_code[code],
                specialist=specialist,
                assignee=specialist.user if specialist else lead,
                intake_request=intake,
                recommendation={
                    "chosen": how,
                    "management_model": recommendation["management_model"],
                    "window": section["window"],
                    "candidates": section["candidates"][:TOP_CANDIDATES_KEPT],
                },
                override_reason=overrides[code]["reason"] if code in chosen else "",
                assigned_by=actor,
            )
        )
    return Assignment.objects.bulk_create(assignments)


def _assigned_entry(*, actor, assignment: Assignment) -> ActivityLog:
    return activity_entry(
        actor=actor,
        verb="assigned",
        target=assignment,
        alliance=assignment.alliance,
        changes={
            "service": [None, assignment.service.code],
            "assignee": [None, assignment.assignee_id],
        },
        note=assignment.override_reason,
    )


@transaction.atomic
def intake_accept(
    *,
    actor,
    intake: IntakeRequest,
    management_model: str,
    services: list[Service] | None = None,
    overrides: dict | None = None,
    alliance_fields: dict | None = None,
) -> dict:
    """Accept a triaged request: the alliance in start-up, one assignment per service (the
    recommended specialist or the lead's override), the start-up playbooks dated from the
    desired start date, all at once or not at all. Its query count does not depend on the
    number of services or playbook steps."""
    locked = _accept_locked(intake)
    services = services if services else list(locked.requested_services.all())
    overrides = overrides or {}
    chosen = _override_specialists(services=services, overrides=overrides)
    fields = alliance_fields or {}
    lead = fields.get("lead") or actor
    recommendation = intake_recommendation(intake=locked, user=actor, services=services)
    alliance = _accept_alliance(
        actor=actor, intake=locked, management_model=management_model, fields=fields, lead=lead
    )
    assignments = _accept_assignments(
        actor=actor,
        alliance=alliance,
        intake=locked,
        services=services,
        recommendation=recommendation,
        overrides=overrides,
        chosen=chosen,
        lead=lead,
    )
    tasks, started = playbook_tasks_build(
        actor=actor,
        alliance=alliance,
        runs=[PlaybookRun(a.service, a.assignee, a) for a in assignments],
        anchor=Anchor.START,
        anchor_date=locked.desired_start_date,
    )
    changes = apply_changes(
        locked,
        {
            "status": IntakeStatus.ACCEPTED,
            "alliance": alliance,
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    locked.decision_recommendation = recommendation_snapshot(
        recommendation,
        {
            assignment.service.code: {
                "chosen": assignment.recommendation["chosen"],
                "specialist": assignment.specialist_id,
                "assignee": assignment.assignee.get_full_name()
                or assignment.assignee.get_username(),
                "override_reason": assignment.override_reason,
            }
            for assignment in assignments
        },
    )
    locked.save()
    entries = []
    for assignment in assignments:
        entries.append(_assigned_entry(actor=actor, assignment=assignment))
        if assignment.service_id in started:
            entries.append(started[assignment.service_id])
    entries.append(
        activity_entry(
            actor=actor, verb="accepted", target=locked, alliance=alliance, changes=changes
        )
    )
    activity_record_many(entries)
    notices.announce(notices.intake_event, locked.pk, "accepted")
    notices.announce(notices.assignments_made, [assignment.pk for assignment in assignments])
    return {"alliance": alliance, "assignments": assignments, "tasks": tasks}


# Tasks ---------------------------------------------------------------------------------------


def _locked_task(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=task.pk)


@transaction.atomic
def task_move(*, actor, task: Task, action: str, reason: str = "") -> Task:
    """Move a task along DESIGN.md's edges; `reason` for block and cancel."""
    locked = _locked_task(task)
    to = machines.TASK_ACTIONS[action]
    if to in OPEN_WORK and locked.status not in OPEN_WORK:
        _refuse_closed(locked.alliance)
    machines.TASK.check(
        locked.status,
        to,
        detail=f"A task that is {locked.status} cannot {action.replace('_', ' ')}.",
    )
    fields = {"status": to, "blocked_reason": reason if to == TaskStatus.BLOCKED else ""}
    if to == TaskStatus.DONE:
        fields["completed_at"] = timezone.now()
    elif locked.completed_at is not None:
        fields["completed_at"] = None
    from_status = locked.status
    changes = apply_changes(locked, fields)
    locked.save()
    activity_record(
        actor=actor,
        verb=f"task_{action}",
        target=locked,
        alliance=locked.alliance,
        changes=changes,
        note=reason,
    )
    hooks.after_task_moved(task=locked, from_status=from_status, to=to, actor=actor, reason=reason)
    return locked


def assignee_refusal(*, user, alliance, service) -> str:
    """Why `user` cannot take a task on `alliance` for `service`, or "". A task can go to an
    active specialist delivering its service, a lead or the head; on a confidential alliance,
    only to someone already on it: a task must not be a way into one."""
    name = user.get_username()
    if not user.is_active:
        return f"{name} is not active."
    if not (
        is_head(user)
        or is_lead(user)
        or Specialist.objects.filter(user=user, active=True, services=service).exists()
    ):
        return f"{name} is not an active specialist for {service.code}, a lead or the head."
    if (
        alliance.confidential
        and not Alliance.objects.visible_to(user).filter(pk=alliance.pk).exists()
    ):
        return f"{alliance.code} is confidential and {name} is not on it: add them first."
    return ""


def _refuse_closed(alliance) -> None:
    if alliance.status == AllianceStatus.CLOSED:
        raise DomainError("alliance_closed", f"{alliance.code} is closed: it takes no new work.")


@transaction.atomic
def task_reassign(*, actor, task: Task, assignee, reason: str) -> Task:
    locked = _locked_task(task)
    if locked.status not in OPEN_WORK:
        raise illegal_transition(
            machines.TASK,
            locked.status,
            locked.status,
            detail=f"A task that is {locked.status} cannot be reassigned.",
        )
    refusal = assignee_refusal(user=assignee, alliance=locked.alliance, service=locked.service)
    if refusal:
        raise ValidationError({"assignee": [refusal]})
    changes = apply_changes(locked, {"assignee": assignee})
    if changes:
        locked.save()
        entry = activity_record(
            actor=actor,
            verb="task_reassigned",
            target=locked,
            alliance=locked.alliance,
            changes=changes,
            note=reason,
        )
        notices.announce(notices.task_assigned, locked.pk, entry.pk)
    return locked


@transaction.atomic
def task_create(*, actor, data: dict) -> Task:
    _refuse_closed(data["alliance"])
    refusal = assignee_refusal(
        user=data["assignee"], alliance=data["alliance"], service=data["service"]
    )
    if refusal:
        raise ValidationError({"assignee": [refusal]})
    task = Task(**data)
    task.full_clean()
    task.save()
    entry = activity_record(
        actor=actor,
        verb="created",
        target=task,
        alliance=task.alliance,
        changes=initial_changes(data),
    )
    notices.announce(notices.task_assigned, task.pk, entry.pk)
    return task


@transaction.atomic
def task_update(*, actor, task: Task, data: dict) -> Task:
    locked = _locked_task(task)
    return update_and_record(actor=actor, instance=locked, data=data, alliance=locked.alliance)


@transaction.atomic
def work_hand_over(*, actor, alliance, tasks: list[Task], assignments: list[Assignment], to):
    """Someone's open tasks and assignments on `alliance` go to `to`, who must be able to take
    each task's service (assignee_refusal); each move is logged."""
    for service in {item.service for item in [*tasks, *assignments]}:
        refusal = assignee_refusal(user=to, alliance=alliance, service=service)
        if refusal:
            raise ValidationError({"hand_to": [refusal]})
    profile = Specialist.objects.filter(user=to, active=True).prefetch_related("services").first()
    delivers = {service.pk for service in profile.services.all()} if profile else set()
    for task in tasks:
        changes = apply_changes(task, {"assignee": to})
        task.save(update_fields=["assignee", "updated_at"])
        entry = activity_record(
            actor=actor, verb="task_handed_over", target=task, alliance=alliance, changes=changes
        )
        notices.announce(notices.task_assigned, task.pk, entry.pk)
    for assignment in assignments:
        changes = apply_changes(
            assignment,
            {"assignee": to, "specialist": profile if assignment.service_id in delivers else None},
        )
        assignment.save(update_fields=["assignee", "specialist"])
        activity_record(
            actor=actor,
            verb="assignment_handed_over",
            target=assignment,
            alliance=alliance,
            changes=changes,
        )
    if assignments:
        notices.announce(notices.assignments_made, [a.pk for a in assignments])
