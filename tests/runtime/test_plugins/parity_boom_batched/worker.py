"""The reference EMA workers, raising on the bars whose ISO times are in ``fail_at``:
their handlers before updating their own EMAs (so the incremental state misses the
bar), their batch forms where ``result_at`` reads that bar. The batch form keeps its
contract: it marks those bars present, so the fast engine calls ``result_at`` where the
handler would raise."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np

from stc.plugins.context_worker.ema_detector.worker import EMADetector
from stc.plugins.opportunity_worker.ema_cross_detector.worker import EMACrossDetector
from stc.runtime.batch import BarArrays, BatchOutput
from stc.runtime.dtos.market import TradingContext


class _FaultAt:
    """The failing bars (handler side by time, batch side by epoch nanoseconds) and the
    batch form of the reference class after it in the MRO, marked at those bars."""

    params: dict[str, Any]

    def setup(self) -> None:
        super().setup()  # type: ignore[misc]
        times = [datetime.fromisoformat(t) for t in self.params.get("fail_at", [])]
        self.fail_iso = {t.isoformat() for t in times}
        self.fail_ns = np.array([int(t.timestamp()) * 10**9 for t in times], dtype=np.int64)
        self.inner_present: Any = None

    def _check(self, context: TradingContext) -> None:
        if context.bar.time.isoformat() in self.fail_iso:
            raise ValueError(f"boom at {context.bar.time.isoformat()}")

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        output: BatchOutput = super().batch(bars, upstream)  # type: ignore[misc]
        self.inner_present = output.present
        fail = np.isin(bars.time, self.fail_ns)
        return BatchOutput(present=output.present | fail, columns=output.columns,
                           factors=output.factors)  # fmt: skip

    def result_at(self, output: BatchOutput, index: int, context: TradingContext) -> Any:
        self._check(context)
        if not self.inner_present[index]:
            return None
        return super().result_at(output, index, context)  # type: ignore[misc]


class BoomEMADetector(_FaultAt, EMADetector):
    def on_tick(self, context: TradingContext) -> Any:
        self._check(context)
        return super().on_tick(context)


class BoomEMACross(_FaultAt, EMACrossDetector):
    def on_context_assessment(self, context: TradingContext) -> Any:
        self._check(context)
        return super().on_context_assessment(context)
