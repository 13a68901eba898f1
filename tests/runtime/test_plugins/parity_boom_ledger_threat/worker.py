"""A threat worker on ``LEDGER_UPDATE`` that raises on its ``every``-th call: the fault
aborts the flow before the context chain (after a fill), so every per-bar worker of
that tick misses the bar in the incremental engine."""

from __future__ import annotations

from stc.runtime.dtos.ledger import LedgerSnapshot
from stc.runtime.workers import ThreatWorker


class BoomLedgerThreat(ThreatWorker):
    def setup(self) -> None:
        self.every = int(self.params.get("every", 1))
        self.calls = 0

    def on_ledger_update(self, snapshot: LedgerSnapshot) -> None:
        self.calls += 1
        if self.calls % self.every == 0:
            raise ValueError(f"boom on ledger update {self.calls}")
