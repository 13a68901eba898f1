"""DivergenceScanner: regular RSI divergence at fractal swing points.

Bullish: the newest swing low is lower than the previous swing low while RSI at the
newest is higher than RSI at the previous (selling momentum fades). Bearish mirrors
it with swing highs. The scanner runs its own RSI and swing detector so it does not
depend on MarketStructureDetector's lookback, and signals on the bar that confirms
the swing (``lookback`` bars after it), never earlier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from stc.plugins._lib import to_score
from stc.plugins._lib.swings import FractalSwingDetector, SwingKind, SwingPoint
from stc.runtime.dtos.common import Direction
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.indicators import RSI
from stc.runtime.workers import OpportunityWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


class DivergenceScanner(OpportunityWorker):
    """Compares each newly confirmed swing with the previous swing of the same kind."""

    def setup(self) -> None:
        """Read params (manifest defaults); create RSI and swing state."""
        self.rsi = RSI(int(self.params["rsi_period"]))
        self.swings = FractalSwingDetector(int(self.params["lookback"]))
        self.max_distance = int(self.params["max_swing_distance"])
        self.min_diff = float(self.params["min_rsi_diff"])
        self.full_diff = float(self.params["full_confidence_rsi_diff"])
        self.last_high: SwingPoint | None = None
        self.last_low: SwingPoint | None = None

    def on_context_assessment(self, context: TradingContext) -> OpportunitySignal | None:
        """Tag each bar with its RSI; check newly confirmed swings for divergence."""
        bar = context.bar
        rsi = self.rsi.update(bar.close)
        swing_high, swing_low = self.swings.update(bar.high, bar.low, rsi)
        found: tuple[Direction, SwingPoint, SwingPoint] | None = None
        if swing_low is not None and swing_low.tag is not None:
            previous, self.last_low = self.last_low, swing_low
            if previous is not None and self._diverges(previous, swing_low, lower_price=True):
                found = ("BUY", previous, swing_low)
        if swing_high is not None and swing_high.tag is not None:
            previous, self.last_high = self.last_high, swing_high
            if (
                found is None
                and previous is not None
                and self._diverges(previous, swing_high, lower_price=False)
            ):
                found = ("SELL", previous, swing_high)
        return None if found is None else self._signal(context, *found)

    def _diverges(self, previous: SwingPoint, latest: SwingPoint, lower_price: bool) -> bool:
        """Price extends (lower low / higher high) while RSI does not, by ≥ min_rsi_diff."""
        if previous.tag is None or latest.tag is None:
            return False
        if latest.position - previous.position > self.max_distance:
            return False
        if lower_price:
            return latest.price < previous.price and latest.tag - previous.tag >= self.min_diff
        return latest.price > previous.price and previous.tag - latest.tag >= self.min_diff

    def _signal(
        self,
        context: TradingContext,
        direction: Direction,
        previous: SwingPoint,
        latest: SwingPoint,
    ) -> OpportunitySignal:
        """Confidence = |RSI difference| / full_confidence_rsi_diff (clamped)."""
        diff = abs((latest.tag or 0.0) - (previous.tag or 0.0))
        return OpportunitySignal(
            signal_id=self.new_id("OPP"),
            timestamp=context.timestamp or context.bar.time,
            asset=context.symbol,
            direction=direction,
            signal_type="rsi_divergence",
            confidence=to_score(diff / self.full_diff),
            source_worker_id=self.worker_id,
            metadata={
                "swing_price": latest.price,
                "previous_swing_price": previous.price,
                "rsi": round(latest.tag or 0.0, 6),
                "previous_rsi": round(previous.tag or 0.0, 6),
                "bars_between": latest.position - previous.position,
            },
        )

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): RSI a part at a time (its Wilder averages
        compiled, :mod:`stc.runtime.rsi_columns`), fractal swings by
        sliding-window maxima (strict comparisons, as the detector's), and each tagged
        swing compared with the previous tagged swing of its kind (the handler's
        ``last_low``/``last_high``), reported on its confirmation bar."""
        import numpy as np

        from stc.plugins._lib.swing_arrays import fractal_swings, pair_columns
        from stc.runtime.batch import BatchOutput
        from stc.runtime.rsi_columns import rsi_column

        rsi = rsi_column(bars.close, self.rsi.period)
        lookback = self.swings.lookback
        highs, lows = fractal_swings(bars.high, bars.low, lookback)
        n = len(bars)
        columns: dict[str, object] = {}
        found = np.zeros(n, dtype=np.int64)
        for kind, centers, sign in (("low", lows, 1), ("high", highs, -1)):
            price = bars.low if kind == "low" else bars.high
            tagged = centers[~np.isnan(rsi[centers])]  # a swing without RSI is not kept
            pairs = pair_columns(tagged, price, rsi, lookback, n)
            distance = pairs["position"] - pairs["previous_position"]
            extends = pairs["price"] < pairs["previous_price"] if sign > 0 else (
                pairs["price"] > pairs["previous_price"])  # fmt: skip
            rsi_diff = (pairs["tag"] - pairs["previous_tag"] if sign > 0
                        else pairs["previous_tag"] - pairs["tag"])  # fmt: skip
            hit = pairs["paired"] & (distance <= self.max_distance) & extends & (
                rsi_diff >= self.min_diff)  # fmt: skip
            found = np.where((found == 0) & hit, sign, found)
            columns.update({f"{kind}_{name}": values for name, values in pairs.items()})
        columns["direction"] = found
        return BatchOutput(present=found != 0, columns=columns)

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> OpportunitySignal | None:
        """The signal ``on_context_assessment`` returns on bar ``index``."""
        direction = output.at("direction", index)
        if direction == 0:
            return None
        kind: SwingKind = "low" if direction > 0 else "high"

        def point(prefix: str) -> SwingPoint:
            return SwingPoint(
                kind,
                output.at(f"{kind}_{prefix}price", index),
                output.at(f"{kind}_{prefix}position", index),
                output.at(f"{kind}_{prefix}tag", index),
            )

        return self._signal(context, "BUY" if direction > 0 else "SELL",
                            point("previous_"), point(""))  # fmt: skip
