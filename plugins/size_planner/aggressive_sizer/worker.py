"""AggressiveSizer: a higher risk share for high-conviction directives.

    risk_fraction = risk_pct · (min_scale + (1 − min_scale) · aggressiveness)

With the defaults (2%, min_scale 0.5) an aggressiveness of 1 risks 2% of equity and
an aggressiveness of 0 risks 1%; the SWOT planner sets aggressiveness = confidence ·
0.8. The directive's ``account_risk_pct`` is not used (a higher fraction is this
sizer's specialism) but its ``max_risk_amount`` still caps the risk.

The risk becomes a size exactly as in FixedRiskSizer: size = risk / (reference ·
stop_loss_tolerance), capped by ``equity · max_leverage`` of position value, rounded
down to 8 decimals. CLOSE_EXISTING directives are sized to the targeted open
positions; MODIFY_EXISTING directives need no size (None).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from runtime.dtos import SizePlan, StrategyDirective
from runtime.workers import SizePlanner

QUANTUM = Decimal("0.00000001")
ZERO = Decimal(0)
ONE = Decimal(1)


def size_for_risk(
    directive: StrategyDirective, risk: Decimal, equity: Decimal, max_leverage: Decimal
) -> tuple[Decimal, Decimal, Decimal] | None:
    """(size, value, risk at the stop) for ``risk`` money at risk, or None when nothing
    can be bought (no equity, no risk, no stop distance)."""
    ref = directive.reference_price
    distance = ref * directive.exit_directive.stop_loss_tolerance
    cap = directive.size_directive.max_risk_amount
    if cap is not None:
        risk = min(risk, cap)
    if risk <= ZERO or distance <= ZERO or equity <= ZERO:
        return None
    size = min(risk / distance, equity * max_leverage / ref).quantize(QUANTUM, ROUND_DOWN)
    if size <= ZERO:
        return None
    value = (size * ref).quantize(QUANTUM, ROUND_DOWN)
    return size, value, (size * distance).quantize(QUANTUM, ROUND_DOWN)


class AggressiveSizer(SizePlanner):
    """Risks up to ``risk_pct`` of equity, scaled by the directive's aggressiveness."""

    def setup(self) -> None:
        """Read params with the manifest's defaults."""
        p = self.params
        self.risk_pct = Decimal(str(p.get("risk_pct", 0.02)))
        self.min_scale = Decimal(str(p.get("min_scale", 0.5)))
        self.max_leverage = Decimal(str(p.get("max_leverage", 1)))
        if self.max_leverage <= ZERO:
            raise ValueError("AggressiveSizer: max_leverage must be > 0")

    def risk_fraction(self, directive: StrategyDirective) -> Decimal:
        """``risk_pct`` scaled linearly from ``min_scale`` (aggressiveness 0) to 1."""
        aggressiveness = directive.size_directive.aggressiveness
        return self.risk_pct * (self.min_scale + (ONE - self.min_scale) * aggressiveness)

    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan | None:
        """A SizePlan risking the scaled fraction of equity, or None if nothing fits."""
        if directive.scope == "MODIFY_EXISTING":
            return None
        if directive.scope == "CLOSE_EXISTING":
            return self._close_size(directive)
        equity = self.ledger.snapshot().equity
        risk = equity * self.risk_fraction(directive)
        sized = size_for_risk(directive, risk, equity, self.max_leverage)
        if sized is None:
            return None
        size, value, at_risk = sized
        return SizePlan(
            plan_id=self.new_id("SIZ", when=directive.timestamp),
            position_size=size,
            position_value=value,
            risk_amount=at_risk,
        )

    def _close_size(self, directive: StrategyDirective) -> SizePlan | None:
        """The total size of the targeted open trades (None if none is open)."""
        targets = set(directive.target_trade_ids)
        positions = self.ledger.snapshot().open_positions
        size = sum((abs(p.size) for p in positions if p.trade_id in targets), ZERO)
        if size <= ZERO:
            return None
        return SizePlan(
            plan_id=self.new_id("SIZ", when=directive.timestamp),
            position_size=size,
            position_value=(size * directive.reference_price).quantize(QUANTUM, ROUND_DOWN),
            risk_amount=ZERO,
        )
