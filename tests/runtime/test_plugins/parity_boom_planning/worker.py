"""Reference planning and execution workers that raise on their ``every``-th call:
faults after every batched call of the tick (the fast engine need not fall back)."""

from __future__ import annotations

from typing import Any

from stc.plugins.execution_handler.backtest_handler.worker import BacktestHandler
from stc.plugins.size_planner.fixed_risk_sizer.worker import FixedRiskSizer


class BoomSizer(FixedRiskSizer):
    def setup(self) -> None:
        super().setup()
        self.every = int(self.params.get("every", 1))
        self.calls = 0

    def on_strategy_directive(self, directive: Any) -> Any:
        self.calls += 1
        if self.calls % self.every == 0:
            raise ValueError(f"boom on directive {self.calls}")
        return super().on_strategy_directive(directive)


class BoomHandler(BacktestHandler):
    """The simulated venue, raising on every ``every``-th execution directive."""

    def setup(self) -> None:
        super().setup()
        self.every = int(self.params.get("every", 1))
        self.calls = 0

    def on_execution_directive(self, directive: Any) -> Any:
        self.calls += 1
        if self.calls % self.every == 0:
            raise ValueError(f"boom on execution directive {self.calls}")
        return super().on_execution_directive(directive)
