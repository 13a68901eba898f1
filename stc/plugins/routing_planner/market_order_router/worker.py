"""MarketOrderRouter: routing straight from the entry's order type (the seed's rule).

    MARKET     → IMMEDIATE, IOC   (take liquidity now; cancel what does not fill)
    LIMIT      → PATIENT,   GTC   (rest on the book until filled)
    STOP_LIMIT → IMMEDIATE, FOK   (once triggered, fill completely or not at all)

One slice. The slippage limit and urgency are the directive's routing hints
(``max_total_slippage_pct``, ``execution_urgency``).
"""

from __future__ import annotations

from stc.plugins._lib.plans import ROUTES as ROUTES
from stc.plugins._lib.plans import routing_plan
from stc.runtime.dtos import RoutingPlan, RoutingRequest
from stc.runtime.workers import RoutingPlanner


class MarketOrderRouter(RoutingPlanner):
    """Maps the entry's order type to timing and time-in-force."""

    def on_routing_request(self, request: RoutingRequest) -> RoutingPlan | None:
        """The order-type route with the directive's slippage limit and urgency
        (``ROUTES``; built by the compiled ``routing_plan``)."""
        return routing_plan(self.new_id, request)
