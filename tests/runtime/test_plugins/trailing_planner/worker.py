"""Trailing stop: moves the stop to ``trail`` below the high since entry (longs)."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.ledger import PositionUpdate
from stc.runtime.dtos.plans import ExitPlan
from stc.runtime.workers import StrategyPlanner


class TrailingPlanner(StrategyPlanner):
    def setup(self) -> None:
        self.trail = Decimal(str(self.params.get("trail", 0.003)))

    def on_position_update(self, update: PositionUpdate) -> ExitPlan | None:
        if update.direction != "BUY" or update.stop_loss_price is None:
            return None
        stop = (update.high_since_entry * (Decimal(1) - self.trail)).quantize(Decimal("0.00001"))
        if stop <= update.stop_loss_price or stop >= update.current_price:
            return None
        return ExitPlan(
            plan_id=self.new_id("EXT"),
            stop_loss_price=stop,
            take_profit_price=update.take_profit_price,
            trade_id=update.trade_id,
        )
