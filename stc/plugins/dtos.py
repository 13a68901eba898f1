"""Context DTOs of the reference plugins, shared so that consumers can import them.

These are produced every tick, so they are frozen slotted dataclasses (cheap to
build) rather than validated pydantic models; their producers guarantee the ranges.
A plugin of your own may use either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Trend = Literal["up", "down", "none"]


@dataclass(frozen=True, slots=True)
class EMAValues:
    """Exponential moving averages of the close, by period (``values[20]``)."""

    values: dict[int, float]

    def __getitem__(self, period: int) -> float:
        return self.values[period]


@dataclass(frozen=True, slots=True)
class MarketStructure:
    """Swing structure at this tick (see docs/plugins.md for the definitions).

    ``bos``/``choch`` are True only on the bar where the break happens;
    ``break_direction`` says which way it broke ("up" breaks a swing high).
    """

    trend: Trend
    last_swing_high: float | None
    last_swing_low: float | None
    prev_swing_high: float | None
    prev_swing_low: float | None
    bos: bool
    choch: bool
    break_direction: Trend
    bars_since_break: int | None


@dataclass(frozen=True, slots=True)
class Regime:
    """Wilder ADX regime: ``trending`` when ADX ≥ the threshold, else ``ranging``."""

    regime: Literal["trending", "ranging"]
    adx: float
    plus_di: float
    minus_di: float


@dataclass(frozen=True, slots=True)
class ATRValues:
    """Wilder average true range, absolute and as a fraction of the close."""

    atr: float
    atr_pct: float
