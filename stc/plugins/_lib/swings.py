"""Incremental fractal swing detection (no look-ahead).

A bar is a *swing high* when its high is strictly higher than the highs of the
``lookback`` bars before it and the ``lookback`` bars after it (a *swing low*
mirrors this with lows). A swing can therefore only be known ``lookback`` bars after
it happened: the detector reports it on that later bar, never earlier. It keeps a
buffer of ``2 * lookback + 1`` bars, so each update costs O(lookback).
"""

from __future__ import annotations

from collections import deque
from typing import Literal, NamedTuple

SwingKind = Literal["high", "low"]


class SwingPoint(NamedTuple):
    """A confirmed swing: which kind, its price, the bar position it happened on (0 =
    first bar fed), and an optional tag recorded with that bar (e.g. its RSI)."""

    kind: SwingKind
    price: float
    position: int
    tag: float | None = None


class _Candle(NamedTuple):
    high: float
    low: float
    position: int
    tag: float | None


class FractalSwingDetector:
    """Feeds bars one at a time and reports swings as they become confirmed."""

    __slots__ = ("_buffer", "_count", "_size", "lookback")

    def __init__(self, lookback: int) -> None:
        if lookback < 1:
            raise ValueError(f"lookback must be >= 1, got {lookback}")
        self.lookback = lookback
        self._size = 2 * lookback + 1
        self._buffer: deque[_Candle] = deque(maxlen=self._size)
        self._count = 0

    @property
    def bars_seen(self) -> int:
        """How many bars were fed so far (the next bar gets this index)."""
        return self._count

    def update(
        self, high: float, low: float, tag: float | None = None
    ) -> tuple[SwingPoint | None, SwingPoint | None]:
        """Add one bar; return the (swing high, swing low) confirmed by it, if any.

        Both refer to the bar ``lookback`` bars back: the only bar whose both sides
        have just become complete.
        """
        self._buffer.append(_Candle(high, low, self._count, tag))
        self._count += 1
        if len(self._buffer) < self._size:
            return None, None
        center = self._buffer[self.lookback]
        others = [c for i, c in enumerate(self._buffer) if i != self.lookback]
        swing_high = swing_low = None
        if all(center.high > c.high for c in others):
            swing_high = SwingPoint("high", center.high, center.position, center.tag)
        if all(center.low < c.low for c in others):
            swing_low = SwingPoint("low", center.low, center.position, center.tag)
        return swing_high, swing_low
