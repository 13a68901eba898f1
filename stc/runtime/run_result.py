"""What a run produced: the engine's result and the faults that aborted flows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from stc.runtime.data import GapCounter
from stc.runtime.dtos.ledger import Trade
from stc.runtime.metrics import MetricsStream


@dataclass(frozen=True)
class Fault:
    """A plugin exception that aborted one flow."""

    flow_id: int
    worker: str
    tick_time: str
    error: str
    traceback: str


@dataclass(frozen=True)
class EngineResult:
    """What a finished run produced."""

    trades: Sequence[Trade]  # a TradeLog (compact; items are rebuilt on access); kept history
    equity_curve: Sequence[float]  # an array('d'): one float per bar; kept history
    times: tuple[datetime, ...]  # (first, last) bar time: the span, for annualising
    exposed_bars: int
    faults: tuple[Fault, ...]
    starting_capital: float
    tick_timeframe: str
    gaps: GapCounter | None = None
    bad_bars_skipped: int = 0
    metrics: MetricsStream | None = None  # fed bar by bar: the metrics without the history


EngineMode = Literal["fast", "incremental"]
"""Which engine runs a plan: ``fast`` (batch forms and event skipping) or ``incremental``
(every worker called on every bar: the default, and the reference the fast engine must
equal; docs/decisions.md, "Which engine is the default")."""
