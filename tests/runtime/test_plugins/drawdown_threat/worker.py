"""Threat when the ledger's drawdown exceeds ``max_drawdown``."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.ledger import LedgerSnapshot
from stc.runtime.dtos.signals import ThreatSignal
from stc.runtime.workers import ThreatWorker


class DrawdownThreat(ThreatWorker):
    def setup(self) -> None:
        self.max_drawdown = Decimal(str(self.params.get("max_drawdown", 0.001)))

    def on_ledger_update(self, snapshot: LedgerSnapshot) -> ThreatSignal | None:
        if snapshot.drawdown <= self.max_drawdown:
            return None
        return ThreatSignal(
            threat_id=self.new_id("THR"),
            timestamp=snapshot.timestamp,
            threat_type="drawdown",
            severity=min(Decimal(1), snapshot.drawdown * 10),
            source_worker_id=self.worker_id,
        )
