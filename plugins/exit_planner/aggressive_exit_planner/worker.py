"""AggressiveExitPlanner: a tighter stop and a far target (3:1 by default).

    BUY:  stop = reference · (1 − stop_loss_tolerance · stop_factor)
          target = ref + risk_reward · (ref − stop)                 (SELL mirrored)

``stop_factor`` (default 0.5) tightens the directive's tolerated stop distance; the
directive's tolerance remains the maximum. Meant for high-confidence directives
(the blueprint's triggers decide). Stops are rounded away from the price to 8
decimals and must lie strictly on the losing side of it, else no plan (None); a SELL
target at or below zero is dropped. CLOSE_EXISTING directives get the same plan in the
closing direction; MODIFY_EXISTING directives need no exit (None).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from runtime.dtos import ExitPlan, StrategyDirective
from runtime.dtos.common import Direction
from runtime.workers import ExitPlanner

QUANTUM = Decimal("0.00000001")
ZERO = Decimal(0)


def tolerance_stop(ref: Decimal, direction: Direction, tolerance: Decimal) -> Decimal | None:
    """The stop ``tolerance`` away from ``ref`` (rounded away from it), or None when it
    would not lie strictly on the losing side of the price."""
    if direction == "BUY":
        stop = (ref * (1 - tolerance)).quantize(QUANTUM, ROUND_FLOOR)
        return stop if ZERO < stop < ref else None
    stop = (ref * (1 + tolerance)).quantize(QUANTUM, ROUND_CEILING)
    return stop if stop > ref else None


def rr_target(ref: Decimal, stop: Decimal, risk_reward: Decimal) -> Decimal | None:
    """The price ``risk_reward`` times the stop distance beyond ``ref`` (None if ≤ 0)."""
    target = (ref + risk_reward * (ref - stop)).quantize(QUANTUM, ROUND_HALF_EVEN)
    return target if target > ZERO else None


class AggressiveExitPlanner(ExitPlanner):
    """A tightened stop with a ``risk_reward`` (3:1) target."""

    def setup(self) -> None:
        """Read ``risk_reward`` (default 3.0) and ``stop_factor`` (default 0.5)."""
        self.risk_reward = Decimal(str(self.params.get("risk_reward", 3.0)))
        self.stop_factor = Decimal(str(self.params.get("stop_factor", 0.5)))
        if self.risk_reward <= ZERO or not ZERO < self.stop_factor <= 1:
            raise ValueError("AggressiveExitPlanner: need risk_reward > 0, 0 < stop_factor <= 1")

    def on_strategy_directive(self, directive: StrategyDirective) -> ExitPlan | None:
        """The aggressive exit, or None when no valid stop exists."""
        if directive.scope == "MODIFY_EXISTING":
            return None
        ref = directive.reference_price
        tolerance = directive.exit_directive.stop_loss_tolerance * self.stop_factor
        stop = tolerance_stop(ref, directive.entry_directive.direction, tolerance)
        if stop is None:
            return None
        return ExitPlan(
            plan_id=self.new_id("EXT", when=directive.timestamp),
            stop_loss_price=stop,
            take_profit_price=rr_target(ref, stop, self.risk_reward),
        )
