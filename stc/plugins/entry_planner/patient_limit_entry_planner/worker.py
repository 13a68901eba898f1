"""PatientLimitEntryPlanner: wait for a better price with a LIMIT order.

The limit sits ``offset_pct`` below the reference price for a BUY (above it for a
SELL). When the directive carries a ``preferred_price_zone`` the price is clamped into
that zone, so the zone wins over the fixed offset.

Exit planners run in parallel and place their stop from the *reference* price and the
directive's ``stop_loss_tolerance``; a limit at or beyond that stop would be rejected
by the ExecutionDirective. The limit is therefore kept strictly inside the tolerance:
if it would reach the tolerance stop it moves to half the tolerance.

CLOSE_EXISTING directives get a MARKET order in the closing direction (the runtime
closes the targeted trades); MODIFY_EXISTING directives need no entry (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from stc.plugins._lib.entries import ScopedEntryPlanner
from stc.runtime.dtos import StrategyDirective
from stc.runtime.precision import on_grid

TWO = Decimal(2)


def limit_price(directive: StrategyDirective, offset_pct: Decimal) -> Decimal:
    """The patient limit price for ``directive`` (see the module docstring)."""
    ref = directive.reference_price
    buy = directive.entry_directive.direction == "BUY"
    sign = -1 if buy else 1
    price = ref * (1 + sign * offset_pct)
    zone = directive.entry_directive.preferred_price_zone
    if zone is not None:
        price = min(max(price, zone.low), zone.high)
    tolerance = directive.exit_directive.stop_loss_tolerance
    tolerance_stop = ref * (1 + sign * tolerance)
    if (buy and price <= tolerance_stop) or (not buy and price >= tolerance_stop):
        price = ref * (1 + sign * tolerance / TWO)
    # Round towards the reference (never towards the stop).
    return on_grid(price, ref, ROUND_CEILING if buy else ROUND_FLOOR)


class PatientLimitEntryPlanner(ScopedEntryPlanner):
    """A LIMIT entry below (BUY) / above (SELL) the reference price."""

    def setup(self) -> None:
        """Read ``offset_pct`` (default 0.5%) as in the manifest."""
        self.offset_pct = Decimal(str(self.params["offset_pct"]))
        if not Decimal(0) <= self.offset_pct < Decimal(1):
            raise ValueError("PatientLimitEntryPlanner: offset_pct must lie in [0, 1)")

    def limit_prices(self, directive: StrategyDirective) -> Sequence[Decimal]:
        """One LIMIT price ``offset_pct`` better than the reference."""
        return (limit_price(directive, self.offset_pct),)
