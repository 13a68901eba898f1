"""LIMIT entry ``offset`` better than the reference price."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import EntryPlan
from stc.runtime.workers import EntryPlanner


class LimitEntry(EntryPlanner):
    def setup(self) -> None:
        self.offset = Decimal(str(self.params.get("offset", 0.0005)))

    def on_strategy_directive(self, directive: StrategyDirective) -> EntryPlan:
        sign = -1 if directive.entry_directive.direction == "BUY" else 1
        price = directive.reference_price * (Decimal(1) + sign * self.offset)
        return EntryPlan(
            plan_id=self.new_id("ENT"),
            symbol=directive.entry_directive.symbol,
            direction=directive.entry_directive.direction,
            order_type="LIMIT",
            limit_price=price.quantize(Decimal("0.00001")),
        )
