"""Fixed position size."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import SizePlan
from stc.runtime.workers import SizePlanner


class FixedSize(SizePlanner):
    def setup(self) -> None:
        self.size = Decimal(str(self.params.get("size", 1000)))
        self.return_none = bool(self.params.get("return_none", False))

    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan | None:
        if self.return_none:
            return None
        value = self.size * directive.reference_price
        return SizePlan(
            plan_id=self.new_id("SIZ"),
            position_size=self.size,
            position_value=value,
            risk_amount=value * directive.exit_directive.stop_loss_tolerance,
        )
