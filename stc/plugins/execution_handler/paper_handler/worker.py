"""PaperHandler: the backtest fill model, fed bar by bar in wall-clock time."""

from __future__ import annotations

from stc.runtime.execution.handler import SimulatedExecutionHandler


class PaperHandler(SimulatedExecutionHandler):
    """Phase 5 for paper trading.

    The fills are simulated exactly like :class:`BacktestHandler` (same venue, same
    injection through ``attach``); what differs is the feed: in a paper run the engine
    receives bars from ``stc.runtime.data.paced`` one tick-timeframe apart in wall-clock
    time, divided by the run's ``speed`` factor, so a decision is only ever filled
    against a bar that arrived after it.
    """
