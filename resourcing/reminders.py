"""The front door's reminders: triage due tomorrow or breached (to the leads; to the head only
for a confidential request), and each person's overdue tasks (daily). A fixed number of
queries for the scan itself, whatever the number of tasks; one notification per person and
event."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Min

from alliances.access import is_head
from alliances.calendar import add_business_days
from alliances.choices import Role
from notifications.choices import Kind
from notifications.services import Message, notify_many

from .models import IntakeRequest, Task


def _triagers():
    users = get_user_model().objects.filter(is_active=True)
    return list(users.filter(groups__name__in=[Role.ALLIANCE_LEAD, Role.ALLIANCE_HEAD]).distinct())


def triage_reminders(day: datetime.date) -> int:
    """Requests still awaiting triage whose SLA day is the next business day, or has passed."""
    due_on = add_business_days(day, 1)
    waiting = list(
        IntakeRequest.objects.awaiting_triage()
        .filter(sla_due__lte=due_on)
        .order_by("sla_due", "pk")
    )
    if not waiting:
        return 0
    people = _triagers()
    messages = []
    for intake in waiting:
        breached = intake.sla_due < day
        if intake.sla_due == day:
            continue  # due today: yesterday's reminder said so
        for person in people:
            if intake.confidential and not is_head(person):
                continue
            event = "breached" if breached else "due"
            message = Message(
                recipient=person,
                kind=Kind.TRIAGE_BREACHED if breached else Kind.TRIAGE_DUE,
                key=f"intake:{intake.pk}:{event}:{intake.sla_due.isoformat()}",
                text=(
                    f"Triage of “{intake.title}” was due {intake.sla_due:%d %b %Y}."
                    if breached
                    else f"Triage of “{intake.title}” is due {intake.sla_due:%d %b %Y}."
                ),
                about=intake,
                api_path=f"/api/v1/intake-requests/{intake.pk}/",
                admin_path=f"/admin/resourcing/intakerequest/{intake.pk}/triage/",
            )
            messages.append(message)
    return notify_many(messages)


def overdue_task_reminders(day: datetime.date) -> int:
    """Once a day, each person with overdue work: how many tasks and since when (it names no
    alliance, so it tells nobody more than their queue does)."""
    rows = (
        Task.objects.overdue(day)
        .order_by()
        .values("assignee")
        .annotate(n=Count("*"), oldest=Min("due_date"))
    )
    by_person = {row["assignee"]: row for row in rows}
    if not by_person:
        return 0
    messages = []
    for person in get_user_model().objects.filter(pk__in=by_person, is_active=True):
        row = by_person[person.pk]
        message = Message(
            recipient=person,
            kind=Kind.TASKS_OVERDUE,
            key=f"tasks_overdue:{day.isoformat()}",
            text=f"You have {row['n']} overdue task(s), the oldest due {row['oldest']:%d %b %Y}.",
            api_path="/api/v1/tasks/?assignee=me&overdue=true",
            admin_path="/admin/resourcing/task/?whose=mine&open=overdue",
        )
        messages.append(message)
    return notify_many(messages)
