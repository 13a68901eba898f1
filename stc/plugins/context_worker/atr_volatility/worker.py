"""ATRVolatility: Wilder ATR (absolute and as a fraction of the close) and the
``volatility_risk`` weakness factor: how far ATR% runs above its own recent mean."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from stc.plugins.dtos import ATRValues
from stc.runtime.dtos.market import TradingContext
from stc.runtime.indicators import ATR, RollingMeanStd
from stc.runtime.workers import ContextWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


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

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): ATR in a compiled loop and the baseline's
        running mean over the ATR% values from the first warm bar on (the handler feeds
        it only then), each run a part of the bars at a time (``indicator_columns``);
        the risk factor element-wise."""
        import numpy as np

        from stc.runtime.batch import BatchOutput
        from stc.runtime.indicator_columns import atr_column, rolling_mean_column

        atr = atr_column(bars.high, bars.low, bars.close, self.period)
        present = ~np.isnan(atr)
        close = bars.close
        nonzero = close != 0.0
        atr_pct = np.divide(atr, close, out=np.zeros_like(atr), where=nonzero)
        atr_pct[~present] = np.nan
        baseline = np.full(len(bars), np.nan)
        baseline[present] = rolling_mean_column(atr_pct[present], self.baseline.window)
        scored = ~np.isnan(baseline)
        positive = scored & (baseline > 0.0)
        ratio = np.divide(atr_pct, baseline, out=np.zeros_like(atr_pct), where=positive)
        risk = np.maximum(0.0, np.minimum(1.0, (ratio - 1.0) / (self.risk_ratio - 1.0)))
        risk = np.where(positive, risk, 0.0)
        factors = {"volatility_risk": np.where(scored, risk, np.nan)}
        columns = {"atr": atr, "atr_pct": atr_pct}
        return BatchOutput(present=present, columns=columns, factors=factors)

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> ATRValues | None:
        """The ATRValues ``on_tick`` returns on bar ``index``."""
        if not output.is_present(index):
            return None
        return ATRValues(atr=output.at("atr", index), atr_pct=output.at("atr_pct", index))
