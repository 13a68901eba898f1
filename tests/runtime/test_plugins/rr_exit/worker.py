"""Stop ``stop_pct`` away, target at ``rr`` times the risk."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import ExitPlan
from stc.runtime.workers import ExitPlanner


class RRExit(ExitPlanner):
    def setup(self) -> None:
        self.stop_pct = Decimal(str(self.params.get("stop_pct", 0.002)))
        self.rr = Decimal(str(self.params.get("rr", 2)))

    def on_strategy_directive(self, directive: StrategyDirective) -> ExitPlan:
        ref = directive.reference_price
        sign = 1 if directive.entry_directive.direction == "BUY" else -1
        stop = ref * (1 - sign * self.stop_pct)
        target = ref * (1 + sign * self.stop_pct * self.rr)
        q = Decimal("0.00001")
        return ExitPlan(
            plan_id=self.new_id("EXT"),
            stop_loss_price=stop.quantize(q),
            take_profit_price=target.quantize(q),
        )
