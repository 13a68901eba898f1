"""ATRVolatility: Wilder ATR (absolute and as a fraction of the close) and the
``volatility_risk`` weakness factor: how far ATR% runs above its own recent mean."""

from __future__ import annotations

from stc.plugins.dtos import ATRValues
from stc.runtime.dtos.market import TradingContext
from stc.runtime.indicators import ATR, RollingMeanStd
from stc.runtime.workers import ContextWorker


class ATRVolatility(ContextWorker):
    """ATR every bar once warm; the risk factor once the ATR% baseline is full."""

    def setup(self) -> None:
        """Read params (manifest defaults) and create ATR and baseline state."""
        self.period = int(self.params["period"])
        self.risk_ratio = float(self.params["risk_ratio"])
        self.atr = ATR(self.period)
        self.baseline = RollingMeanStd(int(self.params["baseline_window"]))

    def on_tick(self, context: TradingContext) -> ATRValues | None:
        """Fold in the bar; None until ATR is warm (``period`` bars)."""
        bar = context.bar
        atr = self.atr.update(bar.high, bar.low, bar.close)
        if atr is None:
            return None
        atr_pct = atr / bar.close if bar.close else 0.0
        mean = self.baseline.update(atr_pct)
        if mean is not None:
            risk = self.volatility_risk(atr_pct, mean)
            context.score("volatility_risk", risk, self.worker_id, polarity="weakness")
        return ATRValues(atr=atr, atr_pct=atr_pct)

    def volatility_risk(self, atr_pct: float, baseline: float) -> float:
        """``volatility_risk`` = clamp((ratio − 1) / (risk_ratio − 1)), ratio = ATR% /
        its mean over the baseline window: 0 at or below normal volatility, 1 from
        ``risk_ratio`` × normal on."""
        if baseline <= 0.0:
            return 0.0
        ratio = atr_pct / baseline
        return max(0.0, min(1.0, (ratio - 1.0) / (self.risk_ratio - 1.0)))
