"""Capacity against demand over a horizon, per specialist and per service, with the demand the
open intake pipeline would add. Computed when read, in a fixed number of queries."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from alliances.calendar import today

from .choices import OPEN_WORK, Anchor
from .models import IntakeRequest, LeavePeriod, Service, Specialist, Task, TaskTemplate
from .recommendation import capacity_hours

ZERO = Decimal(0)


def horizon(weeks: int) -> tuple[datetime.date, datetime.date]:
    first = today()
    return first, first + datetime.timedelta(days=7 * weeks - 1)


def _ratio(demand: Decimal, capacity: Decimal) -> float | None:
    return round(float(demand / capacity), 3) if capacity > 0 else None


def specialist_rows(*, first, last, specialists=None) -> list[dict]:
    """One row per specialist: capacity with leave removed, open work, overdue, the effort of
    open work due by the horizon's end (overdue included), utilisation and over-allocation."""
    people = Specialist.objects.order_by("user__username")
    if specialists is not None:
        people = people.filter(pk__in=[s.pk for s in specialists])
    people = list(
        people.values(
            "pk",
            "user_id",
            "user__username",
            "user__first_name",
            "user__last_name",
            "active",
            "weekly_capacity_hours",
            "wip_limit",
        )
    )
    ids = [p["pk"] for p in people]
    skills = defaultdict(list)
    for specialist_id, code in (
        Specialist.services.through.objects.filter(specialist_id__in=ids)
        .order_by("service__code")
        .values_list("specialist_id", "service__code")
    ):
        skills[specialist_id].append(code)
    leave = defaultdict(list)
    for specialist_id, start, end in LeavePeriod.objects.filter(
        specialist_id__in=ids, start__lte=last, end__gte=first
    ).values_list("specialist_id", "start", "end"):
        leave[specialist_id].append((start, end))
    load = defaultdict(dict)
    for row in (
        Task.objects.filter(status__in=OPEN_WORK, assignee_id__in=[p["user_id"] for p in people])
        .order_by()
        .values("assignee_id", "service__code")
        .annotate(
            open_tasks=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=first)),
            demand=Sum("effort_hours", filter=Q(due_date__lte=last)),
        )
    ):
        load[row["assignee_id"]][row["service__code"]] = row
    rows = []
    for person in people:
        by_service = load[person["user_id"]]
        capacity = capacity_hours(person["weekly_capacity_hours"], leave[person["pk"]], first, last)
        demand = sum((r["demand"] or ZERO for r in by_service.values()), ZERO)
        open_tasks = sum(r["open_tasks"] for r in by_service.values())
        name = f"{person['user__first_name']} {person['user__last_name']}".strip()
        rows.append(
            {
                "id": person["pk"],
                "user": {
                    "id": person["user_id"],
                    "username": person["user__username"],
                    "full_name": name or person["user__username"],
                },
                "active": person["active"],
                "services": skills[person["pk"]],
                "capacity_hours": float(capacity),
                "leave": [
                    {"start": start.isoformat(), "end": end.isoformat()}
                    for start, end in leave[person["pk"]]
                ],
                "demand_hours": float(demand),
                "utilisation": _ratio(demand, capacity),
                "open_tasks": open_tasks,
                "wip_limit": person["wip_limit"],
                "overdue_tasks": sum(r["overdue"] for r in by_service.values()),
                "over_allocated": demand > capacity or open_tasks >= person["wip_limit"],
                "by_service": [
                    {
                        "service": code,
                        "open_tasks": r["open_tasks"],
                        "overdue_tasks": r["overdue"],
                        "demand_hours": float(r["demand"] or ZERO),
                    }
                    for code, r in sorted(by_service.items())
                ],
            }
        )
    return rows


def pipeline_requests(*, user):
    """The open intake pipeline as `user` may count it: the head all of it, anyone else every
    request but confidential ones they did not make."""
    return IntakeRequest.objects.in_pipeline().counted_for(user)


def pipeline_hours(*, last, user) -> dict[str, Decimal]:
    """Per service, the effort accepting the open requests would put in queues by `last`: the
    start-anchored playbook steps (the ones accept creates) that would fall due by then."""
    steps = defaultdict(list)
    for code, offset, effort in TaskTemplate.objects.filter(anchor=Anchor.START).values_list(
        "service__code", "offset_days", "effort_hours"
    ):
        steps[code].append((offset, effort))
    hours = defaultdict(lambda: ZERO)
    for start, code in (
        IntakeRequest.requested_services.through.objects.filter(
            intakerequest__in=pipeline_requests(user=user)
        )
        .order_by()
        .values_list("intakerequest__desired_start_date", "service__code")
    ):
        for offset, effort in steps[code]:
            if start + datetime.timedelta(days=offset) <= last:
                hours[code] += effort
    return hours


def capacity_report(*, weeks: int, user) -> dict:
    """Specialists' load counts all their work (it is about the person, and names no alliance);
    the pipeline counts only requests `user` may see."""
    first, last = horizon(weeks)
    people = specialist_rows(first=first, last=last)
    pipeline = pipeline_hours(last=last, user=user)
    services = []
    for service in Service.objects.order_by("code"):
        code = service.code
        delivering = [p for p in people if p["active"] and code in p["services"]]
        # A specialist's capacity is shared evenly between the services they deliver.
        capacity = sum(
            (Decimal(str(p["capacity_hours"])) / len(p["services"]) for p in delivering), ZERO
        )
        demand = sum(
            (
                Decimal(str(row["demand_hours"]))
                for p in people
                for row in p["by_service"]
                if row["service"] == code
            ),
            ZERO,
        )
        extra = pipeline.get(code, ZERO)
        services.append(
            {
                "service": code,
                "specialists": len(delivering),
                "capacity_hours": float(capacity.quantize(Decimal("0.1"))),
                "demand_hours": float(demand),
                "pipeline_hours": float(extra),
                "utilisation": _ratio(demand, capacity),
                "utilisation_with_pipeline": _ratio(demand + extra, capacity),
                "over_allocated": demand + extra > capacity,
            }
        )
    return {
        "horizon": {"start": first.isoformat(), "end": last.isoformat(), "weeks": weeks},
        "specialists": people,
        "services": services,
    }
