"""LayeredEntryPlanner: scale into a position with a ladder of LIMIT orders.

``n_layers`` prices, ``step_pct`` apart, starting one step from the reference price:
for a BUY ``reference · (1 − k·step)`` for k = 1 … n (mirrored for a SELL). The first
is the plan's ``limit_price``, the rest its ``layers``; the size is split evenly.

The ladder must stay inside the directive's ``stop_loss_tolerance`` (the stop that
exit planners place from the reference price) and, when the directive has a
``preferred_price_zone``, inside the zone's far edge (BUY: ``low``; SELL: ``high``;
the SWOT planner puts the last swing there, just inside a structure-based stop). If
the deepest layer would reach that depth the step shrinks to ``depth / (n + 1)`` so
all layers fit strictly inside. A tightened (aggressive) stop may still cut through
the deeper layers; pair this planner with tolerance- or structure-based exits.

CLOSE_EXISTING directives get a MARKET order in the closing direction (the runtime
closes the targeted trades); MODIFY_EXISTING directives need no entry (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from stc.plugins._lib.entries import ScopedEntryPlanner
from stc.runtime.dtos import StrategyDirective
from stc.runtime.precision import on_grid


def max_depth(directive: StrategyDirective) -> Decimal:
    """How far (as a fraction of the reference) the ladder may reach: the stop
    tolerance, or less when the preferred price zone ends closer to the price."""
    ref = directive.reference_price
    depth = directive.exit_directive.stop_loss_tolerance
    zone = directive.entry_directive.preferred_price_zone
    if zone is not None:
        far = ref - zone.low if directive.entry_directive.direction == "BUY" else zone.high - ref
        if far > 0:
            depth = min(depth, far / ref)
    return depth


def ladder(directive: StrategyDirective, n_layers: int, step_pct: Decimal) -> list[Decimal]:
    """The ``n_layers`` limit prices, nearest to the reference first."""
    ref = directive.reference_price
    buy = directive.entry_directive.direction == "BUY"
    depth = max_depth(directive)
    step = step_pct if n_layers * step_pct < depth else depth / (n_layers + 1)
    sign = -1 if buy else 1
    rounding = ROUND_CEILING if buy else ROUND_FLOOR  # towards the reference
    return [on_grid(ref * (1 + sign * k * step), ref, rounding) for k in range(1, n_layers + 1)]


class LayeredEntryPlanner(ScopedEntryPlanner):
    """A LIMIT entry with ``n_layers`` evenly spaced price levels."""

    def setup(self) -> None:
        """Read ``n_layers`` (default 3) and ``step_pct`` (default 0.5%)."""
        self.n_layers = int(self.params["n_layers"])
        self.step_pct = Decimal(str(self.params["step_pct"]))
        if self.n_layers < 1:
            raise ValueError("LayeredEntryPlanner: n_layers must be >= 1")
        if not Decimal(0) < self.step_pct < Decimal(1):
            raise ValueError("LayeredEntryPlanner: step_pct must lie in (0, 1)")

    def limit_prices(self, directive: StrategyDirective) -> Sequence[Decimal]:
        """``n_layers`` LIMIT prices spaced by ``step_pct``, nearest first."""
        return ladder(directive, self.n_layers, self.step_pct)
