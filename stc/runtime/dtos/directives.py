"""StrategyDirective and its four sub-directives: hints and constraints, not orders.

The directive is pure data (seed, phase 3): it carries the SWOT confidence that the
injected PlannerMatchers filter on, and hints for each kind of trade planner.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.common import Direction, FrozenDTO, NonNegative, PositivePrice, Score
from stc.runtime.dtos.ids import StrId, TrdId

Scope = Literal["NEW_TRADE", "MODIFY_EXISTING", "CLOSE_EXISTING"]


class PriceZone(FrozenDTO):
    """A preferred price band for entries (low ≤ high)."""

    low: PositivePrice
    high: PositivePrice

    @model_validator(mode="after")
    def _ordered(self) -> "PriceZone":
        if self.low > self.high:
            raise ValueError("price zone low must not exceed high")
        return self


class EntryDirective(FrozenDTO):
    """Hints for entry planners: what to trade, which way, how urgently."""

    symbol: str = Field(min_length=1)
    direction: Direction
    timing_preference: Score = Decimal("0.5")
    preferred_price_zone: PriceZone | None = None


class SizeDirective(FrozenDTO):
    """Hints and hard limits for sizers."""

    aggressiveness: Score = Decimal("0.5")
    max_risk_amount: NonNegative | None = None
    account_risk_pct: Score = Decimal("0.01")


class ExitDirective(FrozenDTO):
    """Hints for exit planners (risk:reward target, tolerated stop distance)."""

    profit_taking_preference: Score = Decimal("0.5")
    risk_reward_ratio: Decimal = Field(default=Decimal("2"), gt=Decimal(0))
    stop_loss_tolerance: Score = Decimal("0.02")


class RoutingDirective(FrozenDTO):
    """Hints and limits for routing planners."""

    execution_urgency: Score = Decimal("0.5")
    max_total_slippage_pct: Score = Decimal("0.005")


class StrategyDirective(FrozenDTO):
    """Phase 3 output: the SWOT confidence plus four sub-directives.

    ``reference_price`` is the close of the tick the decision was made on; planners
    use it to turn relative hints (risk:reward, stop tolerance) into prices.
    """

    directive_id: StrId
    timestamp: datetime
    causality: CausalityChain
    confidence: Score
    reference_price: PositivePrice
    entry_directive: EntryDirective
    # model_construct: the defaults as validated instances would build three
    # validators at import (the compiler's cold start imports this module)
    size_directive: SizeDirective = SizeDirective.model_construct()
    exit_directive: ExitDirective = ExitDirective.model_construct()
    routing_directive: RoutingDirective = RoutingDirective.model_construct()
    scope: Scope = "NEW_TRADE"
    target_trade_ids: tuple[TrdId, ...] = ()
    source_worker_id: str = ""

    @model_validator(mode="after")
    def _scope_rules(self) -> "StrategyDirective":
        scope, targets = self.scope, self.target_trade_ids  # each read once (per directive)
        if scope == "NEW_TRADE":
            if targets:
                raise ValueError("a NEW_TRADE directive must not name target_trade_ids")
        elif not targets:
            raise ValueError(f"a {scope} directive must name at least one target trade id")
        return self
