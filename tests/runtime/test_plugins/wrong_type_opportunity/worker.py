"""On the ticks in ``fail_at`` returns what an opportunity worker must not: a ``dict``
(``returns: dict``) or a ThreatSignal (``returns: threat``)."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import ThreatSignal
from stc.runtime.workers import OpportunityWorker


class WrongTypeOpportunity(OpportunityWorker):
    def setup(self) -> None:
        self.fail_at = set(self.params.get("fail_at", []))
        self.returns = str(self.params.get("returns", "dict"))

    def on_context_assessment(self, context: TradingContext) -> object:
        if context.bar.time.isoformat() not in self.fail_at:
            return None
        if self.returns == "threat":
            return ThreatSignal(
                threat_id=self.new_id("THR"), timestamp=context.bar.time,
                threat_type="confused", severity=Decimal("0.5"),
            )  # fmt: skip
        return {"direction": "BUY", "confidence": 0.9}
