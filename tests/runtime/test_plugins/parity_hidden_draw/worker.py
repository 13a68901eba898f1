"""EMADetector drawing an id in its handler through a computed attribute name: what
reading the code cannot see (``stc.compiler.id_draws``), the runtime must refuse."""

from __future__ import annotations

from typing import Any

from stc.plugins.context_worker.ema_detector.worker import EMADetector
from stc.runtime.dtos.market import TradingContext


class HiddenDrawEMA(EMADetector):
    def on_tick(self, context: TradingContext) -> Any:
        draw = getattr(self, "new" + "_id")
        draw("CTX")
        return super().on_tick(context)
