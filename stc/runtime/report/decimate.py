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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Floats = NDArray[np.float64]

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

    def push_many(
        self, time: Floats, o: Floats, h: Floats, low: Floats, c: Floats, v: Floats
    ) -> None:
        """Add the next bars, as :meth:`push` of each in turn would (bit for bit: a
        bucket's volume is summed in arrival order, its halvings merge as there)."""
        import numpy as np

        done, n = 0, len(time)
        self.count += n
        while done < n:
            if len(self.candles) == self.limit and self.candles[-1].bars == self.width:
                self._halve()
            last = self.candles[-1] if self.candles else None
            if last is not None and last.bars < self.width:
                stop = min(done + self.width - last.bars, n)
                for bar in zip(
                    *(a[done:stop].tolist() for a in (time, o, h, low, c, v)), strict=True
                ):
                    last.absorb(Candle(*bar))  # one at a time: the volume's order
                done = stop
                continue
            stop = min(n, done + (self.limit - len(self.candles)) * self.width)
            whole = done + (stop - done) // self.width * self.width
            if whole > done:
                self.candles += _candles(np, self.width, *(
                    a[done:whole] for a in (time, o, h, low, c, v)
                ))  # fmt: skip
            if stop > whole:
                self.candles.append(_candle(time, o, h, low, c, v, slice(whole, stop)))
            done = stop

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


def _candle(
    time: Floats, o: Floats, h: Floats, low: Floats, c: Floats, v: Floats, part: slice
) -> Candle:
    """One candle of the bars ``part`` (the volume summed in order, as absorbing does)."""
    volume = 0.0
    for i, value in enumerate(v[part].tolist()):
        volume = value if i == 0 else volume + value
    return Candle(
        float(time[part.start]), float(o[part.start]), float(h[part].max()),
        float(low[part].min()), float(c[part.stop - 1]), volume, part.stop - part.start,
    )  # fmt: skip


def _candles(
    np: Any, width: int, time: Floats, o: Floats, h: Floats, low: Floats, c: Floats, v: Floats
) -> list[Candle]:
    """Whole candles of ``width`` bars each (``len(time)`` a multiple of ``width``); a
    candle's volume is the running sum of its bars (``add.accumulate`` is sequential)."""
    rows = len(time) // width
    shape = (rows, width)
    volume = np.add.accumulate(v.reshape(shape), axis=1)[:, -1]
    return list(map(
        Candle, time[::width].tolist(), o[::width].tolist(), h.reshape(shape).max(1).tolist(),
        low.reshape(shape).min(1).tolist(), c[width - 1 :: width].tolist(), volume.tolist(),
        [width] * rows,
    ))  # fmt: skip


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

    def push_many(self, time: Floats, value: Floats) -> None:
        """Add the next values, as :meth:`push` of each in turn would: a bucket keeps the
        first point of its minimum and of its maximum (``argmin``/``argmax`` give the
        first), the drawdown its first deepest point. A non-finite value (which no
        comparison orders) takes :meth:`push` itself."""
        import numpy as np

        if not bool(np.isfinite(value).all()):
            for when, number in zip(time.tolist(), value.tolist(), strict=True):
                self.push(when, number)
            return
        base, n = self.count, len(value)
        if n == 0:
            return
        self._track_drawdown_many(np, time, value)
        self.count += n
        self.first = self.first or Point(base, float(time[0]), float(value[0]))
        self.last = Point(base + n - 1, float(time[-1]), float(value[-1]))
        done = 0
        while done < n:
            if len(self.buckets) == self.limit and self.buckets[-1][2] == self.width:
                self._halve()
            if self.buckets and self.buckets[-1][2] < self.width:
                stop = min(done + self.width - self.buckets[-1][2], n)
                low, high, size = self.buckets[-1]
                part_low, part_high, _ = self._bucket(np, base, time, value, done, stop)
                low = part_low if part_low.value < low.value else low
                high = part_high if part_high.value > high.value else high
                self.buckets[-1] = (low, high, size + stop - done)
                done = stop
                continue
            stop = min(n, done + (self.limit - len(self.buckets)) * self.width)
            whole = done + (stop - done) // self.width * self.width
            if whole > done:
                self.buckets += self._buckets(np, base, time, value, done, whole)
            if stop > whole:
                self.buckets.append(self._bucket(np, base, time, value, whole, stop))
            done = stop

    def _bucket(
        self, np: Any, base: int, time: Floats, value: Floats, start: int, stop: int
    ) -> tuple[Point, Point, int]:
        """The bucket of the values ``start:stop``."""
        low = start + int(np.argmin(value[start:stop]))
        high = start + int(np.argmax(value[start:stop]))
        return (
            Point(base + low, float(time[low]), float(value[low])),
            Point(base + high, float(time[high]), float(value[high])),
            stop - start,
        )

    def _buckets(
        self, np: Any, base: int, time: Floats, value: Floats, start: int, stop: int
    ) -> list[tuple[Point, Point, int]]:
        """Whole buckets of ``width`` values over ``start:stop``."""
        width = self.width
        block = value[start:stop].reshape(-1, width)
        offsets = start + np.arange(len(block)) * width
        lows, highs = offsets + block.argmin(1), offsets + block.argmax(1)
        return [
            (Point(base + lo, t_lo, v_lo), Point(base + hi, t_hi, v_hi), width)
            for lo, t_lo, v_lo, hi, t_hi, v_hi in zip(
                lows.tolist(), time[lows].tolist(), value[lows].tolist(),
                highs.tolist(), time[highs].tolist(), value[highs].tolist(), strict=True,
            )
        ]  # fmt: skip

    def _track_drawdown_many(self, np: Any, time: Floats, value: Floats) -> None:
        """:meth:`_track_drawdown` over finite values: the peak before each value is the
        running maximum (a peak moves only to a strictly higher value, so its point is
        the last strictly higher one), the drawdown the first deepest ``value/peak - 1``."""
        base = self.count
        before = np.maximum.accumulate(
            np.concatenate(([self.peak.value if self.peak else -np.inf], value[:-1]))
        )
        rises = value > before
        with np.errstate(divide="ignore", invalid="ignore"):
            depth = np.where(~rises & (before > 0), value / before - 1.0, np.inf)
        deepest = int(np.argmin(depth))
        if depth[deepest] < self.drawdown:
            higher = np.flatnonzero(rises[:deepest])
            peak = self._point(base, time, value, int(higher[-1])) if len(higher) else self.peak
            assert peak is not None  # a finite depth has a peak before it
            self.drawdown = float(depth[deepest])
            self.drawdown_pair = (peak, self._point(base, time, value, deepest))
        last_rise = np.flatnonzero(rises)
        if len(last_rise):
            self.peak = self._point(base, time, value, int(last_rise[-1]))

    @staticmethod
    def _point(base: int, time: Floats, value: Floats, i: int) -> Point:
        return Point(base + i, float(time[i]), float(value[i]))

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
