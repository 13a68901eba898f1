"""AggressiveMarketEntryPlanner: enter now, at market.

The specialist for high-confidence, high-urgency directives (the blueprint's triggers
decide when it runs; the planner itself never looks at the confidence). CLOSE_EXISTING
directives also get a MARKET order in the directive's (closing) direction: the runtime
closes the targeted trades with it. MODIFY_EXISTING directives need no entry (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from stc.plugins._lib.entries import ScopedEntryPlanner
from stc.runtime.dtos import StrategyDirective


class AggressiveMarketEntryPlanner(ScopedEntryPlanner):
    """A MARKET entry in the directive's direction."""

    def limit_prices(self, directive: StrategyDirective) -> Sequence[Decimal]:
        """None: this planner always enters at market."""
        return ()
