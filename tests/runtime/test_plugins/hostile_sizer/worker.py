"""A fixed-size sizer (as ``fixed_size``) whose SizePlan on the ticks in ``fail_at`` has
numbers a ledger cannot book (issue 26): ``mode`` ``huge`` (``position_size=1E+400``,
validated), ``copy_1e300`` (1e300 through ``model_copy``), ``float_size`` (a float
through ``model_copy``), ``int_huge`` (an int no float holds, through ``model_copy``)."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import SizePlan
from stc.runtime.workers import SizePlanner


class HostileSizer(SizePlanner):
    def setup(self) -> None:
        self.size = Decimal(str(self.params.get("size", 1000)))
        self.fail_at = set(self.params.get("fail_at", []))
        self.mode = str(self.params.get("mode", "huge"))

    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan:
        value = self.size * directive.reference_price
        fields = {
            "plan_id": self.new_id("SIZ"),
            "position_size": self.size,
            "position_value": value,
            "risk_amount": value * directive.exit_directive.stop_loss_tolerance,
        }
        plan = SizePlan(**fields)
        if directive.timestamp.isoformat() not in self.fail_at:
            return plan
        if self.mode == "huge":
            return SizePlan(**{**fields, "position_size": Decimal("1E+400")})
        if self.mode == "int_huge":
            return plan.model_copy(update={"position_size": 10**309})
        if self.mode == "copy_1e300":
            return plan.model_copy(update={"position_size": Decimal("1e300")})
        return plan.model_copy(update={"position_size": 1000.0})
