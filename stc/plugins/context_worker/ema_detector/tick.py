"""The per-tick work of ``EMADetector``: fold the close into the EMAs, score the stack.

A module function apart from the detector because ``make native`` compiles it with the
runtime, and a worker class must stay an ordinary Python class: the compiler reads its
handlers' signatures, annotations and code (docs/decisions.md, "Session 13,
plugnative"). It draws no id (the id-draw analysis follows it in the pure build and
finds none; a compiled function it does not follow, and there is none to find).
"""

from __future__ import annotations

from stc.plugins.dtos import EMAValues
from stc.runtime.dtos.market import TradingContext
from stc.runtime.indicators import EMAStack


def ema_tick(stack: EMAStack, context: TradingContext, worker_id: str) -> EMAValues | None:
    """Update every EMA of ``stack`` with the bar's close and score ``trend_strength``;
    None until all are warm."""
    updated = stack.update(context.bar.close)
    if updated is None:
        return None
    values, strength = updated
    context.score("trend_strength", strength, worker_id)
    return EMAValues(values)  # positional: a keyword costs ~0.25 µs a tick here
