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

from decimal import Decimal

from stc.plugins._lib.sizing import RiskSizer
from stc.runtime.dtos import StrategyDirective


class FixedRiskSizer(RiskSizer):
    """Sizes every trade to risk ``account_risk_pct`` of equity at the stop."""

    def setup(self) -> None:
        """Read ``max_leverage`` (default 1: never more than the equity in one trade)."""
        self.read_max_leverage()

    def risk_fraction(self, directive: StrategyDirective) -> Decimal:
        """The directive's ``account_risk_pct``: this sizer follows the strategy."""
        return directive.size_directive.account_risk_pct
