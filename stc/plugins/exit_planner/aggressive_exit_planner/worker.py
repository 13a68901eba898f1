"""AggressiveExitPlanner: a tighter stop and a far target (3:1 by default).

    BUY:  stop = reference · (1 − stop_loss_tolerance · stop_factor)
          target = ref + risk_reward · (ref − stop)                 (SELL mirrored)

``stop_factor`` (default 0.5) tightens the directive's tolerated stop distance; the
directive's tolerance remains the maximum. Meant for high-confidence directives
(the blueprint's triggers decide). Stops are rounded away from the price to the
price grid (8 decimals at ≥ 1: ``stc.runtime.precision``) and must lie strictly on
the losing side of it, else no plan (None); a SELL
target at or below zero is dropped. CLOSE_EXISTING directives get the same plan in the
closing direction, MODIFY_EXISTING directives the same plan from their reference
price (the runtime gives it to the targeted trades, so the directive's direction is
theirs).
"""

from __future__ import annotations

from decimal import Decimal

from stc.plugins._lib.exits import rr_exit_plan
from stc.runtime.dtos import ExitPlan, StrategyDirective
from stc.runtime.workers import ExitPlanner

ZERO = Decimal(0)


class AggressiveExitPlanner(ExitPlanner):
    """A tightened stop with a ``risk_reward`` (3:1) target."""

    def setup(self) -> None:
        """Read ``risk_reward`` (default 3.0) and ``stop_factor`` (default 0.5)."""
        self.risk_reward = Decimal(str(self.params["risk_reward"]))
        self.stop_factor = Decimal(str(self.params["stop_factor"]))
        if self.risk_reward <= ZERO or not ZERO < self.stop_factor <= 1:
            raise ValueError("AggressiveExitPlanner: need risk_reward > 0, 0 < stop_factor <= 1")

    def on_strategy_directive(self, directive: StrategyDirective) -> ExitPlan | None:
        """The aggressive exit, or None when no valid stop exists."""
        tolerance = directive.exit_directive.stop_loss_tolerance * self.stop_factor
        return rr_exit_plan(
            lambda: self.new_id("EXT", when=directive.timestamp),
            directive,
            tolerance,
            self.risk_reward,
        )
