"""Platform components: matcher, context aggregation, planning aggregation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.plans import EntryPlan, ExitPlan, RoutingPlan, SizePlan
from stc.runtime.envelope import Disposition
from stc.runtime.platform.context_aggregator import aggregate
from stc.runtime.platform.planner_matcher import PlannerMatcher, in_range
from stc.runtime.platform.planning_aggregator import PlanningAggregator, PlanningError

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _directive(confidence: str = "0.8", timing: str = "0.5") -> StrategyDirective:
    return StrategyDirective(
        directive_id="STR_20240101_000000_00001",
        timestamp=NOW,
        causality=CausalityChain(tick_time=NOW),
        confidence=Decimal(confidence),
        reference_price=Decimal("100"),
        entry_directive=EntryDirective(
            symbol="X", direction="BUY", timing_preference=Decimal(timing)
        ),
    )


@pytest.mark.parametrize(
    ("value", "lo", "hi", "expected"),
    [
        (0.3, 0.3, 0.8, True),  # lo inclusive
        (0.8, 0.3, 0.8, False),  # hi exclusive
        (0.7999, 0.3, 0.8, True),
        (0.2999, 0.3, 0.8, False),
        (1.0, 0.8, 1.0, True),  # hi = 1.0 inclusive
        (0.8, 0.8, 1.0, True),
        (0.0, 0.0, 0.3, True),
    ],
)
def test_in_range_boundaries(value: float, lo: float, hi: float, expected: bool) -> None:
    assert in_range(value, lo, hi) is expected


def test_matcher_confidence_and_subdirective_keys() -> None:
    aggressive = PlannerMatcher(
        "entry_planner", {"confidence": (0.8, 1.0), "timing_preference": (0.8, 1.0)}
    )
    patient = PlannerMatcher("entry_planner", {"confidence": (0.3, 0.8)})
    assert aggressive.matches(_directive("1.0", "0.9"))
    assert not aggressive.matches(_directive("1.0", "0.5"))
    assert not aggressive.matches(_directive("0.79", "0.9"))
    assert patient.matches(_directive("0.3")) and not patient.matches(_directive("0.8"))
    assert PlannerMatcher("size_planner", {}).matches(_directive("0.01"))
    assert PlannerMatcher("size_planner", {"aggressiveness": (0.5, 0.6)}).matches(_directive())


def test_matcher_rejects_unknown_key() -> None:
    with pytest.raises(ValueError, match="aggressiveness"):
        PlannerMatcher("entry_planner", {"aggressiveness": (0.0, 1.0)})


FACTORS = {
    "trend": (0.8, "strength", "w1"),
    "structure": (0.4, "strength", "w2"),
    "noise": (0.6, "weakness", "w3"),
    "spread": (0.2, "weakness", "w3"),
}


def test_weighted_average() -> None:
    strength, weakness = aggregate("weighted_average", {"trend": 0.75, "structure": 0.25},
                                   0.5, FACTORS)  # fmt: skip
    assert strength == pytest.approx(0.75 * 0.8 + 0.25 * 0.4)
    assert weakness == pytest.approx(0.4)  # missing weights count 1: (0.6 + 0.2) / 2


def test_weighted_average_zero_total_and_empty() -> None:
    assert aggregate("weighted_average", {"trend": 0, "structure": 0}, 0.5, FACTORS)[0] == 0.0
    assert aggregate("weighted_average", {}, 0.5, {}) == (0.0, 0.0)


def test_max_and_consensus() -> None:
    assert aggregate("max", {}, 0.5, FACTORS) == (0.8, 0.6)
    assert aggregate("consensus", {}, 0.5, FACTORS) == (0.5, 0.5)
    assert aggregate("consensus", {}, 0.4, FACTORS) == (1.0, 0.5)  # v >= threshold


def _plans() -> tuple[EntryPlan, SizePlan, ExitPlan]:
    return (
        EntryPlan(plan_id="ENT_20240101_000000_00002", symbol="X", direction="BUY",
                  order_type="MARKET"),
        SizePlan(plan_id="SIZ_20240101_000000_00003", position_size=Decimal(1),
                 position_value=Decimal(100), risk_amount=Decimal(1)),
        ExitPlan(plan_id="EXT_20240101_000000_00004", stop_loss_price=Decimal(95)),
    )  # fmt: skip


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0), (2, 0, 1)])
def test_routing_requested_only_when_all_three_plans_are_in(order: tuple[int, ...]) -> None:
    agg = PlanningAggregator(IdFactory(100))
    agg.begin(_directive())
    plans = _plans()
    handlers = (agg.on_entry_plan, agg.on_size_plan, agg.on_exit_plan)
    results = [handlers[i](plans[i]) for i in order]  # type: ignore[operator]
    assert results[0] is None and results[1] is None
    request = results[2]
    assert request is not None and request.event_name == "ROUTING_PLANNING_REQUESTED"
    assert request.payload.entry_plan == plans[0] and request.payload.exit_plan == plans[2]


def test_routing_plan_before_request_is_an_error_and_full_cycle_builds_chain() -> None:
    agg = PlanningAggregator(IdFactory(100))
    agg.begin(_directive())
    routing = RoutingPlan(plan_id="ROU_20240101_000000_00005", timing="IMMEDIATE",
                          time_in_force="IOC", max_slippage_pct=Decimal("0.01"))  # fmt: skip
    with pytest.raises(PlanningError):
        agg.on_routing_plan(routing)
    entry, size, exit_ = _plans()
    agg.on_entry_plan(entry)
    agg.on_size_plan(size)
    assert agg.missing() == ("exit",)
    agg.on_exit_plan(exit_)
    envelope = agg.on_routing_plan(routing)
    assert envelope.disposition is Disposition.PUBLISH
    chain = envelope.payload.causality
    assert chain.all_ids() == (
        "STR_20240101_000000_00001", "ENT_20240101_000000_00002", "SIZ_20240101_000000_00003",
        "EXT_20240101_000000_00004", "ROU_20240101_000000_00005", envelope.payload.directive_id,
    )  # fmt: skip
    assert not agg.pending
