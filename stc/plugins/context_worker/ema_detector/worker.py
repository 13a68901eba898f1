"""EMADetector: exponential moving averages of the close and the ``trend_strength``
factor (how bullishly the close and the EMAs are stacked)."""

from __future__ import annotations

from stc.plugins.dtos import EMAValues
from stc.runtime.dtos.market import TradingContext
from stc.runtime.indicators import EMAStack, stack_strength
from stc.runtime.workers import ContextWorker


class EMADetector(ContextWorker):
    """One incremental EMA per period; output once the longest one is warm."""

    def setup(self) -> None:
        """Read ``periods`` / ``mode`` (manifest defaults) and create the averages."""
        periods = self.params["periods"]
        self.periods: tuple[int, ...] = tuple(sorted({int(p) for p in periods}))
        if not self.periods:
            raise ValueError("EMADetector needs at least one period")
        self.mode: str = str(self.params["mode"])
        self._absolute = self.mode == "absolute"
        # The per-tick loop lives in the shared indicator library, which `make` compiles
        # with the runtime's hot path (plain Python where it is not compiled).
        self._stack = EMAStack(self.periods, absolute=self._absolute)

    def on_tick(self, context: TradingContext) -> EMAValues | None:
        """Update every EMA with the close; None until all are warm."""
        updated = self._stack.update(context.bar.close)
        if updated is None:
            return None
        values, strength = updated
        context.score("trend_strength", strength, self.worker_id)
        return EMAValues(values)  # positional: a keyword costs ~0.25 µs a tick here

    def trend_strength(self, close: float, values: dict[int, float]) -> float:
        """Fraction of the ordered pairs (close, EMA_shortest, …, EMA_longest) whose
        left side is above its right side: 1.0 = perfectly bullish stack, 0.0 =
        perfectly bearish. In ``absolute`` mode: |2·fraction − 1| (any clean stack)."""
        averages = [values[period] for period in self.periods]
        return stack_strength(close, averages, self.mode == "absolute")
