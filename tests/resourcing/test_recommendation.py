"""The recommendation on constructed cases: the rule table, each factor, each exclusion, and
the tie-break that spreads work between equal specialists."""

import datetime
from decimal import Decimal

import pytest

from resourcing.recommendation import (
    ServiceNeed,
    SpecialistFacts,
    rank_specialists,
    recommend_management_model,
)

THRESHOLDS = {"USD": 50_000_000, "EUR": 45_000_000}
MON = datetime.date(2027, 2, 1)
NEED = ServiceNeed(
    code="startup",
    window_start=MON,
    window_end=MON + datetime.timedelta(days=27),  # four full weeks: 20 business days
    effort_hours=Decimal("40"),
)


def model(**overrides):
    args = {
        "differentiating": False,
        "mission_critical": False,
        "complexity": "low",
        "estimated_value": None,
        "currency": "",
        "thresholds": THRESHOLDS,
        **overrides,
    }
    result = recommend_management_model(**args)
    return result.management_model, result.rule


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"differentiating": True, "mission_critical": True}, ("dedicated", 1)),
        (
            {"complexity": "high", "estimated_value": Decimal("50000000"), "currency": "USD"},
            ("dedicated", 1),
        ),
        (
            {"complexity": "high", "estimated_value": Decimal("49999999.99"), "currency": "USD"},
            ("specialist_supported", 2),
        ),
        (
            {"complexity": "high", "estimated_value": Decimal("90000000"), "currency": "JPY"},
            ("specialist_supported", 2),  # no threshold for the currency: not met
        ),
        ({"mission_critical": True}, ("specialist_supported", 2)),  # parity
        ({"differentiating": True}, ("specialist_supported", 2)),  # partner
        ({"complexity": "high"}, ("specialist_supported", 2)),
        (
            {"estimated_value": Decimal("45000000"), "currency": "EUR"},
            ("specialist_supported", 2),
        ),
        ({"estimated_value": Decimal("44999999"), "currency": "EUR"}, ("self_managed", 3)),
        ({"complexity": "medium"}, ("self_managed", 3)),
    ],
)
def test_rule_table(case, expected):
    assert model(**case) == expected


def test_rule_inputs_are_shown():
    result = recommend_management_model(
        differentiating=False,
        mission_critical=True,
        complexity="high",
        estimated_value=Decimal("60000000"),
        currency="USD",
        thresholds=THRESHOLDS,
    )
    assert result.rule == 1
    assert result.inputs["purpose_quadrant"] == "parity"
    assert result.inputs["dedicated_value_threshold"] == "50000000"
    assert result.inputs["value_at_or_over_threshold"] is True


def facts(id, **overrides) -> SpecialistFacts:
    base = {
        "id": id,
        "user_id": 100 + id,
        "username": f"s{id}",
        "full_name": f"Specialist {id}",
        "active": True,
        "services": frozenset({"startup"}),
        "areas": frozenset({"oncology"}),
        "weekly_capacity_hours": Decimal("30"),
        "wip_limit": 10,
    }
    return SpecialistFacts(**{**base, **overrides})


def rank(*specialists, area="oncology"):
    return rank_specialists(need=NEED, therapeutic_area=area, specialists=list(specialists))


def test_a_perfect_candidate_scores_100_with_every_factor_shown():
    result = rank(facts(1, partner_assignments=2))
    (only,) = result["candidates"]
    assert only["score"] == 100
    assert only["factors"]["service_skill"] is True
    assert only["factors"]["therapeutic_area_match"] is True
    assert only["factors"]["capacity_hours"] == Decimal("120.0")  # 20 days x 6 h
    assert only["factors"]["remaining_capacity_hours"] == Decimal("120.0")
    assert only["factors"]["open_tasks"] == 0
    assert only["factors"]["partner_assignments"] == 2
    assert result["excluded"] == []


def test_area_match_counts():
    result = rank(facts(1, areas=frozenset({"vaccines"})), facts(2))
    assert [c["id"] for c in result["candidates"]] == [2, 1]
    assert result["candidates"][1]["points"]["therapeutic_area"] == 0
    assert result["candidates"][0]["points"]["therapeutic_area"] == 30


def test_remaining_capacity_counts_leave_and_committed_work():
    second_week = MON + datetime.timedelta(days=7)
    away_a_week = facts(1, leave=((second_week, second_week + datetime.timedelta(days=4)),))
    busy = facts(2, committed_hours={"startup": Decimal("100")})
    free = facts(3)
    result = rank(away_a_week, busy, free)
    by_id = {c["id"]: c for c in result["candidates"]}
    assert by_id[1]["factors"]["capacity_hours"] == Decimal("90.0")  # 15 days x 6 h
    assert by_id[2]["factors"]["remaining_capacity_hours"] == Decimal("20.0")
    assert by_id[2]["points"]["capacity"] == Decimal("20.00")  # half of the 40 h needed
    # Capacity beyond what the playbook needs earns nothing more: 1 and 3 tie.
    assert [c["id"] for c in result["candidates"]] == [1, 3, 2]


def test_wip_counts():
    result = rank(facts(1, open_tasks=5), facts(2, open_tasks=1))
    assert [c["id"] for c in result["candidates"]] == [2, 1]
    assert result["candidates"][1]["points"]["wip"] == Decimal("10.00")


def test_continuity_counts():
    result = rank(facts(1), facts(2, partner_assignments=1))
    assert [c["id"] for c in result["candidates"]] == [2, 1]


@pytest.mark.parametrize(
    ("overrides", "reasons"),
    [
        ({"active": False}, ["inactive"]),
        ({"services": frozenset({"reporting"})}, ["lacks_skill"]),
        ({"leave": ((MON - datetime.timedelta(days=3), MON),)}, ["on_leave"]),
        ({"open_tasks": 10}, ["at_wip_limit"]),
        (
            {"active": False, "services": frozenset(), "open_tasks": 12},
            ["inactive", "lacks_skill"],
        ),
    ],
)
def test_exclusions_name_their_reasons(overrides, reasons):
    result = rank(facts(1, **overrides))
    assert result["candidates"] == []
    assert result["excluded"][0]["reasons"] == reasons
    assert result["excluded"][0]["id"] == 1


def test_leave_that_ends_before_the_window_does_not_exclude():
    result = rank(
        facts(1, leave=((MON - datetime.timedelta(days=10), MON - datetime.timedelta(days=1)),))
    )
    assert len(result["candidates"]) == 1


def test_ties_go_to_the_least_recently_assigned_never_assigned_first_then_lowest_id():
    t = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    result = rank(
        facts(4, last_assigned_at=t),
        facts(3, last_assigned_at=t - datetime.timedelta(days=30)),
        facts(7),
        facts(5),
    )
    assert [c["id"] for c in result["candidates"]] == [5, 7, 3, 4]
    assert [c["rank"] for c in result["candidates"]] == [1, 2, 3, 4]


def test_the_tie_break_spreads_work_between_equal_specialists():
    """Assigning the winner each time cycles through equal specialists."""
    now = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    last = {1: None, 2: None, 3: None}
    winners = []
    for n in range(6):
        result = rank(*(facts(i, last_assigned_at=last[i]) for i in last))
        winner = result["candidates"][0]["id"]
        winners.append(winner)
        last[winner] = now + datetime.timedelta(hours=n)
    assert winners == [1, 2, 3, 1, 2, 3]


def test_ranking_is_deterministic():
    people = [facts(i, open_tasks=i % 3, partner_assignments=i % 2) for i in range(1, 30)]
    assert rank(*people) == rank(*reversed(people))


def test_load_is_only_weighed_for_people_who_could_do_the_work():
    result = rank(facts(1, services=frozenset({"reporting"}), open_tasks=50))
    assert result["excluded"][0]["reasons"] == ["lacks_skill"]


def test_overlapping_leave_counts_once():
    second = (MON + datetime.timedelta(days=7), MON + datetime.timedelta(days=11))
    twice = facts(1, leave=(second, second, (second[0], second[1] - datetime.timedelta(days=2))))
    result = rank(twice)
    # 20 business days less one week away, counted once: 15 x 6 h
    assert result["candidates"][0]["factors"]["capacity_hours"] == 90.0
