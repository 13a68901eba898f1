"""LiquidityCrisisDetector: thin liquidity without an order book, by proxy.

A wide bar on unusually low volume means prices moved far on little trading: the
book is thin. Both are measured against the previous ``window`` bars: the volume
z-score and the bar's range relative to the mean range.
"""

from __future__ import annotations

import math

from stc.plugins._lib import clamp01, to_score
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import ThreatSignal
from stc.runtime.indicators import RollingMeanStd
from stc.runtime.workers import ThreatWorker


class LiquidityCrisisDetector(ThreatWorker):
    """Threat when volume z ≤ −volume_z_threshold and range ≥ range_ratio × mean range."""

    def setup(self) -> None:
        """Read params (manifest defaults) and create the volume and range baselines."""
        window = int(self.params["window"])
        self.volumes = RollingMeanStd(window)
        self.ranges = RollingMeanStd(window)
        self.volume_z = float(self.params["volume_z_threshold"])
        self.range_ratio = float(self.params["range_ratio_threshold"])
        self.full_z = float(self.params["full_severity_z"])
        self.full_ratio = float(self.params["full_severity_range_ratio"])

    def on_tick(self, context: TradingContext) -> ThreatSignal | None:
        """Compare the bar with the baselines *before* adding it to them."""
        bar = context.bar
        span = bar.high - bar.low
        z, mean_range = self.volumes.zscore(bar.volume), self.ranges.mean
        self.volumes.update(bar.volume)
        self.ranges.update(span)
        if z is None or mean_range is None or mean_range <= 0.0:
            return None
        ratio = span / mean_range
        if z > -self.volume_z or ratio < self.range_ratio:
            return None
        return ThreatSignal(
            threat_id=self.new_id("THR"),
            timestamp=bar.time,
            threat_type="LIQUIDITY_CRISIS",
            severity=to_score(self.severity(z, ratio)),
            source_worker_id=self.worker_id,
            affected_asset=context.symbol,
            metadata={"volume_z": round(z, 6), "range_ratio": round(ratio, 6)},
        )

    def severity(self, z: float, ratio: float) -> float:
        """Geometric mean of thinness = clamp(−z / full_severity_z) and wideness =
        clamp((ratio − 1) / (full_severity_range_ratio − 1)): both must be present."""
        thinness = clamp01(-z / self.full_z)
        wideness = clamp01((ratio - 1.0) / (self.full_ratio - 1.0))
        return math.sqrt(thinness * wideness)
