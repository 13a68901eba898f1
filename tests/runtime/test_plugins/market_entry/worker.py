"""MARKET entry."""

from __future__ import annotations

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import EntryPlan
from stc.runtime.workers import EntryPlanner


class MarketEntry(EntryPlanner):
    def on_strategy_directive(self, directive: StrategyDirective) -> EntryPlan:
        return EntryPlan(
            plan_id=self.new_id("ENT"),
            symbol=directive.entry_directive.symbol,
            direction=directive.entry_directive.direction,
            order_type="MARKET",
        )
