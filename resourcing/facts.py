"""The specialist facts: who each specialist is, what they deliver and where, when they are
away and the open work they carry. One read, in a fixed number of queries, for the
recommendation (resourcing.selectors) and for capacity and workload (resourcing.capacity).
Plain rows rather than model instances: both run over every specialist on every read. A
specialist's load counts all their work, confidential alliances included: it is about the
person and names no alliance."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Count, FloatField, Q, Sum

from .models import LeavePeriod, Specialist, Task
from .recommendation import SpecialistFacts

PERSON = (
    "pk",
    "user_id",
    "user__username",
    "user__first_name",
    "user__last_name",
    "active",
    "weekly_capacity_hours",
    "wip_limit",
)


def _relations(ids: list[int] | None) -> tuple[dict, dict]:
    """Service codes and therapeutic-area codes per specialist id, one query each."""
    skills, areas = defaultdict(set), defaultdict(set)
    for through, code, into in (
        (Specialist.services.through, "service__code", skills),
        (Specialist.therapeutic_areas.through, "therapeuticarea__code", areas),
    ):
        rows = through.objects.all()
        if ids is not None:
            rows = rows.filter(specialist_id__in=ids)
        for specialist_id, value in rows.values_list("specialist_id", code):
            into[specialist_id].add(value)
    return skills, areas


def _leave(ids: list[int] | None, first: datetime.date, last: datetime.date) -> dict:
    """Leave overlapping `first`..`last`, per specialist id, earliest first."""
    leave = defaultdict(list)
    rows = LeavePeriod.objects.filter(start__lte=last, end__gte=first)
    if ids is not None:
        rows = rows.filter(specialist_id__in=ids)
    for specialist_id, start, end in rows.values_list("specialist_id", "start", "end"):
        leave[specialist_id].append((start, end))
    return leave


def open_task_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Open tasks per assignee (user id), on the (assignee, status, ...) covering index."""
    return dict(
        # COUNT(*) rather than COUNT(id): SQLite then counts index entries without reading ids.
        Task.objects.filter(assignee_id__in=list(user_ids))
        .open_work()
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("*"))
        .values_list("assignee_id", "n")
    )


def specialists_read(
    *,
    first: datetime.date,
    last: datetime.date,
    ids: Iterable[int] | None = None,
    count_open_tasks: Callable[[bool, set[str]], bool] | None = None,
) -> list[SpecialistFacts]:
    """Every specialist (or those with `ids`), by id, with their services, areas and leave
    overlapping `first`..`last`, in four queries; and, in a fifth, the open tasks of those for
    whom `count_open_tasks(active, services)` is true (the others show 0). The task table is
    the big one: the recommendation counts only people who could be candidates, and capacity
    reads open work by service instead (open_work_by_service)."""
    ids = None if ids is None else list(ids)
    people = Specialist.objects.order_by("pk")
    if ids is not None:
        people = people.filter(pk__in=ids)
    people = list(people.values(*PERSON))
    skills, areas = _relations(ids)
    leave = _leave(ids, first, last)
    counted = [
        p["user_id"]
        for p in people
        if count_open_tasks is not None and count_open_tasks(p["active"], skills[p["pk"]])
    ]
    open_tasks = open_task_counts(counted) if counted else {}
    facts = []
    for person in people:
        name = f"{person['user__first_name']} {person['user__last_name']}".strip()
        facts.append(
            SpecialistFacts(
                id=person["pk"],
                user_id=person["user_id"],
                username=person["user__username"],
                full_name=name or person["user__username"],
                active=person["active"],
                services=frozenset(skills[person["pk"]]),
                areas=frozenset(areas[person["pk"]]),
                weekly_capacity_hours=person["weekly_capacity_hours"],
                wip_limit=person["wip_limit"],
                leave=tuple(leave[person["pk"]]),
                open_tasks=open_tasks.get(person["user_id"], 0),
            )
        )
    return facts


def hours_due_by(user_ids: Iterable[int], ends: list[datetime.date]) -> dict[int, list[float]]:
    """Per assignee, the remaining effort of open work due by each of `ends` (overdue
    included), in one query over rows due by the latest end, which the index's due_date
    serves. Summed as floats: the decimal round trip costs more than the sums here."""
    if not ends:
        return {}
    rows = (
        Task.objects.filter(assignee_id__in=list(user_ids), due_date__lte=max(ends))
        .open_work()
        .order_by()
        .values("assignee_id")
        .annotate(
            **{
                f"due_{n}": Sum(
                    "effort_hours", filter=Q(due_date__lte=end), output_field=FloatField()
                )
                for n, end in enumerate(ends)
            }
        )
    )
    return {row["assignee_id"]: [row[f"due_{n}"] or 0.0 for n in range(len(ends))] for row in rows}


def open_work_by_service(
    user_ids: Iterable[int], *, first: datetime.date, last: datetime.date
) -> dict[int, dict[str, dict]]:
    """Per assignee and service code: open tasks, how many are overdue on `first`, and the
    remaining effort due by `last` (overdue included)."""
    load = defaultdict(dict)
    for row in (
        Task.objects.filter(assignee_id__in=list(user_ids))
        .open_work()
        .order_by()
        .values("assignee_id", "service__code")
        .annotate(
            open_tasks=Count("pk"),
            # Among open work, task_overdue_q is the due date alone: testing the status again
            # for every row costs a fifth of this query.
            overdue=Count("pk", filter=Q(due_date__lt=first)),
            demand=Sum("effort_hours", filter=Q(due_date__lte=last)),
        )
    ):
        load[row["assignee_id"]][row["service__code"]] = row
    return load
