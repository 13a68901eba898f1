"""Close crossing its SMA: BUY on a cross up, SELL on a cross down (if allowed)."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.workers import OpportunityWorker


class CrossOpportunity(OpportunityWorker):
    def setup(self) -> None:
        self.allow_short = bool(self.params.get("allow_short", False))

    def on_context_assessment(self, context: TradingContext) -> OpportunitySignal | None:
        sma = context.dtos.get("SmaValue")
        if sma is None or sma.prev_sma is None:
            return None
        close = context.close
        up = sma.prev_close <= sma.prev_sma and close > sma.sma
        down = sma.prev_close >= sma.prev_sma and close < sma.sma
        if not up and not (down and self.allow_short):
            return None
        distance = min(1.0, abs(close - sma.sma) / sma.sma * 400)
        confidence = Decimal(f"{0.5 + 0.5 * distance:.4f}")
        return OpportunitySignal(
            signal_id=self.new_id("OPP"),
            timestamp=context.bar.time,
            asset=context.symbol,
            direction="BUY" if up else "SELL",
            signal_type="sma_cross",
            confidence=confidence,
            source_worker_id=self.worker_id,
        )
