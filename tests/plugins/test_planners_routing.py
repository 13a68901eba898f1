"""Routers: order-type routes, TWAP and iceberg thresholds, margin-based slippage."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from plugin_harness import configured

from stc.plugins.routing_planner.iceberg_router.worker import IcebergRouter
from stc.plugins.routing_planner.market_order_router.worker import MarketOrderRouter
from stc.plugins.routing_planner.twap_router.worker import TWAPRouter
from stc.runtime.dtos import (
    CausalityChain,
    EntryDirective,
    EntryPlan,
    ExitPlan,
    RoutingDirective,
    RoutingPlan,
    RoutingRequest,
    SizePlan,
    StrategyDirective,
)
from stc.runtime.dtos.common import Direction
from stc.runtime.dtos.plans import OrderType
from stc.runtime.workers import RoutingPlanner

T = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
D = Decimal


def _request(
    order_type: OrderType = "LIMIT",
    size: str = "0.5",
    limit: str | None = "100",
    target: str | None = "104",
    direction: Direction = "BUY",
    cap: str = "0.005",
    ref: str = "100",
) -> RoutingRequest:
    directive = StrategyDirective(
        directive_id="STR_20240301_120000_00001",
        timestamp=T,
        causality=CausalityChain(tick_time=T),
        confidence=D("0.7"),
        reference_price=D(ref),
        entry_directive=EntryDirective(symbol="BTCUSDT", direction=direction),
        routing_directive=RoutingDirective(
            execution_urgency=D("0.7"), max_total_slippage_pct=D(cap)
        ),
    )
    entry = EntryPlan(
        plan_id="ENT_20240301_120000_00002",
        symbol="BTCUSDT",
        direction=direction,
        order_type=order_type,
        limit_price=None if order_type == "MARKET" else D(limit or "100"),
        stop_price=D("99") if order_type == "STOP_LIMIT" else None,
    )
    stop = D("90") if direction == "BUY" else D("110")
    return RoutingRequest(
        strategy_directive=directive,
        entry_plan=entry,
        size_plan=SizePlan(
            plan_id="SIZ_20240301_120000_00003",
            position_size=D(size),
            position_value=D(size) * 100,
            risk_amount=D(1),
        ),
        exit_plan=ExitPlan(
            plan_id="EXT_20240301_120000_00004",
            stop_loss_price=stop,
            take_profit_price=None if target is None else D(target),
        ),
    )


def _route(router: RoutingPlanner, request: RoutingRequest) -> RoutingPlan:
    plan = router.on_routing_request(request)
    assert plan is not None and plan.plan_id.startswith("ROU_20240301_120000_")
    return plan


# --- MarketOrderRouter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_type", "timing", "tif"),
    [
        ("MARKET", "IMMEDIATE", "IOC"),
        ("LIMIT", "PATIENT", "GTC"),
        ("STOP_LIMIT", "IMMEDIATE", "FOK"),
    ],
)
def test_market_router_follows_the_order_type(order_type: OrderType, timing: str, tif: str) -> None:
    plan = _route(configured(MarketOrderRouter), _request(order_type, size="50"))
    assert (plan.timing, plan.time_in_force, plan.slices) == (timing, tif, 1)
    assert plan.max_slippage_pct == D("0.005") and plan.execution_urgency == D("0.7")
    assert plan.iceberg_preference is None


# --- TWAPRouter ----------------------------------------------------------------------------


def test_twap_timing_around_the_size_threshold() -> None:
    router = configured(TWAPRouter)
    at = _route(router, _request("LIMIT", size="1"))
    above = _route(router, _request("LIMIT", size="1.00000001"))
    market = _route(router, _request("MARKET", size="100"))
    stop_limit = _route(router, _request("STOP_LIMIT", size="100"))
    assert (at.timing, at.time_in_force, at.slices) == ("PATIENT", "GTC", 1)
    assert (above.timing, above.time_in_force, above.slices) == ("TWAP", "GTC", 5)
    assert (market.timing, market.time_in_force) == ("IMMEDIATE", "IOC")
    assert (stop_limit.timing, stop_limit.time_in_force) == ("IMMEDIATE", "FOK")


@pytest.mark.parametrize(
    ("target", "slippage"),
    [
        ("100.4", D("0.0005")),  # margin 0.4% < scalp: tight
        ("100.5", D("0.0005")),  # at the scalp threshold
        ("102.75", D("0.00275")),  # halfway between 0.5% and 5%: halfway 0.05% .. 0.5%
        ("105", D("0.005")),  # at the swing threshold
        ("120", D("0.005")),  # beyond: loose
    ],
)
def test_twap_slippage_from_profit_margin(target: str, slippage: Decimal) -> None:
    assert _route(configured(TWAPRouter), _request(target=target)).max_slippage_pct == slippage


def test_twap_slippage_is_continuous_near_thresholds() -> None:
    router = configured(TWAPRouter)
    just_above = router.slippage_for_margin(D("0.00500001"))
    just_below = router.slippage_for_margin(D("0.04999999"))
    assert D("0.0005") <= just_above < D("0.00050002")
    assert D("0.00499998") < just_below <= D("0.005")


def test_twap_slippage_capped_by_directive_and_uses_reference_for_market() -> None:
    assert _route(
        configured(TWAPRouter), _request(target="102.75", cap="0.002")
    ).max_slippage_pct == D("0.002")
    market = _request("MARKET", target="210", ref="200")  # margin 5% from the reference
    assert _route(configured(TWAPRouter), market).max_slippage_pct == D("0.005")
    short = _request("LIMIT", target="95", direction="SELL")  # |95 - 100| / 100 = 5%
    assert _route(configured(TWAPRouter), short).max_slippage_pct == D("0.005")
    no_target = _request(target=None, cap="0.003")
    assert _route(configured(TWAPRouter), no_target).max_slippage_pct == D("0.003")


def test_twap_rejects_unordered_margins() -> None:
    with pytest.raises(ValueError):
        configured(TWAPRouter, {"scalp_margin": 0.05, "swing_margin": 0.01})


# --- IcebergRouter -------------------------------------------------------------------------


def test_iceberg_at_and_above_threshold() -> None:
    router = configured(IcebergRouter)
    at = _route(router, _request("LIMIT", size="5"))
    assert (at.timing, at.time_in_force, at.slices, at.iceberg_preference) == (
        "PATIENT",
        "GTC",
        1,
        None,
    )
    above = _route(router, _request("LIMIT", size="5.5"))
    assert (above.timing, above.time_in_force, above.slices) == ("LAYERED", "GTC", 6)
    assert above.iceberg_preference == D("0.81818182")  # 1 - 1/5.5


def test_iceberg_market_orders_and_slice_cap() -> None:
    market = _route(configured(IcebergRouter, {"visible_size": 2.0}), _request("MARKET", size="9"))
    assert (market.timing, market.time_in_force, market.slices) == ("LAYERED", "IOC", 5)
    huge = _route(configured(IcebergRouter, {"max_slices": 100}), _request("LIMIT", size="1000"))
    assert huge.slices == 100


def test_iceberg_never_slices_fill_or_kill() -> None:
    plan = _route(configured(IcebergRouter), _request("STOP_LIMIT", size="50"))
    assert (plan.timing, plan.time_in_force, plan.slices) == ("IMMEDIATE", "FOK", 1)
    assert plan.iceberg_preference is None
