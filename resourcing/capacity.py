"""Capacity against demand over a horizon, per specialist and per service, with the demand the
open intake pipeline would add. Computed when read, in a fixed number of queries."""

import datetime
from collections import defaultdict
from decimal import Decimal

from alliances.calendar import today

from . import facts
from .choices import Anchor
from .models import IntakeRequest, Service, TaskTemplate
from .recommendation import SpecialistFacts

ZERO = Decimal(0)


# The capacity horizon: workload, capacity, the admin's utilisation and the workbook's front
# door all look this many weeks ahead unless told otherwise.
HORIZON_WEEKS = 12


def horizon(weeks: int = HORIZON_WEEKS) -> tuple[datetime.date, datetime.date]:
    """The capacity horizon: from today through the last day of the `weeks`th week."""
    first = today()
    return first, first + datetime.timedelta(days=7 * weeks - 1)


def _ratio(demand: Decimal, capacity: Decimal) -> float | None:
    return round(float(demand / capacity), 3) if capacity > 0 else None


def specialist_rows(*, first, last, specialists=None) -> list[dict]:
    """One row per specialist (by username): capacity with leave removed, open work, overdue,
    the effort of open work due by the horizon's end (overdue included), utilisation and
    over-allocation; from the shared specialist facts and one read of their work by service."""
    ids = None if specialists is None else [s.pk for s in specialists]
    people = sorted(
        facts.specialists_read(first=first, last=last, ids=ids), key=lambda p: p.username
    )
    load = facts.open_work_by_service([p.user_id for p in people], first=first, last=last)
    return [_specialist_row(person, load[person.user_id], first, last) for person in people]


def _specialist_row(person: SpecialistFacts, by_service: dict, first, last) -> dict:
    capacity = person.capacity_hours(first, last)
    demand = sum((r["demand"] or ZERO for r in by_service.values()), ZERO)
    open_tasks = sum(r["open_tasks"] for r in by_service.values())
    return {
        "id": person.id,
        "user": {
            "id": person.user_id,
            "username": person.username,
            "full_name": person.full_name,
        },
        "active": person.active,
        "services": sorted(person.services),
        "capacity_hours": float(capacity),
        "leave": [
            {"start": start.isoformat(), "end": end.isoformat()} for start, end in person.leave
        ],
        "demand_hours": float(demand),
        "utilisation": _ratio(demand, capacity),
        "open_tasks": open_tasks,
        "wip_limit": person.wip_limit,
        "overdue_tasks": sum(r["overdue"] for r in by_service.values()),
        "over_allocated": demand > capacity or open_tasks >= person.wip_limit,
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


def capacity_report(*, user, weeks: int = HORIZON_WEEKS) -> dict:
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
