"""EMACrossDetector: fast/slow EMA crossover, the simplest trend strategy's signal.

It runs its own incremental EMAs so that it works without EMADetector. A cross is a
change of sign of (fast − slow) against the last *non-zero* sign, so touching without
crossing never fires.
"""

from __future__ import annotations

from decimal import Decimal

from stc.plugins._lib import to_score
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.indicators import EMACross
from stc.runtime.workers import OpportunityWorker


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
