"""A fixed-size sizer (as ``fixed_size``) that returns an EntryPlan (``returns:
entry_plan``) or a ``dict`` (``returns: dict``) on the ticks in ``fail_at``."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import EntryPlan, SizePlan
from stc.runtime.workers import SizePlanner


class WrongTypeSizer(SizePlanner):
    def setup(self) -> None:
        self.size = Decimal(str(self.params.get("size", 1000)))
        self.fail_at = set(self.params.get("fail_at", []))
        self.returns = str(self.params.get("returns", "entry_plan"))

    def on_strategy_directive(self, directive: StrategyDirective) -> object:
        if directive.timestamp.isoformat() in self.fail_at:
            if self.returns == "dict":
                return {"position_size": 1000}
            return EntryPlan(
                plan_id=self.new_id("ENT"), symbol="EURUSD",
                direction=directive.entry_directive.direction, order_type="MARKET",
            )  # fmt: skip
        value = self.size * directive.reference_price
        return SizePlan(
            plan_id=self.new_id("SIZ"),
            position_size=self.size,
            position_value=value,
            risk_amount=value * directive.exit_directive.stop_loss_tolerance,
        )
