"""ADXRegimeClassifier: Wilder's ADX decides trending vs ranging; scores
``regime_clarity``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from stc.plugins.dtos import Regime
from stc.runtime.dtos.market import TradingContext
from stc.runtime.indicators import ADX
from stc.runtime.workers import ContextWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


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

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): one part of :meth:`batch_stream` over all
        the bars (one code path for both)."""
        return self.batch_stream().part(bars, upstream)

    def batch_stream(self) -> ADXStream:
        """The batch form a part at a time (stc.runtime.batch.BatchStream)."""
        return ADXStream(self.period, self.threshold)

    def result_at(self, output: BatchOutput, index: int, context: TradingContext) -> Regime | None:
        """The Regime ``on_tick`` returns on bar ``index``."""
        if not output.is_present(index):
            return None
        return Regime(
            regime="trending" if output.at("trending", index) else "ranging",
            adx=output.at("adx", index),
            plus_di=output.at("plus_di", index),
            minus_di=output.at("minus_di", index),
        )


class ADXStream:
    """ADXRegimeClassifier's batch form over consecutive parts of the bars: Wilder's
    ADX in a compiled loop (``indicator_columns``; its state, ``ADXCarry``, carried
    from part to part); regime and ``regime_clarity`` element-wise."""

    def __init__(self, period: int, threshold: float) -> None:
        from stc.runtime.indicator_series import ADXCarry

        self.period = period
        self.threshold = threshold
        self.carry = ADXCarry(period)

    def part(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """The outputs over the next ``bars``."""
        import numpy as np

        from stc.runtime.batch import BatchOutput
        from stc.runtime.indicator_columns import adx_columns

        adx, plus_di, minus_di = adx_columns(
            bars.high, bars.low, bars.close, self.period, carry=self.carry
        )
        present = ~np.isnan(adx)
        if self.threshold > 0:
            clarity = np.minimum(1.0, adx / (2.0 * self.threshold))
        else:
            clarity = np.ones_like(adx)
        columns = {"adx": adx, "plus_di": plus_di, "minus_di": minus_di,
                   "trending": present & (adx >= self.threshold)}  # fmt: skip
        factors = {"regime_clarity": np.where(present, clarity, np.nan)}
        return BatchOutput(present=present, columns=columns, factors=factors)
