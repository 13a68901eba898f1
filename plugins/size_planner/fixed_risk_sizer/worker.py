"""FixedRiskSizer: risk a fixed share of equity per trade.

    risk     = equity · size_directive.account_risk_pct   (≤ size_directive.max_risk_amount)
    distance = reference_price · exit_directive.stop_loss_tolerance
    size     = risk / distance

so that hitting a stop ``stop_loss_tolerance`` away from the reference loses exactly
``risk``. The position is then capped so that ``size · reference ≤ equity ·
max_leverage`` (the risk shrinks with it; ``risk_amount`` reports what is really at
risk). Sizes, values and risks are Decimals rounded down to 8 decimals, so they are
deterministic and never exceed a cap.

CLOSE_EXISTING directives are sized to the targeted open positions (their total size,
nothing new at risk); MODIFY_EXISTING directives need no size (None).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from runtime.dtos import SizePlan, StrategyDirective
from runtime.workers import SizePlanner

QUANTUM = Decimal("0.00000001")
ZERO = Decimal(0)


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


class FixedRiskSizer(SizePlanner):
    """Sizes every trade to risk ``account_risk_pct`` of equity at the stop."""

    def setup(self) -> None:
        """Read ``max_leverage`` (default 1: never more than the equity in one trade)."""
        self.max_leverage = Decimal(str(self.params.get("max_leverage", 1)))
        if self.max_leverage <= ZERO:
            raise ValueError("FixedRiskSizer: max_leverage must be > 0")

    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan | None:
        """A SizePlan risking equity · account_risk_pct, or None if nothing fits."""
        if directive.scope == "MODIFY_EXISTING":
            return None
        if directive.scope == "CLOSE_EXISTING":
            return self._close_size(directive)
        equity = self.ledger.snapshot().equity
        risk = equity * directive.size_directive.account_risk_pct
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
