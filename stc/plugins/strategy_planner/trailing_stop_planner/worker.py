"""TrailingStopPlanner: position management on ``POSITION_UPDATE``.

For a long the stop trails the highest price since entry at a fixed distance,
``stop = high_since_entry · (1 − trail_pct)``; for a short it trails the lowest price,
``stop = low_since_entry · (1 + trail_pct)``. A new stop is published only when

* the price has moved in the trade's favour (high above / low below the entry),
* it tightens the current stop (a long's stop only rises, a short's only falls), and
* it stays on the right side of the current price (below it for a long, above it
  for a short), so publishing it never stops the trade out by itself.

The planner is stateless: the current stop comes with every update, so replays and
restarts give the same stops. The replacement ExitPlan keeps the take-profit and names
the trade; it is published as ``EXIT_PLAN_UPDATED`` for the execution handler.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from stc.runtime.dtos import ExitPlan, PositionUpdate
from stc.runtime.envelope import DispositionEnvelope
from stc.runtime.precision import on_grid
from stc.runtime.workers import StrategyPlanner

EVENT = "EXIT_PLAN_UPDATED"


def trailing_stop(update: PositionUpdate, trail_pct: Decimal) -> Decimal | None:
    """The stop the trail asks for, or None when it must not move.

    Long stops are rounded down and short stops up (away from the price), to 8
    decimals, so rounding never pushes a stop through the price."""
    current = update.stop_loss_price
    if update.direction == "BUY":
        if update.high_since_entry <= update.entry_price:
            return None
        stop = on_grid(update.high_since_entry * (1 - trail_pct), update.current_price, ROUND_FLOOR)
        tightens = current is None or stop > current
        return stop if tightens and Decimal(0) < stop < update.current_price else None
    if update.low_since_entry >= update.entry_price:
        return None
    stop = on_grid(update.low_since_entry * (1 + trail_pct), update.current_price, ROUND_CEILING)
    tightens = current is None or stop < current
    return stop if tightens and stop > update.current_price else None


class TrailingStopPlanner(StrategyPlanner):
    """Publishes a tighter stop for an open trade when the price moves in its favour."""

    def setup(self) -> None:
        """Read ``trail_pct`` (default 5%) as in the manifest."""
        self.trail_pct = Decimal(str(self.params["trail_pct"]))
        if not Decimal(0) < self.trail_pct < Decimal(1):
            raise ValueError("TrailingStopPlanner: trail_pct must lie in (0, 1)")

    def on_position_update(self, update: PositionUpdate) -> DispositionEnvelope | None:
        """An ``EXIT_PLAN_UPDATED`` envelope with the new stop, or None (keep the stop)."""
        stop = trailing_stop(update, self.trail_pct)
        if stop is None:
            return None
        plan = ExitPlan(
            plan_id=self.new_id("EXT", when=update.timestamp),
            stop_loss_price=stop,
            take_profit_price=update.take_profit_price,
            trade_id=update.trade_id,
        )
        return DispositionEnvelope.publish(EVENT, plan)
