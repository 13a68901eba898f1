"""What a worker on a higher timeframe leaves visible between its bars (issue 19).

A context worker declared on timeframe T runs only on the ticks where a bar of T
closes (docs/runtime.md, "Multiple timeframes"). On the ticks in between, the workers
after it still need its result, so the engine replays its last output into the
tick's context: the DTO it last returned and the factors it last scored.
"""

from __future__ import annotations

from typing import Any

from stc.runtime.dtos.market import TradingContext


class Frame:
    """The timeframe a context worker is driven by and its last output."""

    __slots__ = ("factors", "held", "timeframe", "worker")

    def __init__(self, timeframe: str, worker: str) -> None:
        self.timeframe = timeframe
        self.worker = worker
        self.held: Any = None  # the DTO of its last call (None: it returned nothing)
        self.factors: dict[str, tuple[float, str, str]] = {}

    def keep(self, result: Any, context: TradingContext) -> None:
        """Remember the last call's DTO (None for no result or an envelope) and the
        factors it scored in ``context``."""
        self.held = result
        worker = self.worker
        self.factors = {k: v for k, v in context.factors.items() if v[2] == worker}

    def replay(self, context: TradingContext) -> None:
        """Make the last output visible on a tick where no bar of the timeframe closed."""
        if self.held is not None:
            context.provide(self.held)
        if self.factors:
            context.factors.update(self.factors)
