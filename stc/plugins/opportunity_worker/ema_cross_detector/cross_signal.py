"""The signal of ``EMACrossDetector``: one EMA cross as an OpportunitySignal.

A module function apart from the detector because ``make native`` compiles it with the
runtime, and a worker class must stay an ordinary Python class: the compiler reads its
handlers' signatures, annotations and code (docs/decisions.md, "Session 13,
plugnative"; the worker's ``_signal`` still draws the id, where the id-draw analysis
reads it). Session 14: the detector's per-signal work.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from stc.runtime.dtos.signals import OpportunitySignal


def cross_signal(
    signal_id: str,
    timestamp: datetime,
    asset: str,
    up: bool,
    fast: object,
    slow: object,
    long_only: bool,
    confidence: Decimal,
    worker_id: str,
) -> OpportunitySignal:
    """Golden cross → BUY ``ema_cross``; death cross → SELL ``exit_long`` with
    ``metadata.action = "close"`` in long-only mode, else SELL ``ema_cross``.
    ``fast``/``slow`` go into the metadata as given (``object``: the compiled build
    must not turn an int into a float on the way)."""
    exit_long = not up and long_only
    metadata: dict[str, object] = {"fast_ema": fast, "slow_ema": slow}
    if exit_long:
        metadata["action"] = "close"
    return OpportunitySignal(
        signal_id=signal_id,
        timestamp=timestamp,
        asset=asset,
        direction="BUY" if up else "SELL",
        signal_type="exit_long" if exit_long else "ema_cross",
        confidence=confidence,
        source_worker_id=worker_id,
        metadata=metadata,
    )
