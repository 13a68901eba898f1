"""LiquidityCrisisDetector: thin liquidity without an order book, by proxy.

A wide bar on unusually low volume means prices moved far on little trading: the
book is thin. Both are measured against the previous ``window`` bars: the volume
z-score and the bar's range relative to the mean range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from stc.plugins._lib import clamp01, to_score
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import ThreatSignal
from stc.runtime.indicators import RollingMeanStd
from stc.runtime.workers import ThreatWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


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
        return self._threat(context, z, ratio)

    def _threat(self, context: TradingContext, z: float, ratio: float) -> ThreatSignal:
        """The threat of ``context.bar`` with volume z-score ``z`` and range ratio
        ``ratio`` (draws its id: called only on the bars that have one)."""
        bar = context.bar
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

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): one part of :meth:`batch_stream` over all
        the bars (one code path for both)."""
        return self.batch_stream().part(bars, upstream)

    def batch_stream(self) -> CrisisStream:
        """The batch form a part at a time (stc.runtime.batch.BatchStream)."""
        return CrisisStream(self.volumes.window, self.ranges.window, self.volume_z,
                            self.range_ratio)  # fmt: skip

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> ThreatSignal | None:
        """The threat ``on_tick`` returns on bar ``index`` (``context.bar`` is that
        bar, as when the handler runs)."""
        if not output.is_present(index):
            return None
        return self._threat(context, output.at("volume_z", index), output.at("range_ratio", index))


class CrisisStream:
    """LiquidityCrisisDetector's batch form over consecutive parts of the bars: the
    volume baseline's running mean and std and the range baseline's mean (its std is
    never read) in the compiled loop that repeats ``RollingMeanStd``'s float
    operations (their state carried from part to part: ``RollingParts``); bar i is
    compared with the baselines after bar i - 1 (before adding itself, as the handler
    does); the z-score, the range ratio and the two tests element-wise (the same IEEE
    operations as the handler's), a slice at a time (memory bounded by a slice, not
    the column). Only the bars with a threat keep their numbers (``present_only``: no
    other batch form reads a threat worker's output)."""

    def __init__(self, volumes: int, ranges: int, volume_z: float, range_ratio: float) -> None:
        from stc.runtime.indicator_columns import RollingParts

        self.volumes = RollingParts(volumes, with_std=True, before=True)
        self.ranges = RollingParts(ranges, with_std=False, before=True)
        self.volume_z = volume_z
        self.range_ratio = range_ratio

    def part(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """The outputs over the next ``bars``."""
        import numpy as np

        from stc.runtime.batch import BatchOutput, present_only

        span = bars.high - bars.low
        present = np.zeros(len(bars), dtype=bool)
        zs, ratios = [np.zeros(0)], [np.zeros(0)]  # the values at the threats, part by part
        volumes = self.volumes.next(bars.volume)
        ranges = self.ranges.next(span)
        for (a, b, volume_mean, volume_std), (*_, range_mean, _) in zip(
            volumes, ranges, strict=True
        ):
            assert volume_std is not None
            volume, part_span = bars.volume[a:b], span[a:b]
            spread = volume_std > 0.0
            z = np.where(spread, np.divide(volume - volume_mean, volume_std,
                                           out=np.zeros_like(volume_std), where=spread),
                         np.where(np.isnan(volume_std), np.nan, 0.0))  # fmt: skip
            wide = range_mean > 0.0  # False where NaN: the handler's None or <= 0
            ratio = np.divide(part_span, range_mean, out=np.full_like(range_mean, np.nan),
                              where=wide)  # fmt: skip
            hit = ~np.isnan(z) & wide & ~(z > -self.volume_z) & ~(ratio < self.range_ratio)
            present[a:b] = hit
            zs.append(z[hit])
            ratios.append(ratio[hit])
        at_threats = {"volume_z": np.concatenate(zs), "range_ratio": np.concatenate(ratios)}
        columns = present_only(present, at_threats)
        return BatchOutput(present=present, columns=columns)
