"""Buys on every scheduled tick."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.ledger import ScheduledTick
from stc.runtime.workers import StrategyPlanner


class DcaPlanner(StrategyPlanner):
    def on_schedule(self, tick: ScheduledTick) -> StrategyDirective:
        return StrategyDirective(
            directive_id=self.new_id("STR", tick.timestamp),
            timestamp=tick.timestamp,
            causality=CausalityChain(tick_time=tick.timestamp),
            confidence=Decimal(1),
            reference_price=tick.reference_price,
            entry_directive=EntryDirective(symbol=tick.symbol, direction="BUY"),
            source_worker_id=self.worker_id,
        )
