"""Direction of the last closed higher-timeframe bar (exercises resampling)."""

from __future__ import annotations

from dataclasses import dataclass

from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import ContextWorker


@dataclass(frozen=True, slots=True)
class HtfTrend:
    up: bool
    bar_time: str


class HtfContext(ContextWorker):
    def setup(self) -> None:
        self.timeframe = str(self.params.get("timeframe", "4h"))
        self.seen: list[tuple[str, str]] = []  # (tick time, last closed htf bar time)

    def on_tick(self, context: TradingContext) -> HtfTrend | None:
        window = context.window(self.timeframe)
        if not len(window):
            return None
        last = window.last
        self.seen.append((context.tick_bar.time.isoformat(), last.time.isoformat()))
        context.score("htf_up", 1.0 if last.close > last.open else 0.0, self.worker_id)
        return HtfTrend(last.close > last.open, last.time.isoformat())
