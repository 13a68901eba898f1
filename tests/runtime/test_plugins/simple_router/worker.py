"""Routing from params: timing, time in force, slices, iceberg."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.plans import RoutingPlan, RoutingRequest
from stc.runtime.workers import RoutingPlanner


class SimpleRouter(RoutingPlanner):
    def on_routing_request(self, request: RoutingRequest) -> RoutingPlan:
        market = request.entry_plan.order_type == "MARKET"
        iceberg = self.params.get("iceberg")
        return RoutingPlan(
            plan_id=self.new_id("ROU"),
            timing=self.params.get("timing", "IMMEDIATE" if market else "PATIENT"),
            time_in_force=self.params.get("tif", "IOC" if market else "GTC"),
            max_slippage_pct=Decimal("0.01"),
            slices=int(self.params.get("slices", 1)),
            iceberg_preference=None if iceberg is None else Decimal(str(iceberg)),
        )
