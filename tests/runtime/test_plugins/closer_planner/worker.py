"""Closes every position after ``max_bars`` bars (CLOSE_EXISTING directive)."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.ledger import PositionUpdate
from stc.runtime.workers import StrategyPlanner


class CloserPlanner(StrategyPlanner):
    def setup(self) -> None:
        self.max_bars = int(self.params.get("max_bars", 3))

    def on_position_update(self, update: PositionUpdate) -> StrategyDirective | None:
        if update.bars_held < self.max_bars:
            return None
        return StrategyDirective(
            directive_id=self.new_id("STR"),
            timestamp=update.timestamp,
            causality=CausalityChain(tick_time=update.timestamp),
            confidence=Decimal(1),
            reference_price=update.current_price,
            entry_directive=EntryDirective(
                symbol=update.symbol, direction="SELL" if update.direction == "BUY" else "BUY"
            ),
            scope="CLOSE_EXISTING",
            target_trade_ids=(update.trade_id,),
            source_worker_id=self.worker_id,
        )
