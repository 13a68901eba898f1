"""DCAPlanner: dollar-cost averaging on a schedule (e.g. ``WEEKLY_DCA_TICK``).

Every scheduled tick issues a NEW_TRADE BUY directive for a fixed ``amount`` of quote
currency at a fixed ``confidence``. The amount travels to the sizers as a hard risk
cap: risk-based sizers compute ``size = risk / (reference · stop_loss_tolerance)``, so
the directive sets

    max_risk_amount   = amount · stop_loss_tolerance
    account_risk_pct  = 1            (the amount, not a share of equity, decides)

and a risk-based sizer (FixedRiskSizer) buys exactly ``amount / reference`` units,
i.e. ``amount`` worth, with its protective stop ``stop_loss_tolerance`` below the
price. Sizers that pick their own risk fraction (Kelly, Aggressive) still honour the
cap, so they never buy more than ``amount`` worth. A wide default tolerance (50%)
makes that stop a disaster stop, as befits accumulation.
"""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos import (
    CausalityChain,
    EntryDirective,
    ExitDirective,
    RoutingDirective,
    ScheduledTick,
    SizeDirective,
    StrategyDirective,
)
from stc.runtime.workers import StrategyPlanner


class DCAPlanner(StrategyPlanner):
    """Buys a fixed quote amount on every scheduled tick."""

    def setup(self) -> None:
        """Read params with the manifest's defaults (direct construction in tests)."""
        p = self.params
        self.amount = Decimal(str(p["amount"]))
        self.confidence = Decimal(str(p["confidence"]))
        self.stop_loss_tolerance = Decimal(str(p["stop_loss_tolerance"]))
        self.risk_reward_ratio = Decimal(str(p["risk_reward_ratio"]))
        self.max_total_slippage_pct = Decimal(str(p["max_total_slippage_pct"]))
        if self.amount <= 0:
            raise ValueError("DCAPlanner: amount must be > 0")
        if not Decimal(0) < self.stop_loss_tolerance < Decimal(1):
            raise ValueError("DCAPlanner: stop_loss_tolerance must lie in (0, 1)")

    def on_schedule(self, tick: ScheduledTick) -> StrategyDirective | None:
        """One BUY directive per scheduled tick, priced at the tick's reference price."""
        directive_id = self.new_id("STR", when=tick.timestamp)
        return StrategyDirective(
            directive_id=directive_id,
            timestamp=tick.timestamp,
            causality=CausalityChain(tick_time=tick.timestamp, strategy_directive_id=directive_id),
            confidence=self.confidence,
            reference_price=tick.reference_price,
            entry_directive=EntryDirective(
                symbol=tick.symbol, direction="BUY", timing_preference=self.confidence
            ),
            size_directive=SizeDirective(
                aggressiveness=self.confidence,
                max_risk_amount=self.amount * self.stop_loss_tolerance,
                account_risk_pct=Decimal(1),
            ),
            exit_directive=ExitDirective(
                risk_reward_ratio=self.risk_reward_ratio,
                stop_loss_tolerance=self.stop_loss_tolerance,
            ),
            routing_directive=RoutingDirective(
                execution_urgency=self.confidence,
                max_total_slippage_pct=self.max_total_slippage_pct,
            ),
            source_worker_id=self.worker_id,
        )
