"""What meetings leave behind: decisions and action items. An internal owner's open action
item is also a task in their queue (governance logistics, no effort, due with the item): the two
are kept in step here, and a move of that task through the tasks API comes back through
resourcing's task-moved hook (task_moved). Keyword-only, atomic, logged."""

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
from alliances.choices import Status as AllianceStatus
from alliances.models import Alliance
from alliances.transitions import StateMachine
from config.errors import DomainError
from resourcing.choices import OPEN_WORK, ServiceCode, TaskStatus
from resourcing.models import Service, Task

from ..choices import ActionStatus, DecisionOutcome, MeetingStatus
from ..models import ActionItem, Decision, GovernanceBody, Meeting

ACTION = StateMachine.from_pairs(
    "action item",
    [
        (ActionStatus.OPEN, ActionStatus.DONE),
        (ActionStatus.OPEN, ActionStatus.CANCELLED),
        (ActionStatus.DONE, ActionStatus.OPEN),
        (ActionStatus.CANCELLED, ActionStatus.OPEN),
    ],
)
DECIDING = (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED)


# Decisions -------------------------------------------------------------------------------


def escalation_path(body: GovernanceBody) -> list[GovernanceBody]:
    """The bodies above `body`, nearest first (its parent, grandparent...): one query for the
    alliance's bodies, walked in memory (a cycle, which the bodies' service refuses, stops)."""
    bodies = {b.pk: b for b in GovernanceBody.objects.filter(alliance_id=body.alliance_id)}
    path, seen, current = [], {body.pk}, bodies.get(body.pk, body)
    while current.parent_id and current.parent_id not in seen and current.parent_id in bodies:
        current = bodies[current.parent_id]
        seen.add(current.pk)
        path.append(current)
    return path


def _check_escalation(*, meeting: Meeting, outcome: str, escalated_to) -> None:
    if outcome != DecisionOutcome.ESCALATED:
        if escalated_to is not None:
            raise ValidationError(
                {"escalated_to": ["Only an escalated decision names a body to escalate to."]}
            )
        return
    path = escalation_path(meeting.body)
    if escalated_to is None or escalated_to.pk not in {b.pk for b in path}:
        where = (
            f"one of the bodies above {meeting.body.name}: "
            + " → ".join(f"{b.name} (id {b.pk})" for b in path)
            if path
            else f"a body above {meeting.body.name}, which has none: give it a parent first"
        )
        raise ValidationError({"escalated_to": [f"An escalated decision goes to {where}."]})


@transaction.atomic
def decision_create(*, actor, data: dict) -> Decision:
    """`data`: meeting (held, or with its minutes approved), text, outcome, escalated_to (a
    body up the meeting's body's escalation path, for an escalated outcome only)."""
    meeting = Meeting.objects.select_related("body", "alliance").get(pk=data["meeting"].pk)
    if meeting.status not in DECIDING:
        raise DomainError(
            "meeting_not_held",
            f"Decisions are recorded for a meeting that was held; this one is "
            f"{meeting.get_status_display().lower()}.",
        )
    _check_escalation(
        meeting=meeting, outcome=data["outcome"], escalated_to=data.get("escalated_to")
    )
    decision = Decision(**{**data, "meeting": meeting}, created_by=actor)
    decision.full_clean()
    decision.save()
    activity_record(
        actor=actor,
        verb="decision_recorded",
        target=decision,
        alliance=meeting.alliance,
        changes=initial_changes(data),
    )
    return decision


# Action items ----------------------------------------------------------------------------


def _owner_check(*, alliance: Alliance, owner_user, owner_contact) -> None:
    """Exactly one owner: an active user (on a confidential alliance, one who is on it), or a
    contact at the alliance's partner."""
    if (owner_user is None) == (owner_contact is None):
        message = (
            "Give one owner: owner_user (someone here) or owner_contact (someone at the "
            "partner), not both."
        )
        raise ValidationError({"owner_user": [message], "owner_contact": [message]})
    if owner_user is not None:
        if not owner_user.is_active:
            raise ValidationError({"owner_user": [f"{owner_user.get_username()} is not active."]})
        if (
            alliance.confidential
            and not Alliance.objects.visible_to(owner_user).filter(pk=alliance.pk).exists()
        ):
            raise ValidationError(
                {
                    "owner_user": [
                        f"{alliance.name} is confidential and {owner_user.get_username()} is "
                        "not on it: add them to its team first."
                    ]
                }
            )
    elif owner_contact.partner_id != alliance.partner_id:
        raise ValidationError(
            {
                "owner_contact": [
                    f"{owner_contact.name} works at {owner_contact.partner.name}, not at "
                    f"{alliance.partner.name}, the alliance's partner."
                ]
            }
        )


def _refuse_closed(alliance: Alliance) -> None:
    if alliance.status == AllianceStatus.CLOSED:
        raise DomainError("alliance_closed", f"{alliance.name} is closed: it takes no new work.")


def task_title(item: ActionItem) -> str:
    return f"Action: {item.title}"[:200]


def _task_entry(*, actor, task: Task, verb: str, changes: dict, note: str = ""):
    return activity_entry(
        actor=actor, verb=verb, target=task, alliance=task.alliance, changes=changes, note=note
    )


def _sync_task(*, actor, item: ActionItem, note: str = "") -> list:
    """Bring the item's task in line with the item: an open item with an internal owner has
    open work in that owner's queue, titled and dated as the item; any other item's task is
    closed as the item is (done with it, cancelled otherwise). Returns the unsaved activity
    entries of what changed on the task."""
    wanted = item.status == ActionStatus.OPEN and item.owner_user_id is not None
    task = (
        Task.objects.select_for_update().select_related("alliance").get(pk=item.task_id)
        if item.task_id
        else None
    )
    if task is None:
        if not wanted:
            return []
        task = Task(
            alliance=item.alliance,
            service=Service.objects.get(code=ServiceCode.GOVERNANCE_LOGISTICS),
            title=task_title(item),
            description=item.note,
            assignee=item.owner_user,
            due_date=item.due_date,
            effort_hours=0,
        )
        task.full_clean()
        task.save()
        item.task = task
        item.save(update_fields=["task", "updated_at"])
        changes = initial_changes(
            {"title": task.title, "assignee": task.assignee, "due_date": task.due_date}
        )
        return [_task_entry(actor=actor, task=task, verb="created", changes=changes, note=note)]
    fields = {"title": task_title(item), "due_date": item.due_date}
    if item.owner_user_id is not None:
        fields["assignee"] = item.owner_user
    if wanted and task.status not in OPEN_WORK:
        fields.update(status=TaskStatus.OPEN, completed_at=None)
    elif not wanted and task.status in OPEN_WORK:
        done = item.status == ActionStatus.DONE
        fields.update(
            status=TaskStatus.DONE if done else TaskStatus.CANCELLED,
            completed_at=timezone.now() if done else None,
            blocked_reason="",
        )
    changes = apply_changes(task, fields)
    if not changes:
        return []
    task.full_clean()
    task.save()
    verb = {
        TaskStatus.OPEN: "task_reopen",
        TaskStatus.DONE: "task_complete",
        TaskStatus.CANCELLED: "task_cancel",
    }.get(changes.get("status", [None, None])[1])
    verb = verb or ("task_reassigned" if "assignee" in changes else "updated")
    return [_task_entry(actor=actor, task=task, verb=verb, changes=changes, note=note)]


@transaction.atomic
def action_item_create(*, actor, data: dict) -> ActionItem:
    """`data`: meeting (not cancelled), title, owner_user or owner_contact, due_date, note."""
    meeting = Meeting.objects.select_related("alliance__partner").get(pk=data["meeting"].pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(
            "meeting_cancelled", "The meeting was cancelled: it gives nobody actions."
        )
    alliance = meeting.alliance
    _refuse_closed(alliance)
    _owner_check(
        alliance=alliance,
        owner_user=data.get("owner_user"),
        owner_contact=data.get("owner_contact"),
    )
    item = ActionItem(**{**data, "meeting": meeting}, alliance=alliance, created_by=actor)
    item.full_clean()
    item.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="action_created",
            target=item,
            alliance=alliance,
            changes=initial_changes(data),
        ),
        *_sync_task(actor=actor, item=item),
    ]
    activity_record_many(entries)
    return item


def _locked_item(item: ActionItem) -> ActionItem:
    return (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("alliance__partner", "owner_user", "owner_contact__partner")
        .get(pk=item.pk)
    )


@transaction.atomic
def action_item_update(*, actor, item: ActionItem, data: dict) -> ActionItem:
    """`data`: title, due_date, note, and the owner (giving one owner clears the other)."""
    locked = _locked_item(item)
    if "owner_user" in data or "owner_contact" in data:
        if data.get("owner_user") is not None and "owner_contact" not in data:
            data = {**data, "owner_contact": None}
        elif data.get("owner_contact") is not None and "owner_user" not in data:
            data = {**data, "owner_user": None}
        _owner_check(
            alliance=locked.alliance,
            owner_user=data.get("owner_user", locked.owner_user),
            owner_contact=data.get("owner_contact", locked.owner_contact),
        )
    changes = apply_changes(locked, data)
    if not changes:
        return locked
    locked.full_clean()
    locked.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="updated",
            target=locked,
            alliance=locked.alliance,
            changes=changes,
        ),
        *_sync_task(actor=actor, item=locked),
    ]
    activity_record_many(entries)
    return locked


ACTION_MOVES = {
    "done": ActionStatus.DONE,
    "cancel": ActionStatus.CANCELLED,
    "reopen": ActionStatus.OPEN,
}
MOVE_REFUSALS = {
    "done": "Only an open action item can be marked done; this one is {}.",
    "cancel": "Only an open action item can be cancelled; this one is {}.",
    "reopen": "Only a done or cancelled action item can be reopened; this one is {}.",
}


@transaction.atomic
def action_item_move(*, actor, item: ActionItem, action: str, reason: str = "") -> ActionItem:
    """done, cancel (with a reason) or reopen; the task in the owner's queue follows."""
    locked = _locked_item(item)
    to = ACTION_MOVES[action]
    ACTION.check(
        locked.status, to, detail=MOVE_REFUSALS[action].format(locked.get_status_display().lower())
    )
    if to == ActionStatus.OPEN:
        _refuse_closed(locked.alliance)
    changes = apply_changes(
        locked,
        {"status": to, "completed_at": timezone.now() if to == ActionStatus.DONE else None},
    )
    locked.save()
    entries = [
        activity_entry(
            actor=actor,
            verb=f"action_{action}",
            target=locked,
            alliance=locked.alliance,
            changes=changes,
            note=reason,
        ),
        *_sync_task(actor=actor, item=locked, note=reason),
    ]
    activity_record_many(entries)
    return locked


# The hook: the item's task moved through the tasks API ----------------------------------


TASK_TO_ACTION = {TaskStatus.DONE: ActionStatus.DONE, TaskStatus.CANCELLED: ActionStatus.CANCELLED}


def task_moved(*, task: Task, from_status: str, to: str, actor, reason: str = "") -> None:
    """Registered with resourcing.hooks: completing or cancelling an action item's task closes
    the item the same way; reopening it reopens the item. Runs in the move's transaction."""
    if to in TASK_TO_ACTION:
        wanted, verb = TASK_TO_ACTION[to], "action_closed_by_task"
    elif to in OPEN_WORK and from_status not in OPEN_WORK:
        wanted, verb = ActionStatus.OPEN, "action_reopened_by_task"
    else:
        return
    item = (
        ActionItem.objects.select_for_update(of=("self",))
        .filter(task=task)
        .exclude(status=wanted)
        .first()
    )
    if item is None or (wanted == ActionStatus.OPEN and item.owner_user_id != task.assignee_id):
        return
    changes = apply_changes(
        item,
        {"status": wanted, "completed_at": timezone.now() if wanted == ActionStatus.DONE else None},
    )
    item.save()
    activity_record(
        actor=actor,
        verb=verb,
        target=item,
        alliance=task.alliance,
        changes=changes,
        note=reason,
    )
