"""Scope rules shared by the reference entry planners.

MODIFY_EXISTING needs no entry (None); CLOSE_EXISTING gets a MARKET order in the
directive's (closing) direction, with which the runtime closes the targeted trades;
a NEW_TRADE gets the planner's specialism: its limit prices, best first — none means
a MARKET entry, several a layered LIMIT entry.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from decimal import Decimal

from stc.plugins._lib.plans import entry_plan
from stc.runtime.dtos import EntryPlan, StrategyDirective
from stc.runtime.workers import EntryPlanner


class ScopedEntryPlanner(EntryPlanner):
    """Base of the reference entry planners; subclasses define ``limit_prices``."""

    @abstractmethod
    def limit_prices(self, directive: StrategyDirective) -> Sequence[Decimal]:
        """Limit prices for a new trade, best first (empty: enter at market)."""

    def on_strategy_directive(self, directive: StrategyDirective) -> EntryPlan | None:
        """The entry for ``directive`` according to its scope (module docstring)."""
        if directive.scope == "MODIFY_EXISTING":
            return None
        prices = () if directive.scope == "CLOSE_EXISTING" else tuple(self.limit_prices(directive))
        return entry_plan(self.new_id, directive, prices)  # compiled: _lib/plans.py
