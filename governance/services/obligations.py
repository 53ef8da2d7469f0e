"""Obligations: what is owed under an agreement, by whom, when.

Status follows the dates: `upcoming` waits on its trigger event (no due date), `due` has one;
`trigger` records the event and dates it from the agreement's payment terms; `met`, `waived`
and `disputed` (a disputed one can still be met or waived) are recorded through the
OBLIGATION machine below. Meeting a recurring obligation (monthly, quarterly, annual) creates
its next occurrence, due one period later in calendar months (a month end clamps: 31 January
plus a month is the end of February); waiving one does too, since waiving this quarter's
royalty report does not end the duty to report next quarter.

An outgoing obligation, or an incoming one we invoice, with a due date is prepared by a
contract-and-finance task for the alliance's assignee (else its lead), due
OBLIGATION_LEAD_DAYS before the obligation (never in the past). Moving the due date moves the
open task; meeting or waiving the obligation closes the task. The other way round does not
hold: completing the task through the tasks API does not meet the obligation, because only
recording the payment (met/, with its date) does. Keyword-only, atomic, logged."""

import datetime

from django.conf import settings
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
from alliances.models import Alliance
from alliances.transitions import StateMachine
from config.errors import DomainError
from resourcing.choices import OPEN_WORK, ServiceCode, TaskStatus
from resourcing.models import Assignment, Service, Task

from ..choices import (
    FINANCIAL_KINDS,
    ObligationDirection,
    ObligationStatus,
    Recurrence,
)
from ..models import Agreement, Obligation
from .training import add_months

S = ObligationStatus
OBLIGATION = StateMachine.from_pairs(
    "obligation",
    [
        (S.UPCOMING, S.DUE),  # trigger/
        (S.UPCOMING, S.WAIVED),
        (S.DUE, S.MET),
        (S.DUE, S.WAIVED),
        (S.DUE, S.DISPUTED),
        (S.DISPUTED, S.MET),
        (S.DISPUTED, S.WAIVED),
    ],
)
CLOSED = (S.MET, S.WAIVED)
RECURRENCE_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.ANNUAL: 12}
TASK_EFFORT_HOURS = 2
# What an occurrence passes on to the next one.
CARRIED = (
    "alliance_id",
    "agreement_id",
    "kind",
    "direction",
    "title",
    "trigger_event",
    "amount",
    "currency",
    "we_invoice",
    "owner_id",
    "recurrence",
)


# Checks ----------------------------------------------------------------------------------


def _refuse_closed_alliance(alliance: Alliance) -> None:
    if alliance.status == AllianceStatus.CLOSED:
        raise DomainError(
            "alliance_closed", f"{alliance.name} is closed: it takes no new obligations."
        )


def _check_owner(*, alliance: Alliance, owner) -> None:
    if owner is None:
        return
    if not owner.is_active:
        raise ValidationError({"owner": [f"{owner.get_username()} is not active."]})
    if not Alliance.objects.visible_to(owner).filter(pk=alliance.pk).exists():
        raise ValidationError(
            {
                "owner": [
                    f"{owner.get_username()} cannot see {alliance.name}: add them to its team "
                    "first, or choose someone on it."
                ]
            }
        )


def _check_fields(values: dict) -> None:
    """The rules across fields, on the obligation as it would be after the write."""
    errors = {}
    if values["kind"] in FINANCIAL_KINDS:
        label = dict(Obligation._meta.get_field("kind").choices)[values["kind"]]
        if values.get("amount") is None:
            errors["amount"] = [f"A {label.lower()} is money: give its amount."]
        if not values.get("currency"):
            errors["currency"] = [
                f"A {label.lower()} is money: give its ISO 4217 currency, e.g. USD."
            ]
    if values.get("we_invoice") and values["direction"] != ObligationDirection.INCOMING:
        errors["we_invoice"] = ["Only an incoming obligation (the partner pays us) is invoiced."]
    if values.get("due_date") is None and not values.get("trigger_event"):
        message = "Give a due date, or the trigger event it waits on."
        errors["due_date"] = [message]
        errors["trigger_event"] = [message]
    if errors:
        raise ValidationError(errors)


# The contract-and-finance task -------------------------------------------------------------


def finance_assignment(alliance: Alliance) -> Assignment | None:
    return (
        Assignment.objects.filter(alliance=alliance, service__code=ServiceCode.CONTRACT_FINANCE)
        .select_related("assignee")
        .first()
    )


def records_payments(user, alliance: Alliance) -> bool:
    """The alliance's contract-and-finance assignee (who may record met and trigger)."""
    return Assignment.objects.filter(
        alliance=alliance, service__code=ServiceCode.CONTRACT_FINANCE, assignee=user
    ).exists()


def needs_task(obligation: Obligation) -> bool:
    """An open, dated obligation that we pay, or that we invoice."""
    prepares = obligation.direction == ObligationDirection.OUTGOING or (
        obligation.direction == ObligationDirection.INCOMING and obligation.we_invoice
    )
    return prepares and obligation.due_date is not None and obligation.status not in CLOSED


def task_title(obligation: Obligation) -> str:
    verb = "Pay" if obligation.direction == ObligationDirection.OUTGOING else "Invoice"
    return f"{verb}: {obligation.title}"[:200]


def task_due(obligation: Obligation) -> datetime.date:
    lead = datetime.timedelta(days=settings.OBLIGATION_LEAD_DAYS)
    return max(obligation.due_date - lead, today())


def _new_task(obligation: Obligation) -> Task:
    alliance = obligation.alliance
    assignment = finance_assignment(alliance)
    task = Task(
        alliance=alliance,
        assignment=assignment,
        service=Service.objects.get(code=ServiceCode.CONTRACT_FINANCE),
        title=task_title(obligation),
        description=obligation.trigger_event,
        assignee=assignment.assignee if assignment else alliance.lead,
        due_date=task_due(obligation),
        effort_hours=TASK_EFFORT_HOURS,
    )
    task.full_clean()
    task.save()
    return task


def _sync_task(*, actor, obligation: Obligation, note: str = "") -> list:
    """Bring the obligation's task in line with it: a task while it needs one (created, or
    retitled and redated while open); closed with it (done when met, cancelled otherwise).
    A task someone closed through the tasks API stays closed. The unsaved log entries."""
    task = (
        Task.objects.select_for_update().get(pk=obligation.task_id) if obligation.task_id else None
    )
    wanted = needs_task(obligation)
    if task is None:
        if not wanted:
            return []
        task = _new_task(obligation)
        obligation.task = task
        obligation.save(update_fields=["task", "updated_at"])
        changes = initial_changes(
            {"title": task.title, "assignee": task.assignee, "due_date": task.due_date}
        )
        return [_task_entry(actor=actor, task=task, verb="created", changes=changes, note=note)]
    if task.status not in OPEN_WORK:
        return []
    if wanted:
        fields = {"title": task_title(obligation), "due_date": task_due(obligation)}
        verb = "task_rescheduled"
    else:
        met = obligation.status == S.MET
        fields = {
            "status": TaskStatus.DONE if met else TaskStatus.CANCELLED,
            "completed_at": timezone.now() if met else None,
            "blocked_reason": "",
        }
        verb = "task_complete" if met else "task_cancel"
    changes = apply_changes(task, fields)
    if not changes:
        return []
    task.full_clean()
    task.save()
    if wanted and "due_date" not in changes:
        verb = "updated"
    return [_task_entry(actor=actor, task=task, verb=verb, changes=changes, note=note)]


def _task_entry(*, actor, task: Task, verb: str, changes: dict, note: str = ""):
    return activity_entry(
        actor=actor, verb=verb, target=task, alliance=task.alliance, changes=changes, note=note
    )


# Create and change -----------------------------------------------------------------------


def _status_for(due_date) -> str:
    return S.DUE if due_date is not None else S.UPCOMING


@transaction.atomic
def obligation_create(*, actor, data: dict) -> Obligation:
    """`data`: agreement, kind, direction, title, trigger_event and/or due_date, amount and
    currency (financial kinds), we_invoice (incoming only), owner, recurrence, note."""
    agreement = Agreement.objects.select_related("alliance__lead").get(pk=data["agreement"].pk)
    alliance = agreement.alliance
    _refuse_closed_alliance(alliance)
    _check_owner(alliance=alliance, owner=data.get("owner"))
    status = _status_for(data.get("due_date"))
    _check_fields({**data, "status": status})
    obligation = Obligation(
        **{**data, "agreement": agreement}, alliance=alliance, status=status, created_by=actor
    )
    obligation.full_clean()
    obligation.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="obligation_created",
            target=obligation,
            alliance=alliance,
            changes=initial_changes({**data, "status": status}),
        ),
        *_sync_task(actor=actor, obligation=obligation),
    ]
    activity_record_many(entries)
    return obligation


def _locked(obligation: Obligation) -> Obligation:
    return (
        Obligation.objects.select_for_update(of=("self",))
        .select_related("alliance__lead", "agreement")
        .get(pk=obligation.pk)
    )


@transaction.atomic
def obligation_update(*, actor, obligation: Obligation, data: dict) -> Obligation:
    """`data`: any of kind, direction, title, trigger_event, due_date, amount, currency,
    we_invoice, owner, recurrence, note. A met or waived obligation takes only a note. Giving
    an upcoming obligation a due date makes it due (and clearing it, upcoming again); the open
    task follows."""
    locked = _locked(obligation)
    if locked.status in CLOSED and set(data) - {"note"}:
        raise DomainError(
            "obligation_closed",
            f"The obligation is {locked.get_status_display().lower()}: only its note changes.",
        )
    if "owner" in data:
        _check_owner(alliance=locked.alliance, owner=data["owner"])
    values = {name: getattr(locked, name) for name in (*CARRIED, "due_date", "status")}
    values = {**values, **data}
    if "due_date" in data and locked.status in (S.UPCOMING, S.DUE):
        data = {**data, "status": _status_for(data["due_date"])}
        values["status"] = data["status"]
    if "due_date" in data and data["due_date"] is None and locked.status == S.DISPUTED:
        raise ValidationError({"due_date": ["A disputed obligation keeps its due date."]})
    _check_fields(values)
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
        *_sync_task(actor=actor, obligation=locked, note="The obligation changed."),
    ]
    activity_record_many(entries)
    return locked


# Moves -----------------------------------------------------------------------------------


def _next_occurrence(*, actor, obligation: Obligation) -> list:
    """The next occurrence of a recurring, dated obligation: the same duty one period later."""
    months = RECURRENCE_MONTHS.get(obligation.recurrence)
    if not months or obligation.due_date is None:
        return []
    following = Obligation(
        **{name: getattr(obligation, name) for name in CARRIED},
        due_date=add_months(obligation.due_date, months),
        status=S.DUE,
        previous=obligation,
        created_by=actor,
    )
    following.full_clean()
    following.save()
    entries = [
        activity_entry(
            actor=actor,
            verb="obligation_recurred",
            target=following,
            alliance=obligation.alliance,
            changes=initial_changes(
                {"previous": obligation, "due_date": following.due_date, "status": S.DUE}
            ),
            note=f"The next {obligation.get_recurrence_display().lower()} occurrence.",
        ),
        *_sync_task(actor=actor, obligation=following),
    ]
    return entries


def _move(*, actor, obligation: Obligation, to: str, fields: dict, verb: str, note: str):
    locked = _locked(obligation)
    status = locked.get_status_display().lower()
    refusals = {
        S.MET: f"Only a due or disputed obligation can be met; this one is {status}"
        + (": record its trigger first." if locked.status == S.UPCOMING else "."),
        S.WAIVED: f"Only an open obligation can be waived; this one is {status}.",
        S.DISPUTED: f"Only a due obligation can be disputed; this one is {status}.",
        S.DUE: f"Only an upcoming obligation is triggered; this one is {status}.",
    }
    OBLIGATION.check(locked.status, to, detail=refusals[to])
    changes = apply_changes(locked, {"status": to, **fields})
    locked.full_clean()
    locked.save()
    entries = [
        activity_entry(
            actor=actor,
            verb=verb,
            target=locked,
            alliance=locked.alliance,
            changes=changes,
            note=note,
        ),
        *_sync_task(actor=actor, obligation=locked, note=note),
    ]
    if to in CLOSED:
        entries += _next_occurrence(actor=actor, obligation=locked)
    activity_record_many(entries)
    return locked


@transaction.atomic
def obligation_meet(
    *, actor, obligation: Obligation, met_on: datetime.date, note: str = ""
) -> Obligation:
    if met_on > today():
        raise ValidationError({"met_on": ["It cannot be met in the future: give the day it was."]})
    return _move(
        actor=actor,
        obligation=obligation,
        to=S.MET,
        fields={"met_on": met_on},
        verb="obligation_met",
        note=note,
    )


@transaction.atomic
def obligation_waive(*, actor, obligation: Obligation, reason: str) -> Obligation:
    return _move(
        actor=actor,
        obligation=obligation,
        to=S.WAIVED,
        fields={"status_reason": reason},
        verb="obligation_waived",
        note=reason,
    )


@transaction.atomic
def obligation_dispute(*, actor, obligation: Obligation, reason: str) -> Obligation:
    return _move(
        actor=actor,
        obligation=obligation,
        to=S.DISPUTED,
        fields={"status_reason": reason},
        verb="obligation_disputed",
        note=reason,
    )


@transaction.atomic
def obligation_trigger(*, actor, obligation: Obligation, occurred_on: datetime.date) -> Obligation:
    """The trigger event happened on `occurred_on`: due the agreement's payment terms later."""
    if occurred_on > today():
        raise ValidationError(
            {"occurred_on": ["Record a trigger once it has happened: this day is in the future."]}
        )
    terms = obligation.agreement.payment_terms_days
    due = occurred_on + datetime.timedelta(days=terms)
    return _move(
        actor=actor,
        obligation=obligation,
        to=S.DUE,
        fields={"triggered_on": occurred_on, "due_date": due},
        verb="obligation_triggered",
        note=f"Triggered on {occurred_on.isoformat()}; due {terms} days later.",
    )
