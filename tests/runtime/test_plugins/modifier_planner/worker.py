"""Moves each trade's exit once, ``after_bars`` bars in (MODIFY_EXISTING directive)."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.ledger import PositionUpdate
from stc.runtime.workers import StrategyPlanner


class ModifierPlanner(StrategyPlanner):
    def setup(self) -> None:
        self.after_bars = int(self.params.get("after_bars", 2))
        self.confidence = Decimal(str(self.params.get("confidence", 1)))

    def on_position_update(self, update: PositionUpdate) -> StrategyDirective | None:
        if update.bars_held != self.after_bars:
            return None
        return StrategyDirective(
            directive_id=self.new_id("STR"),
            timestamp=update.timestamp,
            causality=CausalityChain(tick_time=update.timestamp),
            confidence=self.confidence,
            reference_price=update.current_price,
            entry_directive=EntryDirective(symbol=update.symbol, direction=update.direction),
            scope="MODIFY_EXISTING",
            target_trade_ids=(update.trade_id,),
            source_worker_id=self.worker_id,
        )
