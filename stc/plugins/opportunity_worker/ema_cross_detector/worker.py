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
from stc.plugins.opportunity_worker.ema_cross_detector.cross_signal import cross_signal
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
        ``metadata.action = "close"`` in long-only mode, else SELL ``ema_cross``
        (built by the compiled ``cross_signal``; the id is drawn here)."""
        return cross_signal(
            self.new_id("OPP"),
            context.timestamp or context.bar.time,
            context.symbol,
            up,
            fast,
            slow,
            self.long_only,
            self.confidence,
            self.worker_id,
        )

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): both EMAs in compiled loops, a part of the
        bars at a time; the cross is where the order's sign differs from the last
        non-zero sign before it, as ``EMACross`` decides bar by bar. Memory: a byte a
        bar, and the EMAs kept only at the crosses (``present_only``)."""
        import numpy as np

        from stc.runtime.batch import CHUNK_BARS, BatchOutput, present_only
        from stc.runtime.indicator_series import ema_chunk

        fast_period, slow_period = self.cross.fast.period, self.cross.slow.period
        cross = np.zeros(len(bars), dtype=np.int8)
        fasts, slows = [np.zeros(0)], [np.zeros(0)]  # values at the crosses, part by part
        fast_value = slow_value = 0.0
        last_sign = np.zeros(1, dtype=np.int8)  # the last non-zero sign so far (0: none)
        for start in range(0, len(bars), CHUNK_BARS):
            closes = bars.close[start : start + CHUNK_BARS].tolist()
            fast_part, fast_value = ema_chunk(closes, fast_period, start, fast_value)
            slow_part, slow_value = ema_chunk(closes, slow_period, start, slow_value)
            fast, slow = np.array(fast_part), np.array(slow_part)
            # the order's sign (0: equal, or an EMA still warming: NaN compares False)
            sign = (fast > slow).astype(np.int8) - (fast < slow).astype(np.int8)
            nonzero = np.flatnonzero(sign)
            signs = np.concatenate((last_sign, sign[nonzero]))
            flips = np.flatnonzero((signs[1:] != signs[:-1]) & (signs[:-1] != 0))
            at = nonzero[flips]
            cross[start + at] = signs[1:][flips]
            fasts.append(fast[at])
            slows.append(slow[at])
            last_sign = signs[-1:]
        present = cross != 0
        columns: dict[str, Any] = {"cross": cross}
        at_crosses = {"fast_ema": np.concatenate(fasts), "slow_ema": np.concatenate(slows)}
        columns.update(present_only(present, at_crosses))
        return BatchOutput(present=present, columns=columns)

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
