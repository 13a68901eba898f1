"""On the ticks in ``fail_at`` publishes its signal as ``event`` (default
``CUSTOM_ALERT``) although its manifest declares no ``publishes``."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.envelope import DispositionEnvelope
from stc.runtime.workers import OpportunityWorker


class UndeclaredEventOpportunity(OpportunityWorker):
    def setup(self) -> None:
        self.fail_at = set(self.params.get("fail_at", []))
        self.event = str(self.params.get("event", "CUSTOM_ALERT"))

    def on_context_assessment(self, context: TradingContext) -> DispositionEnvelope | None:
        if context.bar.time.isoformat() not in self.fail_at:
            return None
        signal = OpportunitySignal(
            signal_id=self.new_id("OPP"), timestamp=context.bar.time, asset=context.symbol,
            direction="BUY", signal_type="rumour", confidence=Decimal("0.9"),
        )  # fmt: skip
        return DispositionEnvelope.publish(self.event, signal)
