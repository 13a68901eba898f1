"""ADXRegimeClassifier: Wilder's ADX decides trending vs ranging; scores
``regime_clarity``."""

from __future__ import annotations

from typing import Literal

from stc.plugins.dtos import Regime
from stc.runtime.dtos.market import TradingContext
from stc.runtime.indicators import ADX
from stc.runtime.workers import ContextWorker


class ADXRegimeClassifier(ContextWorker):
    """``trending`` when ADX ≥ ``trend_threshold``, else ``ranging``."""

    def setup(self) -> None:
        """Read params (manifest defaults) and create the ADX state."""
        self.period = int(self.params["period"])
        self.threshold = float(self.params["trend_threshold"])
        self.adx = ADX(self.period)

    def on_tick(self, context: TradingContext) -> Regime | None:
        """Fold in the bar; None until ADX is warm (2 × period bars)."""
        bar = context.bar
        reading = self.adx.update(bar.high, bar.low, bar.close)
        if reading is None:
            return None
        regime: Literal["trending", "ranging"] = (
            "trending" if reading.adx >= self.threshold else "ranging"
        )
        context.score("regime_clarity", self.clarity(reading.adx), self.worker_id)
        return Regime(
            regime=regime, adx=reading.adx, plus_di=reading.plus_di, minus_di=reading.minus_di
        )

    def clarity(self, adx: float) -> float:
        """``regime_clarity`` = min(1, ADX / (2 × trend_threshold)): 0.5 at the threshold,
        1 at twice it (ADX 50 with the default threshold 25)."""
        return min(1.0, adx / (2.0 * self.threshold)) if self.threshold > 0 else 1.0
