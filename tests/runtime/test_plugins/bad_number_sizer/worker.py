"""A fixed-size sizer (as ``fixed_size``) whose SizePlan on the ticks in ``fail_at``
has ``position_size = value`` (e.g. ``"-1000"``, ``"0"``, ``"NaN"``), smuggled past
validation with ``model_construct``."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import SizePlan
from stc.runtime.workers import SizePlanner


class BadNumberSizer(SizePlanner):
    def setup(self) -> None:
        self.size = Decimal(str(self.params.get("size", 1000)))
        self.fail_at = set(self.params.get("fail_at", []))
        self.value = Decimal(str(self.params.get("value", "-1000")))

    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan:
        value = self.size * directive.reference_price
        fields = {
            "plan_id": self.new_id("SIZ"),
            "position_size": self.size,
            "position_value": value,
            "risk_amount": value * directive.exit_directive.stop_loss_tolerance,
        }
        if directive.timestamp.isoformat() in self.fail_at:
            return SizePlan.model_construct(**{**fields, "position_size": self.value})
        return SizePlan(**fields)
