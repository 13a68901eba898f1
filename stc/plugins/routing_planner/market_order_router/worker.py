"""MarketOrderRouter: routing straight from the entry's order type (the seed's rule).

    MARKET     → IMMEDIATE, IOC   (take liquidity now; cancel what does not fill)
    LIMIT      → PATIENT,   GTC   (rest on the book until filled)
    STOP_LIMIT → IMMEDIATE, FOK   (once triggered, fill completely or not at all)

One slice. The slippage limit and urgency are the directive's routing hints
(``max_total_slippage_pct``, ``execution_urgency``).
"""

from __future__ import annotations

from typing import Final

from stc.runtime.dtos import RoutingPlan, RoutingRequest
from stc.runtime.dtos.plans import OrderType, TimeInForce, Timing
from stc.runtime.workers import RoutingPlanner

ROUTES: Final[dict[OrderType, tuple[Timing, TimeInForce]]] = {
    "MARKET": ("IMMEDIATE", "IOC"),
    "LIMIT": ("PATIENT", "GTC"),
    "STOP_LIMIT": ("IMMEDIATE", "FOK"),
}


class MarketOrderRouter(RoutingPlanner):
    """Maps the entry's order type to timing and time-in-force."""

    def on_routing_request(self, request: RoutingRequest) -> RoutingPlan | None:
        """The order-type route with the directive's slippage limit and urgency."""
        timing, time_in_force = ROUTES[request.entry_plan.order_type]
        hints = request.strategy_directive.routing_directive
        return RoutingPlan(
            plan_id=self.new_id("ROU", when=request.strategy_directive.timestamp),
            timing=timing,
            time_in_force=time_in_force,
            max_slippage_pct=hints.max_total_slippage_pct,
            execution_urgency=hints.execution_urgency,
        )
