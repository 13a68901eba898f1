"""VolumeSpikeRefiner: an unusually heavy bar (volume z-score against the previous
``window`` bars) with a clear body signals in the body's direction."""

from __future__ import annotations

from stc.plugins._lib import to_score
from stc.runtime.dtos.common import Direction
from stc.runtime.dtos.market import Bar, TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.indicators import RollingMeanStd
from stc.runtime.workers import OpportunityWorker


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


def candle_direction(bar: Bar, min_body_fraction: float) -> Direction | None:
    """BUY for a bullish, SELL for a bearish candle whose body is at least
    ``min_body_fraction`` of its range; None for dojis and flat bars."""
    span = bar.high - bar.low
    body = bar.close - bar.open
    if span <= 0.0 or abs(body) < min_body_fraction * span or body == 0.0:
        return None
    return "BUY" if body > 0 else "SELL"
