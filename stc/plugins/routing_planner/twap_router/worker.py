"""TWAPRouter: the seed's router example (timing from entry+size, slippage from exit).

Timing and time-in-force:

    MARKET                        → IMMEDIATE, IOC
    LIMIT, size > twap_threshold  → TWAP, GTC, ``twap_slices`` slices
    LIMIT, otherwise              → PATIENT, GTC
    STOP_LIMIT                    → IMMEDIATE, FOK

Slippage from the profit margin ``m = |take_profit − entry| / entry`` (entry = the
limit price, or the directive's reference price for a MARKET entry): a scalp
(m ≤ ``scalp_margin``, 0.5%) tolerates only ``tight_slippage`` (0.05%), a swing
(m ≥ ``swing_margin``, 5%) ``loose_slippage`` (0.5%), and in between the limit is
interpolated linearly, so it is continuous at both thresholds. Without a take-profit
there is no margin and the directive's limit applies. The result never exceeds the
directive's ``max_total_slippage_pct`` (a hard limit). All fractions: 0.005 = 0.5%.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from stc.runtime.dtos import RoutingPlan, RoutingRequest
from stc.runtime.dtos.plans import TimeInForce, Timing
from stc.runtime.workers import RoutingPlanner

QUANTUM = Decimal("0.00000001")


def _dec(value: object) -> Decimal:
    """An exact Decimal from a param (via ``str`` so 0.005 stays 0.005)."""
    return Decimal(str(value))


class TWAPRouter(RoutingPlanner):
    """Slices large limit orders over time; slippage follows the profit margin."""

    def setup(self) -> None:
        """Read params with the manifest's defaults; the margins must be ordered."""
        p = self.params
        self.twap_threshold = _dec(p["twap_threshold"])
        self.twap_slices = int(p["twap_slices"])
        self.scalp_margin = _dec(p["scalp_margin"])
        self.swing_margin = _dec(p["swing_margin"])
        self.tight_slippage = _dec(p["tight_slippage"])
        self.loose_slippage = _dec(p["loose_slippage"])
        if self.scalp_margin >= self.swing_margin:
            raise ValueError("TWAPRouter: scalp_margin must be below swing_margin")

    def slippage_for_margin(self, margin: Decimal) -> Decimal:
        """Tight up to the scalp margin, loose from the swing margin, linear between."""
        if margin <= self.scalp_margin:
            return self.tight_slippage
        if margin >= self.swing_margin:
            return self.loose_slippage
        share = (margin - self.scalp_margin) / (self.swing_margin - self.scalp_margin)
        span = self.loose_slippage - self.tight_slippage
        return (self.tight_slippage + share * span).quantize(QUANTUM, ROUND_HALF_EVEN)

    def max_slippage(self, request: RoutingRequest) -> Decimal:
        """The margin-based slippage, capped by the directive's hard limit."""
        cap = request.strategy_directive.routing_directive.max_total_slippage_pct
        target = request.exit_plan.take_profit_price
        if target is None:
            return cap
        entry = request.entry_plan.limit_price or request.strategy_directive.reference_price
        return min(cap, self.slippage_for_margin(abs(target - entry) / entry))

    def route(self, request: RoutingRequest) -> tuple[Timing, TimeInForce, int]:
        """(timing, time in force, slices) from the order type and the size."""
        order_type = request.entry_plan.order_type
        if order_type == "MARKET":
            return "IMMEDIATE", "IOC", 1
        if order_type == "STOP_LIMIT":
            return "IMMEDIATE", "FOK", 1
        if request.size_plan.position_size > self.twap_threshold:
            return "TWAP", "GTC", self.twap_slices
        return "PATIENT", "GTC", 1

    def on_routing_request(self, request: RoutingRequest) -> RoutingPlan | None:
        """The TWAP/patient/immediate route with a margin-based slippage limit."""
        timing, time_in_force, slices = self.route(request)
        return RoutingPlan(
            plan_id=self.new_id("ROU", when=request.strategy_directive.timestamp),
            timing=timing,
            time_in_force=time_in_force,
            max_slippage_pct=self.max_slippage(request),
            execution_urgency=request.strategy_directive.routing_directive.execution_urgency,
            slices=slices,
        )
