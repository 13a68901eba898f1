"""Bounded, streaming summaries of long series: what the report draws, whatever the run's length.

A report must stay small and cheap however many bars a run has (issue 27: memory flat
in the length of the data; issue 23: a 1M-bar report under 5 MB). Both summaries here
take one value at a time, hold at most a fixed number of buckets and never look back:

* :class:`CandleDecimator` aggregates bars into at most ``MAX_CANDLES`` candles the way
  a chart's higher timeframe does (first open, max high, min low, last close, summed
  volume). A bucket holds ``width`` consecutive bars; when the buckets would exceed the
  limit, adjacent pairs merge and ``width`` doubles — so the length need not be known
  in advance, and a run of at most ``MAX_CANDLES`` bars is drawn bar for bar.
* :class:`ExtremeDecimator` keeps, per bucket of a line (equity, buy-and-hold), the
  point of its minimum and of its maximum, plus the very first and last points, so a
  spike or a crash survives any zoom level. It also tracks the running peak and the
  deepest drawdown exactly and keeps those two points, so the report's drawdown chart
  shows the true maximum drawdown even when the two fall into one bucket.

Everything the report *computes* (returns, buy-and-hold, monthly returns) is computed
from the full stream, never from these summaries.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CANDLES = 5000
"""Most candles a report draws; longer runs are aggregated to at most this many."""
MAX_LINE_BUCKETS = 2000
"""Most buckets of a line (two points each: its minimum and its maximum)."""


@dataclass
class Candle:
    """One drawn candle: ``bars`` consecutive bars aggregated (``time`` of the first)."""

    time: float
    open: float
    high: float
    low: float
    close: float
    volume: float
    bars: int = 1

    def absorb(self, other: Candle) -> None:
        """Extend this candle by the next one (which starts after it)."""
        self.high = max(self.high, other.high)
        self.low = min(self.low, other.low)
        self.close = other.close
        self.volume += other.volume
        self.bars += other.bars


class CandleDecimator:
    """At most ``limit`` candles over a stream of bars, by OHLC aggregation."""

    def __init__(self, limit: int = MAX_CANDLES) -> None:
        if limit < 2:
            raise ValueError("a candle decimator needs a limit of at least 2")
        self.limit = limit
        self.width = 1
        self.candles: list[Candle] = []
        self.count = 0

    def push(self, time: float, o: float, h: float, low: float, c: float, v: float) -> None:
        """Add the next bar (times ascending)."""
        self.count += 1
        candle = Candle(time, o, h, low, c, v)
        if self.candles and len(self.candles) == self.limit and self.candles[-1].bars == self.width:
            self._halve()
        if self.candles and self.candles[-1].bars < self.width:
            self.candles[-1].absorb(candle)
        else:
            self.candles.append(candle)

    def _halve(self) -> None:
        """Merge adjacent pairs of candles: the bucket width doubles."""
        merged: list[Candle] = []
        for i in range(0, len(self.candles), 2):
            first = self.candles[i]
            if i + 1 < len(self.candles):
                first.absorb(self.candles[i + 1])
            merged.append(first)
        self.candles = merged
        self.width *= 2


@dataclass(frozen=True)
class Point:
    """One point of a line: its position in the stream, time and value."""

    index: int
    time: float
    value: float


class ExtremeDecimator:
    """The minimum and maximum of each bucket of a line, plus first, last and max drawdown."""

    def __init__(self, limit: int = MAX_LINE_BUCKETS) -> None:
        if limit < 2:
            raise ValueError("an extreme decimator needs a limit of at least 2")
        self.limit = limit
        self.width = 1
        self.buckets: list[tuple[Point, Point, int]] = []  # (min, max, values in bucket)
        self.count = 0
        self.first: Point | None = None
        self.last: Point | None = None
        self.peak: Point | None = None
        self.drawdown = 0.0
        self.drawdown_pair: tuple[Point, Point] | None = None

    def push(self, time: float, value: float) -> None:
        """Add the next value (times ascending)."""
        point = Point(self.count, time, value)
        self.count += 1
        self.first = self.first or point
        self.last = point
        self._track_drawdown(point)
        if self.buckets and len(self.buckets) == self.limit and self.buckets[-1][2] == self.width:
            self._halve()
        if self.buckets and self.buckets[-1][2] < self.width:
            low, high, size = self.buckets[-1]
            low = point if value < low.value else low
            high = point if value > high.value else high
            self.buckets[-1] = (low, high, size + 1)
        else:
            self.buckets.append((point, point, 1))

    def _track_drawdown(self, point: Point) -> None:
        if self.peak is None or point.value > self.peak.value:
            self.peak = point
            return
        if self.peak.value > 0:
            depth = point.value / self.peak.value - 1.0
            if depth < self.drawdown:
                self.drawdown, self.drawdown_pair = depth, (self.peak, point)

    def _halve(self) -> None:
        merged: list[tuple[Point, Point, int]] = []
        for i in range(0, len(self.buckets), 2):
            low, high, size = self.buckets[i]
            if i + 1 < len(self.buckets):
                low2, high2, size2 = self.buckets[i + 1]
                low = low2 if low2.value < low.value else low
                high = high2 if high2.value > high.value else high
                size += size2
            merged.append((low, high, size))
        self.buckets = merged
        self.width *= 2

    def points(self) -> list[Point]:
        """The kept points in stream order, each once."""
        kept: dict[int, Point] = {}
        for low, high, _ in self.buckets:
            kept[low.index] = low
            kept[high.index] = high
        for extra in (self.first, self.last, *(self.drawdown_pair or ())):
            if extra is not None:
                kept[extra.index] = extra
        return [kept[i] for i in sorted(kept)]
