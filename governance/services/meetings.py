"""Meetings and their logistics, and minutes approved per side.

Scheduling a meeting starts the governance-logistics playbook's `meeting`-anchored steps, dated
from the meeting's local date (in its own time zone) and assigned to whoever delivers the
service on the alliance (its Assignment), else the alliance's lead; a step whose date has
passed is due today. Rescheduling moves the open steps by the days the local date moved, never
into the past; cancelling cancels them with the meeting's reason. Each runs in one transaction
with its activity-log entries."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliances.activity import (
    activity_entry,
    activity_record,
    activity_record_many,
    apply_changes,
    initial_changes,
)
from alliances.calendar import today
from alliances.choices import Status as AllianceStatus
from alliances.transitions import illegal_transition
from config.errors import DomainError
from resourcing.choices import OPEN_WORK, Anchor, ServiceCode, TaskStatus
from resourcing.models import Assignment, Service, Task
from resourcing.services import PlaybookRun, playbook_tasks_build

from .. import machines
from ..choices import MeetingStatus, Side
from ..models import BodyMember, GovernanceBody, Meeting, MeetingStep, Minutes


def _local_date(starts_at: datetime.datetime, time_zone: str) -> datetime.date:
    from zoneinfo import ZoneInfo

    return starts_at.astimezone(ZoneInfo(time_zone)).date()


def _refuse_unschedulable(*, body: GovernanceBody, local_day: datetime.date) -> None:
    alliance = body.alliance
    if alliance.status == AllianceStatus.CLOSED:
        raise DomainError(
            "alliance_closed", f"{alliance.code} is closed: its committees no longer meet."
        )
    if body.dissolved_on is not None and body.dissolved_on <= local_day:
        raise DomainError(
            "body_dissolved",
            f"“{body.name}” is dissolved from {body.dissolved_on.isoformat()}: it cannot meet "
            f"on {local_day.isoformat()}.",
        )


def logistics_run(alliance) -> PlaybookRun:
    """Who does the alliance's meeting logistics: its governance-logistics assignee, else its
    lead."""
    service = Service.objects.get(code=ServiceCode.GOVERNANCE_LOGISTICS)
    assignment = (
        Assignment.objects.filter(alliance=alliance, service=service)
        .select_related("assignee")
        .first()
    )
    if assignment is not None:
        return PlaybookRun(service=service, assignee=assignment.assignee, assignment=assignment)
    return PlaybookRun(service=service, assignee=alliance.lead)


def _start_logistics(*, actor, meeting: Meeting) -> list:
    """The playbook's meeting steps for `meeting`, linked to it; the unsaved log entries."""
    day = _local_date(meeting.starts_at, meeting.time_zone)
    tasks, entries = playbook_tasks_build(
        actor=actor,
        alliance=meeting.alliance,
        runs=[logistics_run(meeting.alliance)],
        anchor=Anchor.MEETING,
        anchor_date=day,
    )
    first_day = today()
    late = [task for task in tasks if task.due_date < first_day]
    if late:
        Task.objects.filter(pk__in=[task.pk for task in late]).update(due_date=first_day)
        for task in late:
            task.due_date = first_day
    MeetingStep.objects.bulk_create([MeetingStep(meeting=meeting, task=task) for task in tasks])
    return list(entries.values())


@transaction.atomic
def meeting_schedule(*, actor, data: dict) -> Meeting:
    body = GovernanceBody.objects.select_related("alliance__lead").get(pk=data["body"].pk)
    _refuse_unschedulable(body=body, local_day=_local_date(data["starts_at"], data["time_zone"]))
    meeting = Meeting(**data, alliance=body.alliance, created_by=actor)
    meeting.full_clean()
    meeting.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="scheduled",
            target=meeting,
            alliance=meeting.alliance,
            changes=initial_changes(data),
        ),
        *_start_logistics(actor=actor, meeting=meeting),
    ]
    activity_record_many(entries)
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("alliance", "body")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, data: dict) -> Meeting:
    """Title, place, link and length; its time moves only through meeting_reschedule."""
    locked = _locked(meeting)
    changes = apply_changes(locked, data)
    if changes:
        locked.full_clean()
        locked.save()
        activity_record(
            actor=actor, verb="updated", target=locked, alliance=locked.alliance, changes=changes
        )
    return locked


def _open_steps(meeting: Meeting) -> list[Task]:
    return list(
        Task.objects.filter(meeting_step__meeting=meeting, status__in=OPEN_WORK).order_by(
            "due_date", "pk"
        )
    )


def _only_scheduled(meeting: Meeting, to: str, doing: str) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise illegal_transition(
            machines.MEETING,
            meeting.status,
            to,
            detail=f"Only a scheduled meeting can be {doing}; this one is "
            f"{MeetingStatus(meeting.status).label.lower()}.",
        )


@transaction.atomic
def meeting_reschedule(
    *, actor, meeting: Meeting, starts_at, reason: str, time_zone: str | None = None
) -> Meeting:
    locked = _locked(meeting)
    _only_scheduled(locked, MeetingStatus.SCHEDULED, "rescheduled")
    zone = time_zone or locked.time_zone
    if starts_at == locked.starts_at and zone == locked.time_zone:
        raise DomainError("no_change", "The meeting already starts then.")
    before = _local_date(locked.starts_at, locked.time_zone)
    after = _local_date(starts_at, zone)
    _refuse_unschedulable(body=locked.body, local_day=after)
    shift = after - before
    changes = apply_changes(
        locked, {"starts_at": starts_at, "time_zone": zone, "sequence": locked.sequence + 1}
    )
    locked.full_clean()
    locked.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="rescheduled",
            target=locked,
            alliance=locked.alliance,
            changes=changes,
            note=reason,
        )
    ]
    if shift:
        entries += _move_steps(actor=actor, meeting=locked, shift=shift, reason=reason)
    activity_record_many(entries)
    return locked


def _move_steps(*, actor, meeting: Meeting, shift: datetime.timedelta, reason: str) -> list:
    first_day = today()
    moved, entries = [], []
    for task in _open_steps(meeting):
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
                alliance=meeting.alliance,
                changes=changes,
                note=f"The meeting moved: {reason}",
            )
        )
    Task.objects.bulk_update(moved, ["due_date", "updated_at"])
    return entries


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    locked = _locked(meeting)
    machines.MEETING.check(
        locked.status,
        MeetingStatus.CANCELLED,
        detail=f"Only a scheduled meeting can be cancelled; this one is "
        f"{MeetingStatus(locked.status).label.lower()}.",
    )
    changes = apply_changes(
        locked,
        {
            "status": MeetingStatus.CANCELLED,
            "cancel_reason": reason,
            "sequence": locked.sequence + 1,
        },
    )
    locked.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="cancelled",
            target=locked,
            alliance=locked.alliance,
            changes=changes,
            note=reason,
        )
    ]
    steps = _open_steps(locked)
    for task in steps:
        task_changes = apply_changes(task, {"status": TaskStatus.CANCELLED, "blocked_reason": ""})
        task.updated_at = timezone.now()
        entries.append(
            activity_entry(
                actor=actor,
                verb="task_cancel",
                target=task,
                alliance=locked.alliance,
                changes=task_changes,
                note=f"The meeting was cancelled: {reason}",
            )
        )
    Task.objects.bulk_update(steps, ["status", "blocked_reason", "updated_at"])
    activity_record_many(entries)
    return locked


@transaction.atomic
def meeting_mark_held(*, actor, meeting: Meeting, attendees: list[BodyMember]) -> Meeting:
    locked = _locked(meeting)
    machines.MEETING.check(
        locked.status,
        MeetingStatus.HELD,
        detail=f"Only a scheduled meeting can be marked held; this one is "
        f"{MeetingStatus(locked.status).label.lower()}.",
    )
    if locked.starts_at > timezone.now():
        raise DomainError(
            "meeting_not_started",
            f"The meeting starts at {locked.local_start.isoformat()}: mark it held once it "
            "has taken place.",
        )
    strangers = sorted({a.pk for a in attendees if a.body_id != locked.body_id})
    if strangers:
        raise ValidationError({"attendees": [f"Not members of “{locked.body.name}”: {strangers}."]})
    changes = apply_changes(locked, {"status": MeetingStatus.HELD})
    locked.save()
    locked.attendees.set(attendees)
    changes["attendees"] = [None, sorted(a.pk for a in attendees)]
    activity_record(
        actor=actor, verb="held", target=locked, alliance=locked.alliance, changes=changes
    )
    return locked


# Minutes -------------------------------------------------------------------------------------


def _refuse_unless_held(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED):
        raise DomainError(
            "meeting_not_held",
            f"The meeting is {MeetingStatus(meeting.status).label.lower()}: minutes are kept "
            "for a meeting that was held (mark it held first).",
        )


def minutes_of(meeting: Meeting) -> Minutes | None:
    """A held meeting's minutes (None if not drafted yet); refused for any other meeting."""
    _refuse_unless_held(meeting)
    return Minutes.objects.filter(meeting=meeting).first()


APPROVAL_FIELDS = (
    "internal_approved_by",
    "internal_approved_at",
    "partner_approved_by",
    "partner_approved_at",
    "partner_approval_recorded_by",
)


@transaction.atomic
def minutes_save(
    *, actor, meeting: Meeting, text: str, document_url: str = ""
) -> tuple[Minutes, bool, bool]:
    """Draft or redraft the minutes: (minutes, created, approvals_cleared). Minutes approved
    by both sides are the record and are not edited (409 minutes_final: correct them in the
    next meeting's minutes). A change to text or link after one side approved withdraws that
    approval: each side approves the words it read."""
    locked = _locked(meeting)
    _refuse_unless_held(locked)
    if locked.status == MeetingStatus.MINUTES_APPROVED:
        raise DomainError(
            "minutes_final",
            "Both sides approved these minutes: they are the record. Correct them in the next "
            "meeting's minutes.",
        )
    minutes = Minutes.objects.select_for_update().filter(meeting=locked).first()
    created = minutes is None
    if created:
        minutes = Minutes(meeting=locked, drafted_by=actor, drafted_at=timezone.now())
    fields = {"text": text, "document_url": document_url}
    changes = apply_changes(minutes, fields)
    cleared = False
    if changes and not created:
        cleared = (
            minutes.internal_approved_at is not None or minutes.partner_approved_at is not None
        )
        changes.update(apply_changes(minutes, dict.fromkeys(APPROVAL_FIELDS)))
        changes.update(apply_changes(minutes, {"drafted_by": actor, "drafted_at": timezone.now()}))
    if created or changes:
        minutes.full_clean(exclude=["meeting"])
        minutes.save()
        activity_record(
            actor=actor,
            verb="minutes_drafted" if created else "minutes_redrafted",
            target=locked,
            alliance=locked.alliance,
            changes=changes,
            note="The approvals given so far were withdrawn." if cleared else "",
        )
    return minutes, created, cleared


@transaction.atomic
def minutes_approve(*, actor, meeting: Meeting, side: str, contact=None) -> Minutes:
    """One side approves the minutes: ours by `actor`; the partner's by `contact` (one of the
    partner's people), recorded by `actor`. Both sides approved: the meeting moves to
    minutes_approved."""
    locked = _locked(meeting)
    _refuse_unless_held(locked)
    minutes = Minutes.objects.select_for_update().filter(meeting=locked).first()
    if minutes is None:
        raise DomainError(
            "minutes_missing", "There are no minutes to approve yet: draft them first."
        )
    if side == Side.PARTNER:
        _check_partner_approver(meeting=locked, contact=contact)
    done = minutes.internal_approved_at if side == Side.INTERNAL else minutes.partner_approved_at
    if done is not None:
        whose = "Our side" if side == Side.INTERNAL else "The partner"
        raise DomainError(
            "already_approved", f"{whose} approved these minutes on {done.date().isoformat()}."
        )
    now = timezone.now()
    if side == Side.INTERNAL:
        fields = {"internal_approved_by": actor, "internal_approved_at": now}
    else:
        fields = {
            "partner_approved_by": contact,
            "partner_approved_at": now,
            "partner_approval_recorded_by": actor,
        }
    changes = apply_changes(minutes, fields)
    minutes.save()
    entries = [
        activity_entry(
            actor=actor,
            verb=f"minutes_approved_{side}",
            target=locked,
            alliance=locked.alliance,
            changes=changes,
        )
    ]
    if minutes.internal_approved_at and minutes.partner_approved_at:
        machines.MEETING.check(locked.status, MeetingStatus.MINUTES_APPROVED)
        moved = apply_changes(locked, {"status": MeetingStatus.MINUTES_APPROVED})
        locked.save()
        entries.append(
            activity_entry(
                actor=actor,
                verb="minutes_approved",
                target=locked,
                alliance=locked.alliance,
                changes=moved,
                note="Both sides approved the minutes.",
            )
        )
    activity_record_many(entries)
    return minutes


def _check_partner_approver(*, meeting: Meeting, contact) -> None:
    if contact is None:
        raise ValidationError(
            {"contact": ["Name who approved at the partner (a partner contact id)."]}
        )
    partner = meeting.alliance.partner
    if contact.partner_id != partner.pk:
        raise ValidationError(
            {"contact": [f"{contact.name} works at {contact.partner}, not at {partner}."]}
        )
