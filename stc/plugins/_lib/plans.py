"""The reference trade planners' per-trade work: building their plans.

Module functions apart from the planners' classes (``entries.ScopedEntryPlanner``,
``sizing.RiskSizer``, ``MarketOrderRouter``) because ``make native`` compiles this
module with the runtime, and a worker class must stay an ordinary Python class: the
compiler reads its handlers' signatures, annotations and code (docs/decisions.md,
"Session 13, plugnative"). The handlers keep their scope rules and draw their ids
(``new_id``, the worker's bound method, is passed in and called exactly where the
handler called it, so no id moves); what they did per trade, the plan's arithmetic
and construction, runs here (session 14, thinworkers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final

from stc.plugins._lib.risk import PLACES, ZERO, size_for_risk
from stc.runtime.dtos import EntryPlan, RoutingPlan, RoutingRequest, SizePlan, StrategyDirective
from stc.runtime.dtos.plans import OrderType, TimeInForce, Timing
from stc.runtime.precision import to_places

ROUTES: Final[dict[OrderType, tuple[Timing, TimeInForce]]] = {
    "MARKET": ("IMMEDIATE", "IOC"),
    "LIMIT": ("PATIENT", "GTC"),
    "STOP_LIMIT": ("IMMEDIATE", "FOK"),
}
"""The seed's order-type routes: MARKET → IMMEDIATE/IOC, LIMIT → PATIENT/GTC,
STOP_LIMIT → IMMEDIATE/FOK."""


def entry_plan(
    new_id: Callable[..., str], directive: StrategyDirective, prices: Sequence[Decimal]
) -> EntryPlan:
    """The entry in the directive's direction: MARKET without ``prices``, else a LIMIT
    at the first price, layered over the others."""
    entry = directive.entry_directive
    return EntryPlan(
        plan_id=new_id("ENT", when=directive.timestamp),
        symbol=entry.symbol,
        direction=entry.direction,
        order_type="LIMIT" if prices else "MARKET",
        limit_price=prices[0] if prices else None,
        layers=tuple(prices[1:]),
    )


def risk_size_plan(
    new_id: Callable[..., str],
    directive: StrategyDirective,
    equity: Decimal,
    fraction: Decimal,
    max_leverage: Decimal,
) -> SizePlan | None:
    """A SizePlan risking ``fraction`` of ``equity``, or None if nothing fits (then no
    id is drawn: the run's later ids stay as they were)."""
    sized = size_for_risk(directive, equity * fraction, equity, max_leverage)
    if sized is None:
        return None
    size, value, at_risk = sized
    return SizePlan(
        plan_id=new_id("SIZ", when=directive.timestamp),
        position_size=size,
        position_value=value,
        risk_amount=at_risk,
    )


def close_size_plan(
    new_id: Callable[..., str], directive: StrategyDirective, positions: Sequence[Any]
) -> SizePlan | None:
    """The total size of the directive's target trades among ``positions`` (the open
    ones), None if none is open (no id drawn)."""
    targets = set(directive.target_trade_ids)
    size = sum([abs(p.size) for p in positions if p.trade_id in targets], ZERO)
    if size <= ZERO:
        return None
    return SizePlan(
        plan_id=new_id("SIZ", when=directive.timestamp),
        position_size=size,
        position_value=to_places(size * directive.reference_price, PLACES, ROUND_DOWN),
        risk_amount=ZERO,
    )


def routing_plan(new_id: Callable[..., str], request: RoutingRequest) -> RoutingPlan:
    """The order-type route with the directive's slippage limit and urgency."""
    timing, time_in_force = ROUTES[request.entry_plan.order_type]
    hints = request.strategy_directive.routing_directive
    return RoutingPlan(
        plan_id=new_id("ROU", when=request.strategy_directive.timestamp),
        timing=timing,
        time_in_force=time_in_force,
        max_slippage_pct=hints.max_total_slippage_pct,
        execution_urgency=hints.execution_urgency,
    )
