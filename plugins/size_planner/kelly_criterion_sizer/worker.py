"""KellyCriterionSizer: risk the (fractional) Kelly share of equity.

From the realised returns of the closed trades (``ledger.closed_trade_returns()``,
each pnl / risk, i.e. an R multiple):

    W = wins / trades            R = mean(win) / mean(|loss|)
    f = W − (1 − W) / R          (f = W when there are no losses yet)

Because the returns are measured in units of risk, ``f`` is the share of equity to
*risk* per trade. The sizer risks ``f · kelly_fraction`` (half-Kelly by default),
capped at ``max_fraction``; until ``min_trades`` trades are closed it risks
``default_risk_pct`` instead. ``f ≤ 0`` means no edge: no size (None), so no trade.
Trades with a zero return count as trades but neither as wins nor as losses.

The risk then becomes a size exactly as in FixedRiskSizer: size = risk / (reference ·
stop_loss_tolerance), capped by ``size_directive.max_risk_amount`` and by
``equity · max_leverage`` of position value, rounded down to 8 decimals. The
directive's ``account_risk_pct`` is not used: choosing the fraction is this sizer's
specialism. CLOSE_EXISTING directives are sized to the targeted open positions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from runtime.dtos import SizePlan, StrategyDirective
from runtime.workers import SizePlanner

QUANTUM = Decimal("0.00000001")
ZERO = Decimal(0)
ONE = Decimal(1)


def kelly(returns: Sequence[float]) -> Decimal:
    """The full Kelly fraction ``W − (1 − W)/R`` of a list of R-multiple returns."""
    rs = [Decimal(repr(r)) for r in returns if math.isfinite(r)]
    wins = [r for r in rs if r > ZERO]
    losses = [-r for r in rs if r < ZERO]
    if not wins:
        return ZERO
    win_rate = Decimal(len(wins)) / Decimal(len(rs))
    if not losses:
        return win_rate
    payoff = (sum(wins, ZERO) / len(wins)) / (sum(losses, ZERO) / len(losses))
    return win_rate - (ONE - win_rate) / payoff


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


class KellyCriterionSizer(SizePlanner):
    """Sizes trades by the fractional Kelly criterion of the strategy's own record."""

    def setup(self) -> None:
        """Read the Kelly params with the manifest's defaults."""
        p = self.params
        self.kelly_fraction = Decimal(str(p.get("kelly_fraction", 0.5)))
        self.max_fraction = Decimal(str(p.get("max_fraction", 0.05)))
        self.default_risk_pct = Decimal(str(p.get("default_risk_pct", 0.01)))
        self.min_trades = int(p.get("min_trades", 20))
        self.max_leverage = Decimal(str(p.get("max_leverage", 1)))
        if self.max_leverage <= ZERO or self.kelly_fraction <= ZERO:
            raise ValueError("KellyCriterionSizer: max_leverage and kelly_fraction must be > 0")

    def risk_fraction(self) -> Decimal:
        """Share of equity to risk now: fractional Kelly, or the default while the
        record is shorter than ``min_trades``."""
        returns = self.ledger.closed_trade_returns()
        if len(returns) < self.min_trades:
            return self.default_risk_pct
        return min(kelly(returns) * self.kelly_fraction, self.max_fraction)

    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan | None:
        """A SizePlan risking the Kelly share of equity, or None without an edge."""
        if directive.scope == "MODIFY_EXISTING":
            return None
        if directive.scope == "CLOSE_EXISTING":
            return self._close_size(directive)
        equity = self.ledger.snapshot().equity
        sized = size_for_risk(directive, equity * self.risk_fraction(), equity, self.max_leverage)
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
