"""Agreements: what an alliance has signed, or will.

Requesting a subsidiary agreement (SUBSIDIARY_KINDS) with a target date starts the
subsidiary-agreements playbook's `trigger`-anchored steps of its kind, dated back from the target
date (a step whose date has passed is due today), for the alliance's subsidiary-agreements
assignee, else its lead. Moving the target date moves the open steps by the same days, never into
the past; abandoning the agreement cancels them. An executed agreement with an expiry date and a
notice period has one open `notice` obligation due on its notice date, moved with those dates and
waived when the agreement leaves `executed` or loses either date. Each change runs in one
transaction with its activity-log entries."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliances.activity import (
    activity_entry,
    activity_record_many,
    apply_changes,
    initial_changes,
)
from alliances.calendar import today
from alliances.choices import Status as AllianceStatus
from config.errors import DomainError
from resourcing.choices import OPEN_WORK, Anchor, ServiceCode, TaskStatus
from resourcing.models import Assignment, Service, Task, TaskTemplate
from resourcing.services import PlaybookRun

from .. import machines
from ..choices import (
    OPEN_OBLIGATION,
    SUBSIDIARY_KINDS,
    AgreementKind,
    AgreementStatus,
    ObligationDirection,
    ObligationKind,
    ObligationStatus,
)
from ..models import Agreement, AgreementStep, Obligation

# Checks --------------------------------------------------------------------------------------


def _refuse_closed(alliance) -> None:
    if alliance.status == AllianceStatus.CLOSED:
        raise DomainError(
            "alliance_closed", f"{alliance.code} is closed: it takes no new agreements."
        )


def _check_parent(*, agreement: Agreement, parent: Agreement | None) -> None:
    """The parent is on the same alliance and following parents never comes back to
    `agreement`."""
    if parent is None:
        if agreement.kind == AgreementKind.AMENDMENT:
            raise ValidationError({"parent": ["Name the agreement this amendment amends."]})
        return
    if parent.alliance_id != agreement.alliance_id:
        raise ValidationError(
            {"parent": [f"“{parent.title}” belongs to another alliance; choose one of this one's."]}
        )
    if agreement.pk is None:
        return
    if parent.pk == agreement.pk:
        raise ValidationError({"parent": ["An agreement cannot belong to itself."]})
    # The alliance's whole tree in one query; walk it up from the new parent.
    rows = Agreement.objects.filter(alliance_id=agreement.alliance_id).values_list(
        "pk", "parent_id"
    )
    parents = dict(rows)
    step, seen = parent.pk, set()
    while step is not None and step not in seen:
        seen.add(step)
        if parents.get(step) == agreement.pk:
            raise ValidationError(
                {
                    "parent": [
                        f"“{parent.title}” already belongs to “{agreement.title}”: this parent "
                        "would make a loop."
                    ]
                }
            )
        step = parents.get(step)


def _check_dates(agreement: Agreement) -> None:
    effective, expiry = agreement.effective_date, agreement.expiry_date
    if effective and expiry and expiry < effective:
        raise ValidationError(
            {
                "expiry_date": [
                    f"An agreement expires on or after it takes effect ({effective.isoformat()})."
                ]
            }
        )


def _check_target(agreement: Agreement) -> None:
    if agreement.kind in SUBSIDIARY_KINDS and agreement.target_date is None:
        label = AgreementKind(agreement.kind).label.lower()
        raise ValidationError(
            {
                "target_date": [
                    f"A {label} agreement is requested with the date it must be in place by "
                    "(the trigger: e.g. the first GMP batch or first patient dosed)."
                ]
            }
        )


# Subsidiary-agreement steps -------------------------------------------------------------------


def subsidiary_run(alliance) -> PlaybookRun | None:
    """Who prepares the alliance's subsidiary agreements: its subsidiary-agreements assignee,
    else its lead (None if the service was removed from the catalogue)."""
    service = Service.objects.filter(code=ServiceCode.SUBSIDIARY_AGREEMENTS).first()
    if service is None:
        return None
    assignment = (
        Assignment.objects.filter(alliance=alliance, service=service)
        .select_related("assignee")
        .first()
    )
    if assignment is not None:
        return PlaybookRun(service=service, assignee=assignment.assignee, assignment=assignment)
    return PlaybookRun(service=service, assignee=alliance.lead)


def _start_steps(*, actor, agreement: Agreement) -> list:
    """The playbook's trigger steps for the agreement's kind, dated back from its target date
    (never before today) and linked to it; the unsaved log entries."""
    run = subsidiary_run(agreement.alliance)
    if run is None:
        return []
    templates = list(
        TaskTemplate.objects.filter(
            service=run.service, anchor=Anchor.TRIGGER, trigger_kind=agreement.kind
        ).order_by("offset_days", "pk")
    )
    if not templates:
        return []
    first_day = today()
    tasks = Task.objects.bulk_create(
        [
            Task(
                alliance=agreement.alliance,
                assignment=run.assignment,
                service=run.service,
                template=template,
                title=template.title,
                description=template.description,
                assignee=run.assignee,
                due_date=max(
                    agreement.target_date + datetime.timedelta(days=template.offset_days),
                    first_day,
                ),
                effort_hours=template.effort_hours,
                priority=template.priority,
            )
            for template in templates
        ]
    )
    AgreementStep.objects.bulk_create(
        [AgreementStep(agreement=agreement, task=task) for task in tasks]
    )
    return [
        activity_entry(
            actor=actor,
            verb="playbook_started",
            target=agreement.alliance,
            alliance=agreement.alliance,
            changes={
                "service": [None, run.service.code],
                "tasks": [None, len(tasks)],
                "assignee": [None, run.assignee.pk],
                "anchor_date": [None, agreement.target_date.isoformat()],
                "agreement": [None, agreement.pk],
            },
        )
    ]


def _open_steps(agreement: Agreement) -> list[Task]:
    return list(
        Task.objects.filter(agreement_step__agreement=agreement, status__in=OPEN_WORK).order_by(
            "due_date", "pk"
        )
    )


def _move_steps(*, actor, agreement: Agreement, shift: datetime.timedelta) -> list:
    first_day = today()
    moved, entries = [], []
    for task in _open_steps(agreement):
        due = max(task.due_date + shift, first_day)
        if due == task.due_date:
            continue
        changes = apply_changes(task, {"due_date": due})
        task.updated_at = timezone.now()
        moved.append(task)
        entries.append(
            activity_entry(
                actor=actor,
                verb="task_rescheduled",
                target=task,
                alliance=agreement.alliance,
                changes=changes,
                note=f"The target date of “{agreement.title}” moved.",
            )
        )
    Task.objects.bulk_update(moved, ["due_date", "updated_at"])
    return entries


def _cancel_steps(*, actor, agreement: Agreement, note: str) -> list:
    steps = _open_steps(agreement)
    why = f"“{agreement.title}” was abandoned" + (f": {note}" if note else ".")
    entries = []
    for task in steps:
        changes = apply_changes(task, {"status": TaskStatus.CANCELLED, "blocked_reason": ""})
        task.updated_at = timezone.now()
        entries.append(
            activity_entry(
                actor=actor,
                verb="task_cancel",
                target=task,
                alliance=agreement.alliance,
                changes=changes,
                note=why,
            )
        )
    Task.objects.bulk_update(steps, ["status", "blocked_reason", "updated_at"])
    return entries


# The notice obligation -----------------------------------------------------------------------

LEFT_EXECUTED = {
    AgreementStatus.EXPIRED: "The agreement expired.",
    AgreementStatus.TERMINATED: "The agreement was terminated.",
    AgreementStatus.SUPERSEDED: "The agreement was superseded.",
}


def notice_title(agreement: Agreement) -> str:
    return f"Notice before expiry of {agreement.title}"[:200]


def _open_notices(agreement: Agreement) -> list[Obligation]:
    return list(
        Obligation.objects.select_for_update()
        .filter(
            agreement=agreement,
            kind=ObligationKind.NOTICE,
            direction=ObligationDirection.JOINT,
            status__in=OPEN_OBLIGATION,
        )
        .order_by("pk")
    )


def _notice_reason(agreement: Agreement) -> str:
    if agreement.status in LEFT_EXECUTED:
        return LEFT_EXECUTED[agreement.status]
    if agreement.status != AgreementStatus.EXECUTED:
        return f"The agreement is {AgreementStatus(agreement.status).label.lower()}."
    if agreement.expiry_date is None:
        return "The agreement no longer has an expiry date."
    return "The agreement no longer has a notice period."


def _sync_notice(*, actor, agreement: Agreement, create: bool) -> list:
    """Keep the one open notice obligation in step with the agreement; the unsaved log entries.
    `create`: the agreement was just executed or its expiry or notice period changed (a notice
    someone recorded as met for this date is not created again)."""
    notice_date = agreement.notice_date
    wanted = agreement.status == AgreementStatus.EXECUTED and notice_date is not None
    notices = _open_notices(agreement)
    entries = []
    if not wanted:
        reason = _notice_reason(agreement)
        for notice in notices:
            changes = apply_changes(
                notice, {"status": ObligationStatus.WAIVED, "status_reason": reason}
            )
            notice.save()
            entries.append(_notice_entry(actor, notice, "waived", changes, reason))
        return entries
    if notices:
        notice = notices[0]
        changes = apply_changes(
            notice,
            {
                "due_date": notice_date,
                "status": ObligationStatus.DUE,
                "title": notice_title(agreement),
            },
        )
        if changes:
            notice.save()
            entries.append(_notice_entry(actor, notice, "updated", changes, ""))
        return entries
    given = Obligation.objects.filter(
        agreement=agreement,
        kind=ObligationKind.NOTICE,
        status=ObligationStatus.MET,
        due_date=notice_date,
    )
    if not create or given.exists():
        return entries
    data = {
        "kind": ObligationKind.NOTICE,
        "direction": ObligationDirection.JOINT,
        "title": notice_title(agreement),
        "due_date": notice_date,
        "status": ObligationStatus.DUE,
        "owner": agreement.alliance.lead,
    }
    notice = Obligation.objects.create(
        **data, alliance=agreement.alliance, agreement=agreement, created_by=actor
    )
    entries.append(_notice_entry(actor, notice, "created", initial_changes(data), ""))
    return entries


def _notice_entry(actor, notice: Obligation, verb: str, changes: dict, note: str):
    return activity_entry(
        actor=actor,
        verb=verb,
        target=notice,
        alliance=notice.alliance,
        changes=changes,
        note=note,
    )


# Services ------------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(*, actor, data: dict) -> Agreement:
    alliance = data["alliance"]
    _refuse_closed(alliance)
    agreement = Agreement(**data, created_by=actor)
    _check_target(agreement)
    _check_dates(agreement)
    _check_parent(agreement=agreement, parent=data.get("parent"))
    agreement.full_clean()
    agreement.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="created",
            target=agreement,
            alliance=alliance,
            changes=initial_changes(data),
        )
    ]
    if agreement.kind in SUBSIDIARY_KINDS:
        entries += _start_steps(actor=actor, agreement=agreement)
    activity_record_many(entries)
    return agreement


def _locked(agreement: Agreement) -> Agreement:
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("alliance__lead")
        .get(pk=agreement.pk)
    )


NOTICE_FIELDS = ("expiry_date", "notice_days")


@transaction.atomic
def agreement_update(*, actor, agreement: Agreement, data: dict) -> Agreement:
    """Its details and dates; its status moves only through agreement_transition."""
    locked = _locked(agreement)
    before_target = locked.target_date
    if "parent" in data:
        _check_parent(agreement=locked, parent=data["parent"])
    changes = apply_changes(locked, data)
    if not changes:
        return locked
    if before_target is not None and locked.target_date is None and _open_steps(locked):
        raise ValidationError(
            {
                "target_date": [
                    "Its playbook steps are still open and count back from this date: keep a "
                    "target date, or abandon the agreement."
                ]
            }
        )
    _check_target(locked)
    _check_dates(locked)
    locked.full_clean()
    locked.save()
    entries = [
        activity_entry(
            actor=actor, verb="updated", target=locked, alliance=locked.alliance, changes=changes
        )
    ]
    if before_target is not None and locked.target_date is not None:
        shift = locked.target_date - before_target
        if shift:
            entries += _move_steps(actor=actor, agreement=locked, shift=shift)
    if changes.keys() & {*NOTICE_FIELDS, "title"}:
        create = bool(changes.keys() & set(NOTICE_FIELDS))
        entries += _sync_notice(actor=actor, agreement=locked, create=create)
    activity_record_many(entries)
    return locked


def _check_executable(agreement: Agreement) -> None:
    if agreement.effective_date is None:
        raise DomainError(
            "effective_date_missing",
            f"“{agreement.title}” has no effective date: set effective_date (PATCH) before "
            "recording it as executed.",
        )


@transaction.atomic
def agreement_transition(*, actor, agreement: Agreement, to: str, note: str = "") -> Agreement:
    """Move the status one allowed step. Executing needs an effective date (409
    effective_date_missing); abandoning cancels the open playbook steps with the note; executing
    or leaving `executed` creates or waives the notice obligation."""
    locked = _locked(agreement)
    machines.AGREEMENT.check(locked.status, to)
    if to == AgreementStatus.EXECUTED:
        _check_executable(locked)
    changes = apply_changes(locked, {"status": to})
    locked.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="transitioned",
            target=locked,
            alliance=locked.alliance,
            changes=changes,
            note=note,
        )
    ]
    if to == AgreementStatus.ABANDONED:
        entries += _cancel_steps(actor=actor, agreement=locked, note=note)
    entries += _sync_notice(actor=actor, agreement=locked, create=to == AgreementStatus.EXECUTED)
    activity_record_many(entries)
    return locked
