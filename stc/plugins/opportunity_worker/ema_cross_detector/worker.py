"""EMACrossDetector: fast/slow EMA crossover, the simplest trend strategy's signal.

It runs its own incremental EMAs so that it works without EMADetector. A cross is a
change of sign of (fast − slow) against the last *non-zero* sign, so touching without
crossing never fires.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stc.plugins._lib import to_score
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.indicators import EMACross
from stc.runtime.workers import OpportunityWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


class EMACrossDetector(OpportunityWorker):
    """BUY on a golden cross; on a death cross SELL (``exit_long`` when long-only)."""

    def setup(self) -> None:
        """Read params (manifest defaults); fast must be shorter than slow."""
        fast = int(self.params["fast"])
        slow = int(self.params["slow"])
        if fast >= slow:
            raise ValueError(f"EMACrossDetector: fast ({fast}) must be < slow ({slow})")
        self.cross = EMACross(fast, slow)  # compiled with the shared indicator library
        self.long_only = bool(self.params["long_only"])
        self.confidence: Decimal = to_score(float(self.params["confidence"]))

    def on_context_assessment(self, context: TradingContext) -> OpportunitySignal | None:
        """Update both EMAs; signal on the bar where their order flips."""
        cross = self.cross
        sign = cross.update(context.bar.close)
        if sign == 0:
            return None
        fast, slow = cross.fast.value, cross.slow.value
        assert fast is not None and slow is not None  # a cross needs both warm
        return self._signal(context, up=sign > 0, fast=fast, slow=slow)

    def _signal(
        self, context: TradingContext, up: bool, fast: float, slow: float
    ) -> OpportunitySignal:
        """Golden cross → BUY ``ema_cross``; death cross → SELL ``exit_long`` with
        ``metadata.action = "close"`` in long-only mode, else SELL ``ema_cross``."""
        exit_long = not up and self.long_only
        metadata: dict[str, object] = {"fast_ema": fast, "slow_ema": slow}
        if exit_long:
            metadata["action"] = "close"
        return OpportunitySignal(
            signal_id=self.new_id("OPP"),
            timestamp=context.timestamp or context.bar.time,
            asset=context.symbol,
            direction="BUY" if up else "SELL",
            signal_type="exit_long" if exit_long else "ema_cross",
            confidence=self.confidence,
            source_worker_id=self.worker_id,
            metadata=metadata,
        )

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): one part of :meth:`batch_stream` over all
        the bars (one code path for both)."""
        return self.batch_stream().part(bars, upstream)

    def batch_stream(self) -> CrossStream:
        """The batch form a part at a time (stc.runtime.batch.BatchStream)."""
        return CrossStream(self.cross.fast.period, self.cross.slow.period)

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> OpportunitySignal | None:
        """The signal ``on_context_assessment`` returns on bar ``index``."""
        cross = output.at("cross", index)
        if cross == 0:
            return None
        fast = output.at("fast_ema", index)
        slow = output.at("slow_ema", index)
        return self._signal(context, up=cross > 0, fast=fast, slow=slow)


class CrossStream:
    """EMACrossDetector's batch form over consecutive parts of the bars: both EMAs in
    compiled loops; the cross is where the order's sign differs from the last non-zero
    sign before it, as ``EMACross`` decides bar by bar. Carried between parts: the two
    averages and that last non-zero sign. Memory: a byte a bar, and the EMAs kept only
    at the crosses (``present_only``)."""

    def __init__(self, fast: int, slow: int) -> None:
        import numpy as np

        from stc.runtime.indicator_columns import EMAParts

        self.fast = EMAParts(fast)
        self.slow = EMAParts(slow)
        self.last_sign = np.zeros(1, dtype=np.int8)  # the last non-zero sign so far (0: none)

    def part(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """The outputs over the next ``bars`` (a :data:`~stc.runtime.batch.CHUNK_BARS`
        slice at a time: the temporaries stay a slice's)."""
        import numpy as np

        from stc.runtime import batch
        from stc.runtime.batch import BatchOutput, present_only

        cross = np.zeros(len(bars), dtype=np.int8)
        fasts, slows = [np.zeros(0)], [np.zeros(0)]  # values at the crosses, slice by slice
        for start in range(0, len(bars), batch.CHUNK_BARS):
            closes = bars.close[start : start + batch.CHUNK_BARS]
            fast, slow = self.fast.next(closes), self.slow.next(closes)
            # the order's sign (0: equal, or an EMA still warming: NaN compares False)
            sign = (fast > slow).astype(np.int8) - (fast < slow).astype(np.int8)
            nonzero = np.flatnonzero(sign)
            signs = np.concatenate((self.last_sign, sign[nonzero]))
            flips = np.flatnonzero((signs[1:] != signs[:-1]) & (signs[:-1] != 0))
            at = nonzero[flips]
            cross[start + at] = signs[1:][flips]
            fasts.append(fast[at])
            slows.append(slow[at])
            self.last_sign = signs[-1:]
        present = cross != 0
        columns: dict[str, Any] = {"cross": cross}
        at_crosses = {"fast_ema": np.concatenate(fasts), "slow_ema": np.concatenate(slows)}
        columns.update(present_only(present, at_crosses))
        return BatchOutput(present=present, columns=columns)
