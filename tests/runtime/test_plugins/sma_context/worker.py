"""SMA of the close; scores trend_strength (strength) and range (weakness)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import ContextWorker


@dataclass(frozen=True, slots=True)
class SmaValue:
    sma: float
    prev_sma: float | None
    prev_close: float | None


class SmaContext(ContextWorker):
    def setup(self) -> None:
        self.period = int(self.params.get("period", 20))
        self._window: deque[float] = deque(maxlen=self.period)
        self._prev: tuple[float, float] | None = None

    def on_tick(self, context: TradingContext) -> SmaValue | None:
        bar = context.bar
        self._window.append(bar.close)
        if len(self._window) < self.period:
            return None
        sma = sum(self._window) / self.period
        trend = _clamp(0.5 + (bar.close - sma) / sma * 50)
        context.score("trend_strength", trend, self.worker_id)
        context.score("range", _clamp((bar.high - bar.low) / bar.close * 100), self.worker_id,
                      "weakness")  # fmt: skip
        prev = self._prev
        self._prev = (sma, bar.close)
        return SmaValue(sma, prev[0] if prev else None, prev[1] if prev else None)


def _clamp(value: float) -> float:
    """Into 0..1: the platform refuses a score outside it (a fault of this worker)."""
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
