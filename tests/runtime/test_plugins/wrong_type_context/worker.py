"""Returns a ``str`` (not a DTO) from ``on_tick`` on the ticks in ``fail_at``."""

from __future__ import annotations

from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import ContextWorker


class WrongTypeContext(ContextWorker):
    def setup(self) -> None:
        self.fail_at = set(self.params.get("fail_at", []))

    def on_tick(self, context: TradingContext) -> object:
        if context.bar.time.isoformat() in self.fail_at:
            return "trend looks up"
        return None
