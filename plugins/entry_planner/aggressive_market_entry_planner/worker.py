"""AggressiveMarketEntryPlanner: enter now, at market.

The specialist for high-confidence, high-urgency directives (the blueprint's triggers
decide when it runs; the planner itself never looks at the confidence). CLOSE_EXISTING
directives also get a MARKET order in the directive's (closing) direction: the runtime
closes the targeted trades with it. MODIFY_EXISTING directives need no entry (None).
"""

from __future__ import annotations

from runtime.dtos import EntryPlan, StrategyDirective
from runtime.workers import EntryPlanner


class AggressiveMarketEntryPlanner(EntryPlanner):
    """A MARKET entry in the directive's direction."""

    def on_strategy_directive(self, directive: StrategyDirective) -> EntryPlan | None:
        """MARKET order for new trades and closes; None for modifications."""
        if directive.scope == "MODIFY_EXISTING":
            return None
        return EntryPlan(
            plan_id=self.new_id("ENT", when=directive.timestamp),
            symbol=directive.entry_directive.symbol,
            direction=directive.entry_directive.direction,
            order_type="MARKET",
        )
