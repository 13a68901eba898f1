"""What every risk-based sizer shares: turning money at risk into a position size,
the scope rules, and sizing a close. A sizer's specialism is only *how much of the
equity to risk* (``risk_fraction``).

    distance = reference_price · exit_directive.stop_loss_tolerance
    size     = risk / distance          (hitting the stop loses exactly ``risk``)

capped by ``size_directive.max_risk_amount`` and by ``equity · max_leverage`` of
position value; Decimals rounded down to 8 decimals (deterministic, never above a cap).
CLOSE_EXISTING directives are sized to the targeted open positions (nothing new at
risk); MODIFY_EXISTING directives need no size (None).
"""

from __future__ import annotations

from abc import abstractmethod
from decimal import Decimal

from stc.plugins._lib.plans import close_size_plan, risk_size_plan
from stc.plugins._lib.risk import PLACES as PLACES
from stc.plugins._lib.risk import ZERO
from stc.plugins._lib.risk import size_for_risk as size_for_risk
from stc.runtime.dtos import SizePlan, StrategyDirective
from stc.runtime.workers import SizePlanner


class RiskSizer(SizePlanner):
    """Base of the reference sizers; subclasses define ``risk_fraction``."""

    max_leverage: Decimal

    def read_max_leverage(self) -> None:
        """``max_leverage`` param (the manifests' default 1: never more than the equity in
        one trade)."""
        self.max_leverage = Decimal(str(self.params["max_leverage"]))
        if self.max_leverage <= ZERO:
            raise ValueError(f"{type(self).__name__}: max_leverage must be > 0")

    @abstractmethod
    def risk_fraction(self, directive: StrategyDirective) -> Decimal:
        """Share of equity to risk on this directive."""

    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan | None:
        """A SizePlan risking ``risk_fraction`` of equity, or None if nothing fits."""
        if directive.scope == "MODIFY_EXISTING":
            return None
        if directive.scope == "CLOSE_EXISTING":
            return self._close_size(directive)
        equity = self.ledger.snapshot().equity
        return risk_size_plan(  # compiled: _lib/plans.py
            self.new_id, directive, equity, self.risk_fraction(directive), self.max_leverage
        )

    def _close_size(self, directive: StrategyDirective) -> SizePlan | None:
        """The total size of the targeted open trades (None if none is open)."""
        positions = self.ledger.snapshot().open_positions
        return close_size_plan(self.new_id, directive, positions)  # compiled: _lib/plans.py
