"""Shared building blocks of the reference plugins: incremental indicators, swing
detection and score helpers.

Everything here is O(1) (or O(lookback) for swings) per bar, because workers run on
every tick and must never recompute over a whole window.
"""

from __future__ import annotations

from decimal import Decimal

import stc.runtime as runtime  # noqa: F401  (first: its guard decides whether indicators load compiled)


def clamp01(value: float) -> float:
    """Clamp to 0..1; NaN becomes 0 so a degenerate input never leaks into a DTO."""
    if value != value:  # NaN
        return 0.0
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def to_score(value: float) -> Decimal:
    """A 0..1 float as a deterministic Decimal score (6 decimals).

    Going through ``str(round(...))`` keeps the Decimal independent of binary float
    noise, so identical runs journal identical confidences and severities.
    """
    return Decimal(str(round(clamp01(value), 6)))
