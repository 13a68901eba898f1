"""StructureBasedExit: stop beyond the last swing, target at the opposite swing.

BUY: the stop sits ``buffer_pct`` below the last swing low, the target at the last
swing high. SELL mirrors it (stop above the swing high, target at the swing low).

* The directive's ``stop_loss_tolerance`` is a hard maximum stop distance (the seed's
  "CONSTRAINT: max SL distance"): a structural stop further away is pulled in to the
  tolerance stop unless ``cap_at_tolerance`` is false.
* When the swing is missing, or lies on the wrong side of the price (a swing low
  above the price for a BUY), the stop falls back to the tolerance stop.
* The opposite swing is the target only if it lies beyond the price and pays at
  least ``min_target_rr`` times the risk; otherwise the target is
  ``ref ± risk_reward_ratio · risk`` with the directive's risk:reward hint.

The SWOT planner's ``preferred_price_zone`` ends at the same swing, and the zone-aware
entry planners (PatientLimit, Layered) stay inside it, so their limits remain strictly
inside this stop (which lies ``buffer_pct`` beyond the swing, hence buffer > 0).

Requires ``MarketStructure`` (from MarketStructureDetector); while it is absent (e.g.
during warm-up) the tolerance fallbacks apply. Prices are Decimals on the price grid
(``stc.runtime.precision``: 8 decimals at ≥ 1), stops away from the price.
CLOSE_EXISTING directives get the same plan in
the closing direction, MODIFY_EXISTING directives the same plan from their reference
price (the runtime gives it to the targeted trades, so the directive's direction is
theirs).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from stc.plugins._lib.exits import rr_target, stop_beyond, tolerance_stop
from stc.plugins.dtos import MarketStructure
from stc.runtime.dtos import ExitPlan, StrategyDirective
from stc.runtime.dtos.common import Direction
from stc.runtime.precision import on_grid
from stc.runtime.workers import ExitPlanner

ZERO = Decimal(0)


def _price(value: float | None) -> Decimal | None:
    """A swing level as an exact Decimal (via its shortest repr), None if unset."""
    return None if value is None else Decimal(repr(value))


class StructureBasedExit(ExitPlanner):
    """Stop below structure, target at the opposite liquidity (the last swing)."""

    def setup(self) -> None:
        """Read params with the manifest's defaults."""
        p = self.params
        self.buffer_pct = Decimal(str(p["buffer_pct"]))
        self.min_target_rr = Decimal(str(p["min_target_rr"]))
        self.cap_at_tolerance = bool(p["cap_at_tolerance"])
        if not Decimal(0) < self.buffer_pct < Decimal(1):
            raise ValueError("StructureBasedExit: buffer_pct must lie in (0, 1)")

    def on_strategy_directive(self, directive: StrategyDirective) -> ExitPlan | None:
        """The structure-based exit, or None when no valid stop exists."""
        ref = directive.reference_price
        direction = directive.entry_directive.direction
        structure = self.context.get(MarketStructure) if self.context is not None else None
        stop = self._stop(directive, structure)
        if stop is None:
            return None
        return ExitPlan(
            plan_id=self.new_id("EXT", when=directive.timestamp),
            stop_loss_price=stop,
            take_profit_price=self._target(directive, structure, stop, ref, direction),
        )

    def _stop(
        self, directive: StrategyDirective, structure: MarketStructure | None
    ) -> Decimal | None:
        """Swing stop (capped at the tolerance) or the tolerance stop."""
        ref = directive.reference_price
        direction = directive.entry_directive.direction
        fallback = tolerance_stop(ref, direction, directive.exit_directive.stop_loss_tolerance)
        swing = None
        if structure is not None:
            level = structure.last_swing_low if direction == "BUY" else structure.last_swing_high
            swing = stop_beyond(_price(level), ref, direction, self.buffer_pct)
        if swing is None:
            return fallback
        if self.cap_at_tolerance and fallback is not None:
            return max(swing, fallback) if direction == "BUY" else min(swing, fallback)
        return swing

    def _target(
        self,
        directive: StrategyDirective,
        structure: MarketStructure | None,
        stop: Decimal,
        ref: Decimal,
        direction: Direction,
    ) -> Decimal | None:
        """The opposite swing if it pays ``min_target_rr``, else the RR fallback."""
        risk = abs(ref - stop)
        if structure is not None:
            level = structure.last_swing_high if direction == "BUY" else structure.last_swing_low
            swing = _price(level)
            if swing is not None:
                reward = swing - ref if direction == "BUY" else ref - swing
                if reward > ZERO and reward >= self.min_target_rr * risk:
                    return on_grid(swing, ref, ROUND_HALF_EVEN)
        return rr_target(ref, stop, directive.exit_directive.risk_reward_ratio)
