"""Reads for the front door, each through the visibility method, with its joins."""

import datetime
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from alliances.calendar import today
from alliances.models import Alliance

from . import access, hooks
from . import facts as facts_read
from .capacity import HORIZON_WEEKS, horizon
from .choices import PRIORITY_RANK, Anchor
from .models import (
    Assignment,
    IntakeMessage,
    IntakeRequest,
    Service,
    Specialist,
    Task,
    TaskTemplate,
)
from .recommendation import (
    ServiceNeed,
    SpecialistFacts,
    capacity_hours,
    exclusions,
    rank_specialists,
    recommend_management_model,
)


def _intakes(*, user) -> QuerySet[IntakeRequest]:
    return (
        IntakeRequest.objects.visible_to(user)
        .select_related("requester", "partner", "therapeutic_area", "decided_by")
        .prefetch_related(Prefetch("requested_services", queryset=Service.objects.only("code")))
    )


def intake_list(*, user) -> QuerySet[IntakeRequest]:
    # The recommendation kept at the decision is a large JSON document that only the triage
    # page shows: decoding it for every listed row was a third of the list's CPU.
    return _intakes(user=user).defer("decision_recommendation")


def intake_detail_queryset(*, user) -> QuerySet[IntakeRequest]:
    messages = IntakeMessage.objects.select_related("author")
    return _intakes(user=user).prefetch_related(Prefetch("messages", queryset=messages))


def task_list(*, user) -> QuerySet[Task]:
    """Tasks the user may see, in queue order by default: overdue first (they are the earliest
    due), then by due date, then by priority."""
    return (
        Task.objects.visible_to(user)
        .select_related("alliance", "service", "assignee")
        .annotate(
            priority_rank=Case(
                *(When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()),
                output_field=IntegerField(),
            )
        )
    )


# What a list of tasks shows of the rows it joins: the alliance's code and name, the service's
# code, the assignee's name.
TASK_LIST_JOINED = (
    "alliance__code",
    "alliance__name",
    "service__code",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def task_rows(*, user) -> QuerySet[Task]:
    """task_list for a page of tasks: the joined rows read only as far as a list shows them
    (an alliance row is two dozen columns, a user's a dozen)."""
    own = [field.name for field in Task._meta.concrete_fields]
    return task_list(user=user).only(*own, *TASK_LIST_JOINED)


def service_list() -> QuerySet[Service]:
    return Service.objects.prefetch_related("templates")


def open_task_count() -> Subquery:
    return Coalesce(
        Subquery(
            Task.objects.filter(assignee=OuterRef("user_id"))
            .open_work()
            .order_by()
            .values("assignee")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def _demand_due_by(last: datetime.date) -> Coalesce:
    return Coalesce(
        Subquery(
            Task.objects.filter(assignee=OuterRef("user_id"), due_date__lte=last)
            .open_work()
            .order_by()
            .values("assignee")
            .annotate(hours=Sum("effort_hours"))
            .values("hours")
        ),
        Decimal(0),
    )


def specialist_list(*, user, horizon_weeks: int | None = None) -> QuerySet[Specialist]:
    """With `open_tasks`; with `horizon_weeks`, also `demand_hours`: open work due by the end
    of that capacity horizon."""
    specialists = (
        Specialist.objects.select_related("user")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.only("code")),
            "therapeutic_areas",
            "leave_periods",
        )
        .annotate(open_tasks=open_task_count())
    )
    if horizon_weeks:
        _, last = horizon(horizon_weeks)
        specialists = specialists.annotate(demand_hours=_demand_due_by(last))
    if access.can_see_all_specialists(user):
        return specialists
    return specialists.filter(user=user) if user.is_authenticated else specialists.none()


def utilisation(specialist: Specialist, *, weeks: int = HORIZON_WEEKS) -> float | None:
    """Demand over capacity for a specialist from specialist_list(horizon_weeks=weeks)."""
    first, last = horizon(weeks)
    leave = [(p.start, p.end) for p in specialist.leave_periods.all()]
    capacity = capacity_hours(specialist.weekly_capacity_hours, leave, first, last)
    return float(specialist.demand_hours / capacity) if capacity > 0 else None


# The recommendation ------------------------------------------------------------------------


def service_needs(*, services: list[Service], start: datetime.date) -> list[ServiceNeed]:
    """Each service's playbook window from `start` and the effort it takes. Start-anchored
    steps fall on their own dates; other anchors (a meeting, wind-down) are not known yet, so
    their span is laid from `start`."""
    templates: dict[int, list[TaskTemplate]] = {service.pk: [] for service in services}
    for template in TaskTemplate.objects.filter(service__in=services).order_by():
        templates[template.service_id].append(template)
    needs = []
    for service in services:
        steps = templates[service.pk]
        if not steps:
            span = (0, settings.DEFAULT_SERVICE_WINDOW_DAYS)
        elif all(step.anchor == Anchor.START for step in steps):
            span = (
                min(0, *(s.offset_days for s in steps)),
                max(0, *(s.offset_days for s in steps)),
            )
        else:
            offsets = [s.offset_days for s in steps]
            span = (0, max(offsets) - min(0, *offsets))
        needs.append(
            ServiceNeed(
                code=service.code,
                window_start=start + datetime.timedelta(days=span[0]),
                window_end=start + datetime.timedelta(days=max(span[1], 1)),
                effort_hours=sum((s.effort_hours for s in steps), Decimal(0)),
            )
        )
    return needs


def _assignment_history(
    specialist_ids: list[int], *, partner_id: int | None, user
) -> tuple[dict, dict]:
    """When each specialist was last assigned, and how often to the partner's alliances that
    `user` can see (counting others would reveal a confidential partnership)."""
    assigned = Assignment.objects.filter(specialist_id__in=specialist_ids).order_by()
    last_assigned = dict(
        assigned.values("specialist_id")
        .annotate(last=Max("created_at"))
        .values_list("specialist_id", "last")
    )
    if not partner_id:
        return last_assigned, {}
    continuity = dict(
        # The partner's visible alliances first: a handful, where the assignments are many.
        assigned.filter(
            alliance__in=Alliance.objects.visible_to(user)
            .filter(partner_id=partner_id)
            .values("pk")
        )
        .values("specialist_id")
        .annotate(n=Count("pk"))
        .values_list("specialist_id", "n")
    )
    return last_assigned, continuity


def specialist_facts(
    *, needs: list[ServiceNeed], partner_id: int | None, user
) -> list[SpecialistFacts]:
    """Everything the ranking weighs, for every specialist, in a fixed number of queries: the
    shared specialist facts (resourcing.facts), with open tasks counted only for people who
    could be candidates. What only a candidate's score uses (committed effort, continuity,
    last assigned) is read only for candidates: the excluded show only why, and on a busy team
    most people are excluded, with their open work the big read."""
    first = min((need.window_start for need in needs), default=today())
    last = max((need.window_end for need in needs), default=today())
    wanted = {need.code for need in needs}
    facts = facts_read.specialists_read(
        first=first,
        last=last,
        count_open_tasks=lambda active, services: active and bool(services & wanted),
    )
    candidates = [f for f in facts if any(not exclusions(f, need) for need in needs)]
    due = facts_read.hours_due_by(
        [f.user_id for f in candidates], [need.window_end for need in needs]
    )
    last_assigned, continuity = _assignment_history(
        [f.id for f in candidates], partner_id=partner_id, user=user
    )
    chosen = {f.id for f in candidates}
    none_due = [0.0] * len(needs)
    return [
        replace(
            fact,
            committed_hours={
                need.code: Decimal(str(hours))
                for need, hours in zip(needs, due.get(fact.user_id, none_due), strict=True)
            },
            partner_assignments=continuity.get(fact.id, 0),
            last_assigned_at=last_assigned.get(fact.id),
        )
        if fact.id in chosen
        else fact
        for fact in facts
    ]


def intake_recommendation(
    *, intake: IntakeRequest, user, services: list[Service] | None = None
) -> dict:
    """The management model and, per service, the ranked specialists, with every reason."""
    services = list(intake.requested_services.all()) if services is None else services
    start = max(intake.desired_start_date, today())
    needs = service_needs(services=services, start=start)
    facts = specialist_facts(needs=needs, partner_id=intake.partner_id, user=user)
    model = recommend_management_model(
        differentiating=intake.differentiating,
        mission_critical=intake.mission_critical,
        complexity=intake.complexity,
        estimated_value=intake.estimated_value,
        currency=intake.currency,
        thresholds=settings.DEDICATED_VALUE_THRESHOLDS,
    )
    area = intake.therapeutic_area.code
    return {
        "intake_request": intake.pk,
        "management_model": {
            "recommended": model.management_model,
            "rule": model.rule,
            "reason": model.reason,
            "inputs": model.inputs,
            "factors": hooks.management_model_factors(
                intake=intake, management_model=model.management_model
            ),
        },
        "services": [
            rank_specialists(need=need, therapeutic_area=area, specialists=facts) for need in needs
        ],
    }
