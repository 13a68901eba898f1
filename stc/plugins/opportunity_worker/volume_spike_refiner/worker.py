"""VolumeSpikeRefiner: an unusually heavy bar (volume z-score against the previous
``window`` bars) with a clear body signals in the body's direction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from stc.plugins._lib import to_score
from stc.runtime.dtos.common import Direction
from stc.runtime.dtos.market import Bar, TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.indicators import RollingMeanStd
from stc.runtime.workers import OpportunityWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


class VolumeSpikeRefiner(OpportunityWorker):
    """Volume z-score ≥ ``z_threshold`` and body ≥ ``min_body_fraction`` of the range."""

    def setup(self) -> None:
        """Read params (manifest defaults) and create the volume baseline."""
        self.stats = RollingMeanStd(int(self.params["window"]))
        self.z_threshold = float(self.params["z_threshold"])
        self.min_body = float(self.params["min_body_fraction"])
        self.full_z = float(self.params["full_confidence_z"])

    def on_context_assessment(self, context: TradingContext) -> OpportunitySignal | None:
        """Score this bar's volume against the baseline *before* adding it to it."""
        bar = context.bar
        z = self.stats.zscore(bar.volume)
        self.stats.update(bar.volume)
        direction = candle_direction(bar, self.min_body)
        if z is None or z < self.z_threshold or direction is None:
            return None
        return self._signal(context, direction, z)

    def _signal(self, context: TradingContext, direction: Direction, z: float) -> OpportunitySignal:
        """The spike signal of ``context.bar`` with volume z-score ``z``."""
        bar = context.bar
        return OpportunitySignal(
            signal_id=self.new_id("OPP"),
            timestamp=bar.time,
            asset=context.symbol,
            direction=direction,
            signal_type="volume_spike",
            confidence=to_score(z / self.full_z),
            source_worker_id=self.worker_id,
            metadata={"volume": bar.volume, "volume_z": round(z, 6)},
        )

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): the baseline's running mean and std in a
        compiled loop run a part of the bars at a time (``indicator_columns``); bar i
        is scored against the baseline after bar i - 1 (before adding itself, as the
        handler does); z-score and candle direction element-wise."""
        import numpy as np

        from stc.runtime.batch import BatchOutput
        from stc.runtime.indicator_columns import rolling_mean_std_columns

        volume = bars.volume
        mean, std = rolling_mean_std_columns(volume, self.stats.window, before=True)
        spread = std > 0.0
        z = np.where(spread, np.divide(volume - mean, std, out=np.zeros_like(std), where=spread),
                     np.where(np.isnan(std), np.nan, 0.0))  # fmt: skip
        span = bars.high - bars.low
        body = bars.close - bars.open
        clear = (span > 0.0) & ~(np.abs(body) < self.min_body * span) & (body != 0.0)
        direction = np.where(clear, np.where(body > 0, 1, -1), 0)
        present = ~np.isnan(z) & (z >= self.z_threshold) & (direction != 0)
        return BatchOutput(present=present, columns={"volume_z": z, "direction": direction})

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> OpportunitySignal | None:
        """The signal ``on_context_assessment`` returns on bar ``index`` (``context.bar``
        is that bar, as when the handler runs)."""
        if not output.is_present(index):
            return None
        up = output.at("direction", index) > 0
        z = output.at("volume_z", index)
        return self._signal(context, "BUY" if up else "SELL", z)


def candle_direction(bar: Bar, min_body_fraction: float) -> Direction | None:
    """BUY for a bullish, SELL for a bearish candle whose body is at least
    ``min_body_fraction`` of its range; None for dojis and flat bars."""
    span = bar.high - bar.low
    body = bar.close - bar.open
    if span <= 0.0 or abs(body) < min_body_fraction * span or body == 0.0:
        return None
    return "BUY" if body > 0 else "SELL"
