"""FixedRRExitPlanner: a stop at the tolerated distance and a fixed risk:reward target.

    BUY:  stop = reference · (1 − stop_loss_tolerance)    target = ref + rr · (ref − stop)
    SELL: stop = reference · (1 + stop_loss_tolerance)    target = ref − rr · (stop − ref)

``rr`` is the planner's own ``risk_reward`` param (fixed by design; the directive's
``risk_reward_ratio`` hint is for adaptive planners). Exit planners run in parallel
with the entry planners, so the reference price (the decision tick's close) stands in
for the entry. Stops are rounded away from the price to the price grid (8 decimals at ≥ 1, 9
significant digits below: ``stc.runtime.precision``) and must lie
strictly on the right side of it; a zero tolerance gives no plan (None). A SELL target
at or below zero is dropped (no take-profit). CLOSE_EXISTING directives get the same
plan in the closing direction (the runtime ignores it when it closes the trades);
MODIFY_EXISTING directives get it from their reference price (the runtime gives it
to the targeted trades, so the directive's direction is theirs).
"""

from __future__ import annotations

from decimal import Decimal

from stc.plugins._lib.exits import rr_exit_plan
from stc.runtime.dtos import ExitPlan, StrategyDirective
from stc.runtime.workers import ExitPlanner

ZERO = Decimal(0)


class FixedRRExitPlanner(ExitPlanner):
    """Stop at the directive's tolerance, target at ``risk_reward`` times the risk."""

    def setup(self) -> None:
        """Read ``risk_reward`` (default 2.0, the seed's "altijd 2:1")."""
        self.risk_reward = Decimal(str(self.params["risk_reward"]))
        if self.risk_reward <= ZERO:
            raise ValueError("FixedRRExitPlanner: risk_reward must be > 0")

    def on_strategy_directive(self, directive: StrategyDirective) -> ExitPlan | None:
        """The fixed risk:reward exit, or None when no valid stop exists."""
        tolerance = directive.exit_directive.stop_loss_tolerance
        return rr_exit_plan(
            lambda: self.new_id("EXT", when=directive.timestamp),
            directive,
            tolerance,
            self.risk_reward,
        )
