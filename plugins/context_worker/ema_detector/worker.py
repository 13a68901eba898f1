"""EMADetector: exponential moving averages of the close and the ``trend_strength``
factor (how bullishly the close and the EMAs are stacked)."""

from __future__ import annotations

from itertools import pairwise

from plugins._lib.indicators import EMA
from plugins.dtos import EMAValues
from runtime.dtos.market import TradingContext
from runtime.workers import ContextWorker

DEFAULT_PERIODS = (20, 50, 200)


class EMADetector(ContextWorker):
    """One incremental EMA per period; output once the longest one is warm."""

    def setup(self) -> None:
        """Read ``periods`` / ``mode`` (manifest defaults) and create the averages."""
        periods = self.params.get("periods", DEFAULT_PERIODS)
        self.periods: tuple[int, ...] = tuple(sorted({int(p) for p in periods}))
        if not self.periods:
            raise ValueError("EMADetector needs at least one period")
        self.mode: str = str(self.params.get("mode", "bullish"))
        self.emas = {period: EMA(period) for period in self.periods}
        self._pairs = tuple(self.emas.items())  # ascending periods
        self._absolute = self.mode == "absolute"

    def on_tick(self, context: TradingContext) -> EMAValues | None:
        """Update every EMA with the close; None until all are warm."""
        close = context.bar.close
        ready: dict[int, float] = {}
        warm = True
        for period, ema in self._pairs:
            value = ema.update(close)
            if value is None:
                warm = False
            elif warm:
                ready[period] = float(value)
        if not warm:
            return None
        # trend_strength inlined (same arithmetic): count the bullish neighbours of
        # (close, EMA_shortest, …, EMA_longest)
        bullish = 0
        left = close
        for right in ready.values():
            if left > right:
                bullish += 1
            left = right
        fraction = bullish / len(ready)
        strength = abs(2.0 * fraction - 1.0) if self._absolute else fraction
        context.score("trend_strength", strength, self.worker_id)
        return EMAValues(ready)  # positional: a keyword costs ~0.25 µs a tick here

    def trend_strength(self, close: float, values: dict[int, float]) -> float:
        """Fraction of the ordered pairs (close, EMA_shortest, …, EMA_longest) whose
        left side is above its right side: 1.0 = perfectly bullish stack, 0.0 =
        perfectly bearish. In ``absolute`` mode: |2·fraction − 1| (any clean stack)."""
        chain = [close, *(values[period] for period in self.periods)]
        pairs = len(chain) - 1
        bullish = sum(1 for a, b in pairwise(chain) if a > b)
        fraction = bullish / pairs
        return abs(2.0 * fraction - 1.0) if self.mode == "absolute" else fraction
