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
from decimal import Decimal

from stc.plugins._lib.sizing import RiskSizer
from stc.runtime.dtos import StrategyDirective

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


class KellyCriterionSizer(RiskSizer):
    """Sizes trades by the fractional Kelly criterion of the strategy's own record."""

    def setup(self) -> None:
        """Read the Kelly params with the manifest's defaults."""
        p = self.params
        self.kelly_fraction = Decimal(str(p["kelly_fraction"]))
        self.max_fraction = Decimal(str(p["max_fraction"]))
        self.default_risk_pct = Decimal(str(p["default_risk_pct"]))
        self.min_trades = int(p["min_trades"])
        self.read_max_leverage()
        if self.kelly_fraction <= ZERO:
            raise ValueError("KellyCriterionSizer: kelly_fraction must be > 0")

    def risk_fraction(self, directive: StrategyDirective) -> Decimal:
        """Share of equity to risk now: fractional Kelly, or the default while the
        record is shorter than ``min_trades``."""
        returns = self.ledger.closed_trade_returns()
        if len(returns) < self.min_trades:
            return self.default_risk_pct
        return min(kelly(returns) * self.kelly_fraction, self.max_fraction)
