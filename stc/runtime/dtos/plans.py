"""Phase 4 plans (entry, size, exit, routing), the routing request and the
ExecutionDirective. Plans are static snapshots; dynamics live in separate workers.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.common import Direction, FrozenDTO, NonNegative, PositivePrice, Score
from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.ids import EntId, ExeId, ExtId, RouId, SizId, TrdId

OrderType = Literal["MARKET", "LIMIT", "STOP_LIMIT"]
Timing = Literal["IMMEDIATE", "TWAP", "LAYERED", "PATIENT"]
TimeInForce = Literal["GTC", "IOC", "FOK"]


class EntryPlan(FrozenDTO):
    """WHAT/WHERE: the order to open the trade.

    ``layers`` holds extra limit prices for layered entries (the size is split
    evenly over ``limit_price`` and the layers).
    """

    plan_id: EntId
    symbol: str = Field(min_length=1)
    direction: Direction
    order_type: OrderType
    limit_price: PositivePrice | None = None
    stop_price: PositivePrice | None = None
    layers: tuple[PositivePrice, ...] = ()

    @model_validator(mode="after")
    def _prices_fit_type(self) -> "EntryPlan":
        # each field read once (an attribute of a model costs ~40 ns, and this runs on
        # every plan a planner builds); the rules and their order are unchanged
        order_type, limit, stop, layers = (
            self.order_type, self.limit_price, self.stop_price, self.layers,
        )  # fmt: skip
        if order_type == "MARKET":
            if limit is None and stop is None and not layers:
                return self  # the market entry of every reference flow
            if limit or stop or layers:
                raise ValueError("a MARKET entry has no limit_price, stop_price or layers")
        elif limit is None:
            raise ValueError(f"a {order_type} entry needs a limit_price")
        if order_type == "STOP_LIMIT" and stop is None:
            raise ValueError("a STOP_LIMIT entry needs a stop_price")
        if order_type != "LIMIT" and layers:
            raise ValueError("only LIMIT entries can be layered")
        return self


class SizePlan(FrozenDTO):
    """HOW MUCH: absolute position size, its value and the money at risk."""

    plan_id: SizId
    position_size: Decimal = Field(gt=Decimal(0))
    position_value: NonNegative
    risk_amount: NonNegative
    leverage: Decimal = Field(default=Decimal(1), ge=Decimal(1))


class ExitPlan(FrozenDTO):
    """WHERE OUT: stop-loss and optional take-profit prices.

    ``trade_id`` is set when a position-management worker replaces the exit of an
    open trade (e.g. a trailing stop); it is None for the exit of a new trade.
    """

    plan_id: ExtId
    stop_loss_price: PositivePrice
    take_profit_price: PositivePrice | None = None
    trade_id: TrdId | None = None


class RoutingRequest(FrozenDTO):
    """Input of routing planners: the directive plus all three parallel plans."""

    strategy_directive: StrategyDirective
    entry_plan: EntryPlan
    size_plan: SizePlan
    exit_plan: ExitPlan


class RoutingPlan(FrozenDTO):
    """HOW/WHEN: execution tactics decided from entry + size + exit."""

    plan_id: RouId
    timing: Timing
    time_in_force: TimeInForce
    max_slippage_pct: Score
    execution_urgency: Score = Decimal("0.5")
    iceberg_preference: Score | None = None
    slices: int = Field(default=1, ge=1, le=1000)


class ExecutionDirective(FrozenDTO):
    """Phase 4b output: the four plans aggregated into one execution package."""

    directive_id: ExeId
    timestamp: datetime
    causality: CausalityChain
    entry_plan: EntryPlan
    size_plan: SizePlan
    exit_plan: ExitPlan
    routing_plan: RoutingPlan

    @model_validator(mode="after")
    def _stop_on_the_right_side(self) -> "ExecutionDirective":
        if stop_on_wrong_side(self.entry_plan, self.exit_plan):
            raise ValueError("the stop-loss lies on the wrong side of the entry price")
        return self


def stop_on_wrong_side(entry_plan: EntryPlan, exit_plan: ExitPlan) -> bool:
    """True when the exit's stop lies at or beyond a limit entry's price on the wrong
    side (a long stopped above its entry): the rule every ExecutionDirective obeys,
    also one the platform assembles without validation (planning aggregator)."""
    entry = entry_plan.limit_price
    if entry is None:
        return False
    stop = exit_plan.stop_loss_price
    return stop >= entry if entry_plan.direction == "BUY" else stop <= entry
