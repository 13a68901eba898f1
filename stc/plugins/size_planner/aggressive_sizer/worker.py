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

from decimal import Decimal

from stc.plugins._lib.sizing import RiskSizer
from stc.runtime.dtos import StrategyDirective

ZERO = Decimal(0)
ONE = Decimal(1)


class AggressiveSizer(RiskSizer):
    """Risks up to ``risk_pct`` of equity, scaled by the directive's aggressiveness."""

    def setup(self) -> None:
        """Read params with the manifest's defaults."""
        p = self.params
        self.risk_pct = Decimal(str(p["risk_pct"]))
        self.min_scale = Decimal(str(p["min_scale"]))
        self.read_max_leverage()

    def risk_fraction(self, directive: StrategyDirective) -> Decimal:
        """``risk_pct`` scaled linearly from ``min_scale`` (aggressiveness 0) to 1."""
        aggressiveness = directive.size_directive.aggressiveness
        return self.risk_pct * (self.min_scale + (ONE - self.min_scale) * aggressiveness)
