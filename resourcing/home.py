"""The home page's reads for the front door and the work queue: a few grouped queries each,
whatever the number of rows (lists are cut to their first rows; counts are counted)."""

import datetime

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery

from alliances.access import is_head
from alliances.calendar import today

from . import capacity
from .choices import IntakeStatus, MessageKind, ServiceCode, TaskStatus
from .models import IntakeMessage, IntakeRequest
from .querysets import open_work_q
from .selectors import task_list

ROWS = 10
DEMAND_SECONDS = 60
WEEK = datetime.timedelta(days=7)


def sla_state(sla_due: datetime.date, day: datetime.date) -> str:
    if sla_due < day:
        return "breached"
    if sla_due == day:
        return "due_today"
    return "due_this_week"


def intake_by_sla(*, user, rows: int = ROWS) -> dict:
    """Requests waiting on triage that `user` sees, by SLA state (breached, due today, due
    within seven days), oldest SLA first: the counts and the first `rows` requests. Two
    queries."""
    day = today()
    waiting = IntakeRequest.objects.visible_to(user).awaiting_triage()
    counts = waiting.aggregate(
        breached=Count("pk", filter=Q(sla_due__lt=day)),
        due_today=Count("pk", filter=Q(sla_due=day)),
        due_this_week=Count("pk", filter=Q(sla_due__gt=day, sla_due__lte=day + WEEK)),
    )
    requests = list(
        waiting.filter(sla_due__lte=day + WEEK)
        .select_related("requester", "therapeutic_area")
        .order_by("sla_due", "submitted_at", "pk")[:rows]
    )
    for request in requests:
        request.sla_state = sla_state(request.sla_due, day)
        request.days_late = (day - request.sla_due).days
    return {"counts": counts, "requests": requests}


def demand_by_service(*, user) -> list[dict]:
    """Demand against capacity per service over the capacity horizon, the pipeline counted for
    `user` (capacity.capacity_report's figures), with the service's name. Hours per service
    name no alliance and no request; they are kept for DEMAND_SECONDS per reader (the report
    reads every specialist's open work)."""
    names = dict(ServiceCode.choices)
    scope = "all" if is_head(user) else f"user-{user.pk}"
    key = f"home-demand:{scope}:{today().isoformat()}"
    rows = cache.get(key)
    if rows is None:
        rows = capacity.capacity_report(user=user)["services"]
        cache.set(key, rows, DEMAND_SECONDS)
    for row in rows:
        row["name"] = names.get(row["service"], row["service"])
        capacity_hours = row["capacity_hours"] or 0
        used = row["demand_hours"] + row["pipeline_hours"]
        row["percent"] = min(100, round(100 * used / capacity_hours)) if capacity_hours else 100
        row["demand_percent"] = (
            min(100, round(100 * row["demand_hours"] / capacity_hours)) if capacity_hours else 0
        )
        row["pipeline_percent"] = max(0, row["percent"] - row["demand_percent"])
    return rows


def my_work(*, user, rows: int = ROWS) -> dict:
    """The specialist's own open tasks: counts (overdue, due within seven days, blocked,
    waiting on the partner) and the queue's first `rows`, overdue first. Two queries."""
    day = today()
    mine = task_list(user=user).filter(open_work_q(), assignee=user)
    counts = mine.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=day)),
        due_this_week=Count("pk", filter=Q(due_date__gte=day, due_date__lte=day + WEEK)),
        blocked=Count("pk", filter=Q(status=TaskStatus.BLOCKED)),
        waiting=Count("pk", filter=Q(status=TaskStatus.WAITING_ON_PARTNER)),
    )
    tasks = list(mine.order_by("due_date", "priority_rank", "pk")[:rows])
    for task in tasks:
        task.days_late = (day - task.due_date).days
    return {"counts": counts, "tasks": tasks}


def my_requests(*, user, rows: int = 20) -> dict:
    """The requests `user` raised, newest first, each with the last question asked while it
    needs information (`question`, or None). Two queries."""
    own = IntakeRequest.objects.visible_to(user).filter(requester=user)
    last_question = (
        IntakeMessage.objects.filter(intake_request=OuterRef("pk"), kind=MessageKind.QUESTION)
        .order_by("-created_at", "-pk")
        .values("text")[:1]
    )
    requests = list(
        own.select_related("therapeutic_area")
        .annotate(last_question=Subquery(last_question))
        .order_by("-submitted_at", "-pk")[:rows]
    )
    for request in requests:
        waiting = request.status == IntakeStatus.NEEDS_INFO
        request.question = request.last_question if waiting else None
    counts = own.aggregate(
        total=Count("pk"), waiting=Count("pk", filter=Q(status=IntakeStatus.NEEDS_INFO))
    )
    return {"counts": counts, "requests": requests}
