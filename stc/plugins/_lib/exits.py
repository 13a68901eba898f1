"""Stop and target arithmetic shared by the exit planners.

Prices are Decimals on the relative planner grid of :mod:`stc.runtime.precision`
(8 decimals at ≥ 1, 9 significant digits below): stops are rounded *away* from the price
(never tighter than asked), targets half-even. A stop is valid only strictly on the
losing side of the reference price (an ExecutionDirective rejects anything else).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from stc.runtime.dtos.common import Direction
from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import ExitPlan
from stc.runtime.precision import on_grid

ZERO = Decimal(0)


def stop_beyond(
    level: Decimal | None, ref: Decimal, direction: Direction, fraction: Decimal
) -> Decimal | None:
    """The stop ``fraction`` beyond ``level`` (below it for BUY, above for SELL), or None
    when there is no level or the stop would not lie strictly on the losing side of
    ``ref``."""
    if level is None:
        return None
    if direction == "BUY":
        stop = on_grid(level * (1 - fraction), ref, ROUND_FLOOR)
        return stop if ZERO < stop < ref else None
    stop = on_grid(level * (1 + fraction), ref, ROUND_CEILING)
    return stop if stop > ref else None


def tolerance_stop(ref: Decimal, direction: Direction, tolerance: Decimal) -> Decimal | None:
    """The stop ``tolerance`` away from ``ref`` itself."""
    return stop_beyond(ref, ref, direction, tolerance)


def rr_target(ref: Decimal, stop: Decimal, risk_reward: Decimal) -> Decimal | None:
    """The price ``risk_reward`` times the stop distance beyond ``ref`` (None if ≤ 0)."""
    target = on_grid(ref + risk_reward * (ref - stop), ref, ROUND_HALF_EVEN)
    return target if target > ZERO else None


def rr_exit_plan(
    new_id: Callable[[], str], directive: StrategyDirective, tolerance: Decimal, rr: Decimal
) -> ExitPlan | None:
    """A stop ``tolerance`` from the directive's reference price (in its direction) and
    a target ``rr`` times that risk beyond it; None when no valid stop exists (then no
    id is drawn, so the run's later ids stay as they were). FixedRR and Aggressive
    exits differ only in the tolerance and ratio they pass."""
    ref = directive.reference_price
    stop = tolerance_stop(ref, directive.entry_directive.direction, tolerance)
    if stop is None:
        return None
    return ExitPlan(
        plan_id=new_id(),
        stop_loss_price=stop,
        take_profit_price=rr_target(ref, stop, rr),
    )
