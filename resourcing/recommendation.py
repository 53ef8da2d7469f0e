"""The front door's recommendation: which management model an intake needs and who should
deliver each service. Pure functions over plain facts, so the triage page, the API and accept
all explain the same decision; resourcing.selectors gathers the facts."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from alliances.calendar import business_days_between
from alliances.choices import ManagementModel, PurposeQuadrant

from .choices import Complexity, Exclusion

# Points per factor; a perfect candidate scores 100.
AREA_POINTS = Decimal(30)
CAPACITY_POINTS = Decimal(40)
WIP_POINTS = Decimal(20)
CONTINUITY_POINTS = Decimal(10)


def purpose_quadrant(*, differentiating: bool, mission_critical: bool) -> str:
    if differentiating and mission_critical:
        return PurposeQuadrant.DIFFERENTIATING
    if mission_critical:
        return PurposeQuadrant.PARITY
    if differentiating:
        return PurposeQuadrant.PARTNER
    return PurposeQuadrant.WHO_CARES


@dataclass(frozen=True)
class ModelRecommendation:
    management_model: str
    rule: int
    reason: str
    inputs: dict


def recommend_management_model(
    *,
    differentiating: bool,
    mission_critical: bool,
    complexity: str,
    estimated_value: Decimal | None,
    currency: str,
    thresholds: dict[str, Decimal | int | str],
) -> ModelRecommendation:
    """DESIGN.md's rule table; the first rule that matches wins."""
    quadrant = purpose_quadrant(differentiating=differentiating, mission_critical=mission_critical)
    threshold = thresholds.get(currency) if currency else None
    threshold = Decimal(str(threshold)) if threshold is not None else None
    high_value = (
        threshold is not None and estimated_value is not None and estimated_value >= threshold
    )
    high_complexity = complexity == Complexity.HIGH
    inputs = {
        "purpose_quadrant": quadrant,
        "differentiating": differentiating,
        "mission_critical": mission_critical,
        "complexity": complexity,
        "estimated_value": str(estimated_value) if estimated_value is not None else None,
        "currency": currency or None,
        "dedicated_value_threshold": str(threshold) if threshold is not None else None,
        "value_at_or_over_threshold": high_value,
    }
    if quadrant == PurposeQuadrant.DIFFERENTIATING:
        return ModelRecommendation(
            ManagementModel.DEDICATED, 1, "Differentiating and mission critical.", inputs
        )
    if high_complexity and high_value:
        return ModelRecommendation(
            ManagementModel.DEDICATED, 1, "High complexity at or over the value threshold.", inputs
        )
    if quadrant in (PurposeQuadrant.PARITY, PurposeQuadrant.PARTNER):
        reason = (
            "Mission critical only."
            if quadrant == PurposeQuadrant.PARITY
            else ("Differentiating only.")
        )
        return ModelRecommendation(ManagementModel.SPECIALIST_SUPPORTED, 2, reason, inputs)
    if high_complexity:
        return ModelRecommendation(
            ManagementModel.SPECIALIST_SUPPORTED, 2, "High complexity.", inputs
        )
    if high_value:
        return ModelRecommendation(
            ManagementModel.SPECIALIST_SUPPORTED, 2, "Value at or over the threshold.", inputs
        )
    return ModelRecommendation(
        ManagementModel.SELF_MANAGED,
        3,
        "Neither differentiating nor critical, nor complex or large.",
        inputs,
    )


@dataclass(frozen=True)
class ServiceNeed:
    """One requested service: the window its playbook runs over and the effort it takes."""

    code: str
    window_start: datetime.date
    window_end: datetime.date
    effort_hours: Decimal


@dataclass(frozen=True)
class SpecialistFacts:
    id: int
    user_id: int
    username: str
    full_name: str
    active: bool
    services: frozenset[str]
    areas: frozenset[str]
    weekly_capacity_hours: Decimal
    wip_limit: int
    leave: tuple[tuple[datetime.date, datetime.date], ...] = ()
    open_tasks: int = 0
    # Remaining effort of open work due by each service window's end, by service code; weighed
    # (and so counted) only for someone who is a candidate for that service.
    committed_hours: dict[str, Decimal] = field(default_factory=dict)
    partner_assignments: int = 0
    last_assigned_at: datetime.datetime | None = None

    def on_leave(self, day: datetime.date) -> bool:
        return any(start <= day <= end for start, end in self.leave)

    def capacity_hours(self, first: datetime.date, last: datetime.date) -> Decimal:
        return capacity_hours(self.weekly_capacity_hours, self.leave, first, last)


def capacity_hours(weekly: Decimal, leave, first: datetime.date, last: datetime.date) -> Decimal:
    """Weekly capacity spread over the business days from `first` to `last`, leave removed
    (overlapping leave counted once)."""
    days = business_days_between(first, last)
    for start, end in merged(leave):
        days -= business_days_between(max(start, first), min(end, last))
    return (weekly / 5 * days).quantize(Decimal("0.1"))


def merged(periods) -> list[tuple[datetime.date, datetime.date]]:
    result: list[tuple[datetime.date, datetime.date]] = []
    for start, end in sorted(periods):
        if result and start <= result[-1][1] + datetime.timedelta(days=1):
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def exclusions(specialist: SpecialistFacts, need: ServiceNeed) -> list[str]:
    """Why not: `inactive` and `lacks_skill` first; only someone who could otherwise do the
    work is checked for `on_leave` and `at_wip_limit` (their load is counted only then)."""
    reasons = []
    if not specialist.active:
        reasons.append(Exclusion.INACTIVE)
    if need.code not in specialist.services:
        reasons.append(Exclusion.LACKS_SKILL)
    if reasons:
        return reasons
    if specialist.on_leave(need.window_start):
        reasons.append(Exclusion.ON_LEAVE)
    if specialist.open_tasks >= specialist.wip_limit:
        reasons.append(Exclusion.AT_WIP_LIMIT)
    return reasons


def _person(specialist: SpecialistFacts) -> dict:
    return {
        "id": specialist.id,
        "user": {
            "id": specialist.user_id,
            "username": specialist.username,
            "full_name": specialist.full_name,
        },
    }


def _score(specialist: SpecialistFacts, need: ServiceNeed, area: str) -> dict:
    capacity = specialist.capacity_hours(need.window_start, need.window_end)
    committed = specialist.committed_hours.get(need.code, Decimal(0))
    remaining = capacity - committed
    area_match = area in specialist.areas
    if need.effort_hours > 0:
        capacity_share = min(Decimal(1), max(Decimal(0), remaining / need.effort_hours))
    else:
        capacity_share = Decimal(1) if remaining > 0 else Decimal(0)
    wip_share = max(Decimal(0), 1 - Decimal(specialist.open_tasks) / specialist.wip_limit)
    points = {
        "therapeutic_area": AREA_POINTS if area_match else Decimal(0),
        "capacity": (CAPACITY_POINTS * capacity_share).quantize(Decimal("0.01")),
        "wip": (WIP_POINTS * wip_share).quantize(Decimal("0.01")),
        "continuity": CONTINUITY_POINTS if specialist.partner_assignments else Decimal(0),
    }
    # Plain floats and ISO strings: the result is rendered as is, for hundreds of people.
    return {
        **_person(specialist),
        "score": float(sum(points.values())),
        "points": {name: float(value) for name, value in points.items()},
        "factors": {
            "service_skill": True,
            "therapeutic_area_match": area_match,
            "capacity_hours": float(capacity),
            "committed_hours": float(committed),
            "remaining_capacity_hours": float(remaining),
            "needed_hours": float(need.effort_hours),
            "open_tasks": specialist.open_tasks,
            "wip_limit": specialist.wip_limit,
            "partner_assignments": specialist.partner_assignments,
            "last_assigned_at": specialist.last_assigned_at.isoformat()
            if specialist.last_assigned_at
            else None,
        },
    }


def rank_specialists(
    *, need: ServiceNeed, therapeutic_area: str, specialists: list[SpecialistFacts]
) -> dict:
    """Candidates best first, and everyone excluded with why. Ties go to the least recently
    assigned (never assigned first), then the lowest id."""
    candidates, excluded = [], []
    for specialist in specialists:
        reasons = exclusions(specialist, need)
        if reasons:
            excluded.append({**_person(specialist), "reasons": [str(r) for r in reasons]})
        else:
            candidates.append((specialist, _score(specialist, need, therapeutic_area)))
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    candidates.sort(
        key=lambda pair: (-pair[1]["score"], pair[0].last_assigned_at or never, pair[0].id)
    )  # scores are sums of hundredths, so equal scores compare equal as floats
    ranked = [{"rank": n, **scored} for n, (_, scored) in enumerate(candidates, start=1)]
    excluded.sort(key=lambda row: row["id"])
    return {
        "service": need.code,
        "window": {"start": need.window_start.isoformat(), "end": need.window_end.isoformat()},
        "effort_hours": float(need.effort_hours),
        "candidates": ranked,
        "excluded": excluded,
    }
