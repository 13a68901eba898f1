"""IcebergRouter: hide large orders by showing only ``visible_size`` at a time.

A MARKET or LIMIT entry whose ``position_size`` exceeds ``iceberg_threshold`` is
routed LAYERED in ``slices = ceil(size / visible_size)`` slices (at most
``max_slices``; with the cap each slice is larger than ``visible_size``), with
``iceberg_preference = 1 − visible_size / size``: the share of the order kept hidden.
Smaller orders and STOP_LIMIT entries (fill-or-kill cannot be sliced) are routed by
order type as MarketOrderRouter does (MARKET → IMMEDIATE, LIMIT → PATIENT, STOP_LIMIT
→ IMMEDIATE) without an iceberg. Time in force always follows the order type (MARKET
IOC, LIMIT GTC, STOP_LIMIT FOK); slippage limit and urgency are the directive's.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final

from stc.runtime.dtos import RoutingPlan, RoutingRequest
from stc.runtime.dtos.plans import OrderType, TimeInForce, Timing
from stc.runtime.workers import RoutingPlanner

QUANTUM = Decimal("0.00000001")
ROUTES: Final[dict[OrderType, tuple[Timing, TimeInForce]]] = {
    "MARKET": ("IMMEDIATE", "IOC"),
    "LIMIT": ("PATIENT", "GTC"),
    "STOP_LIMIT": ("IMMEDIATE", "FOK"),
}


class IcebergRouter(RoutingPlanner):
    """Slices orders above a size threshold into visible chunks."""

    def setup(self) -> None:
        """Read params with the manifest's defaults."""
        p = self.params
        self.iceberg_threshold = Decimal(str(p["iceberg_threshold"]))
        self.visible_size = Decimal(str(p["visible_size"]))
        self.max_slices = int(p["max_slices"])
        if self.visible_size <= 0 or not 1 <= self.max_slices <= 1000:
            raise ValueError("IcebergRouter: visible_size must be > 0, max_slices in 1..1000")

    def iceberg(self, request: RoutingRequest) -> tuple[int, Decimal] | None:
        """(slices, iceberg_preference) when the order should be hidden, else None."""
        size = request.size_plan.position_size
        if request.entry_plan.order_type == "STOP_LIMIT" or size <= self.iceberg_threshold:
            return None
        slices = min(math.ceil(size / self.visible_size), self.max_slices)
        hidden = max(Decimal(0), 1 - self.visible_size / size)
        return slices, hidden.quantize(QUANTUM, ROUND_HALF_EVEN)

    def on_routing_request(self, request: RoutingRequest) -> RoutingPlan | None:
        """A LAYERED iceberg route for large orders, the order-type route otherwise."""
        timing, time_in_force = ROUTES[request.entry_plan.order_type]
        hints = request.strategy_directive.routing_directive
        hidden = self.iceberg(request)
        slices, preference = (1, None) if hidden is None else hidden
        return RoutingPlan(
            plan_id=self.new_id("ROU", when=request.strategy_directive.timestamp),
            timing="LAYERED" if hidden is not None else timing,
            time_in_force=time_in_force,
            max_slippage_pct=hints.max_total_slippage_pct,
            execution_urgency=hints.execution_urgency,
            iceberg_preference=preference,
            slices=slices,
        )
