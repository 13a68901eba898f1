"""Raises on the ticks listed in ``fail_at`` (ISO times); otherwise silent."""

from __future__ import annotations

from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import OpportunityWorker


class BoomOpportunity(OpportunityWorker):
    def setup(self) -> None:
        self.fail_at = set(self.params.get("fail_at", []))
        self.every = int(self.params.get("every", 0))
        self._n = 0

    def on_context_assessment(self, context: TradingContext) -> None:
        self._n += 1
        if context.bar.time.isoformat() in self.fail_at or (
            self.every and self._n % self.every == 0
        ):
            raise ValueError(f"boom at {context.bar.time.isoformat()}")
        return None

    def explode(self, payload: object) -> None:
        """Wired to any event in tests: raises on the ticks in ``fail_at``."""
        assert self.context is not None and self.context.timestamp is not None
        if self.context.timestamp.isoformat() in self.fail_at:
            raise RuntimeError(f"explode at {self.context.timestamp.isoformat()}")
