"""EMADetector: exponential moving averages of the close and the ``trend_strength``
factor (how bullishly the close and the EMAs are stacked)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from stc.plugins.context_worker.ema_detector.tick import ema_tick
from stc.plugins.dtos import EMAValues
from stc.runtime.dtos.market import TradingContext
from stc.runtime.indicators import EMAStack, stack_strength
from stc.runtime.workers import ContextWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


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
        """Update every EMA with the close; None until all are warm (compiled:
        ``ema_tick``)."""
        return ema_tick(self._stack, context, self.worker_id)

    def trend_strength(self, close: float, values: dict[int, float]) -> float:
        """Fraction of the ordered pairs (close, EMA_shortest, …, EMA_longest) whose
        left side is above its right side: 1.0 = perfectly bullish stack, 0.0 =
        perfectly bearish. In ``absolute`` mode: |2·fraction − 1| (any clean stack)."""
        averages = [values[period] for period in self.periods]
        return stack_strength(close, averages, self.mode == "absolute")

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): one part of :meth:`batch_stream` over all
        the bars (one code path for both)."""
        return self.batch_stream().part(bars, upstream)

    def batch_stream(self) -> EMAStream:
        """The batch form a part at a time (stc.runtime.batch.BatchStream)."""
        return EMAStream(self.periods, self._absolute)

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> EMAValues | None:
        """The EMAValues ``on_tick`` returns on bar ``index``."""
        if not output.is_present(index):
            return None
        return EMAValues({p: output.at(f"ema_{p}", index) for p in self.periods})


class EMAStream:
    """EMADetector's batch form over consecutive parts of the bars: every EMA in a
    compiled loop (its state carried from part to part); the stack strength
    element-wise (comparisons and one division per bar, as in ``stack_strength``)."""

    def __init__(self, periods: tuple[int, ...], absolute: bool) -> None:
        from stc.runtime.indicator_columns import EMAParts

        self.periods = periods
        self.absolute = absolute
        self.averages = {period: EMAParts(period) for period in periods}

    def part(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """The outputs over the next ``bars``."""
        import numpy as np

        from stc.runtime.batch import BatchOutput

        periods = self.periods
        columns = {f"ema_{p}": self.averages[p].next(bars.close) for p in periods}
        present = ~np.isnan(columns[f"ema_{periods[-1]}"])  # longest warm: all warm
        bullish = np.zeros(len(bars), dtype=np.int16)
        left = bars.close
        for period in periods:
            right = columns[f"ema_{period}"]
            bullish += left > right
            left = right
        # the strength of each possible count, then looked up (one array a bar, not five)
        fraction = np.arange(len(periods) + 1, dtype=np.int64) / len(periods)
        strength = np.abs(2.0 * fraction - 1.0) if self.absolute else fraction
        scored = strength[bullish]
        scored[~present] = np.nan
        factors = {"trend_strength": scored}
        return BatchOutput(present=present, columns=columns, factors=factors)
