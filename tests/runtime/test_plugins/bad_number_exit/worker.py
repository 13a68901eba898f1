"""The ``rr_exit`` exit planner, except on the ticks in ``fail_at``: there ``field``
(``stop_loss_price`` or ``take_profit_price``) is set to ``value`` (``"NaN"``,
``"Infinity"``, ``"-1"``, ``"0"``) in a way pydantic does not validate, chosen by
``how``: ``model_copy`` (``update=``), ``model_construct`` or ``setattr``
(``object.__setattr__`` on the frozen model)."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import ExitPlan
from stc.runtime.workers import ExitPlanner


class BadNumberExit(ExitPlanner):
    def setup(self) -> None:
        self.stop_pct = Decimal(str(self.params.get("stop_pct", 0.002)))
        self.rr = Decimal(str(self.params.get("rr", 2)))
        self.fail_at = set(self.params.get("fail_at", []))
        self.field = str(self.params.get("field", "stop_loss_price"))
        self.value = Decimal(str(self.params.get("value", "NaN")))
        self.how = str(self.params.get("how", "model_copy"))

    def on_strategy_directive(self, directive: StrategyDirective) -> ExitPlan:
        ref = directive.reference_price
        sign = 1 if directive.entry_directive.direction == "BUY" else -1
        q = Decimal("0.00001")
        plan = ExitPlan(
            plan_id=self.new_id("EXT"),
            stop_loss_price=(ref * (1 - sign * self.stop_pct)).quantize(q),
            take_profit_price=(ref * (1 + sign * self.stop_pct * self.rr)).quantize(q),
        )
        if directive.timestamp.isoformat() not in self.fail_at:
            return plan
        if self.how == "model_construct":
            return ExitPlan.model_construct(**{**dict(plan), self.field: self.value})
        if self.how == "setattr":
            object.__setattr__(plan, self.field, self.value)
            return plan
        return plan.model_copy(update={self.field: self.value})
