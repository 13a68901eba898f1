"""The report's price pass over columns: what :class:`~stc.runtime.report.prices.EquityStream`
computes bar by bar, computed block by block with numpy, bit for bit the same.

``stc run`` spent as long on the report as on the engine (3.3 of 7.3 s at 200k bars):
the row reader built a ``Bar`` per row and the stream settled each in Python. Here the
market data is read as columns, one block of the columnar CSV reader at a time (about
70k rows: memory stays bounded as the stream's was), and each block is settled at once:

* the trades open on each bar come from a walk over the trade *events* only (entries
  and exits, found by ``searchsorted``), which replays the stream's heap exactly; the
  bars between two events share one set of open trades, in the heap's list order;
* a bar's equity is ``realised + marked₀ + marked₁ + …`` summed in that order, one
  numpy operation per open position, so every float equals the stream's ``sum``;
* candles, lines and drawdown go through the same decimators' ``push_many``;
  month ends are where the calendar month of a bar changes.

A file the columnar reader does not take (another CSV shape, gzip, a bad row, Parquet
without pyarrow), or a time past 2^53 microseconds, gives None: the caller then streams
rows through :class:`EquityStream`, which also serves the tests as the oracle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stc.runtime.report.prices import OpenTrade, OpenTrades, PriceSummary, Summaries

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Floats = NDArray[np.float64]

BLOCK_ROWS = 16_384
"""Bars settled at a time when the columns come whole (Parquet): bounds the temporaries."""
BLOCK_BYTES = 1 << 19
"""Bytes of CSV parsed at a time (about 9k rows): the columnar reader's temporaries are
some 14 bytes a byte, so its default 4 MB blocks would add ~55 MB to ``stc run``'s peak;
half a megabyte adds ~7 MB and parses as fast (measured in docs/performance.md)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EXACT_MICROSECONDS = 2**53
"""Times below this many microseconds from the epoch convert to float seconds exactly
as ``datetime.timestamp`` does (one correctly rounded division of exact numbers)."""


class Unsettled(Exception):
    """The columns cannot give the stream's numbers (the caller streams rows)."""


class ColumnPass:
    """Feeds blocks of bars; settles each bar once the next one's time is known."""

    def __init__(self, np: Any, trades: list[OpenTrade], start: float) -> None:
        self.np = np
        self.trades = OpenTrades(trades, start)
        self.start = start
        self.held: tuple[Any, ...] | None = None  # the last bar, as 1-row columns
        self.sums = Summaries()
        self.first_close = 0.0
        self.first_time: datetime | None = None

    def push(self, time: Any, o: Floats, h: Floats, low: Floats, c: Floats, v: Floats) -> None:
        """The next bars (``time`` in epoch nanoseconds, strictly after the last)."""
        np = self.np
        if len(time) == 0:
            return
        if self.held is None:
            self.first_close, self.first_time = float(c[0]), _datetime(int(time[0]))
        columns = (time, o, h, low, c, v)
        if self.held is not None:
            columns = tuple(np.concatenate((a, b)) for a, b in zip(self.held, columns, strict=True))
        self.held = tuple(a[-1:].copy() for a in columns)
        stamps = _seconds(np, columns[0])
        self._settle(columns, stamps[:-1], stamps[1:])

    def finish(self) -> PriceSummary | None:
        if self.held is None or self.first_time is None:
            return None
        self._settle(self.held, _seconds(self.np, self.held[0]), self.np.array([float("inf")]))
        last = (_datetime(int(self.held[0][0])), float(self.held[4][0]))
        return self.sums.summary((self.first_time, self.first_close), last, self.start)

    def _settle(self, columns: tuple[Any, ...], stamps: Floats, until: Floats) -> None:
        """Bar ``i`` of ``columns`` holds every time before ``until[i]`` not held by an
        earlier bar (``stamps``: the bars' own times in seconds; one fewer row than
        ``columns`` when its last bar is held for the next block)."""
        np = self.np
        count = len(stamps)
        if count == 0:
            return
        time, o, h, low, c, v = (a[:count] for a in columns)
        value = self._equity(c, until)
        self.sums.candles.push_many(stamps, o, h, low, c, v)
        self.sums.equity.push_many(stamps, value)
        held = self.start * c / self.first_close if self.first_close else np.full(count, self.start)
        self.sums.buy_hold.push_many(stamps, held)
        self._months(time, value)

    def _equity(self, close: Floats, until: Floats) -> Floats:
        """Each bar's equity: the realised P&L plus every open trade marked at the
        close, summed in the order of the stream's heap."""
        np = self.np
        starts, realised, opened = self._segments(until)
        segment = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(until))))
        total = np.zeros(len(until))
        for position in range(max(map(len, opened), default=0)):
            rows = [t[position] if position < len(t) else None for t in opened]
            has = np.array([t is not None for t in rows])[segment]
            sign, price, size, fee = (
                np.array([getattr(t, name) if t else 0.0 for t in rows])[segment]
                for name in ("sign", "price", "size", "entry_fee")
            )
            total = total + np.where(has, sign * (close - price) * size - fee, 0.0)
        value: Floats = np.asarray(realised)[segment] + total
        return value

    def _segments(self, until: Floats) -> tuple[Any, list[float], list[list[OpenTrade]]]:
        """Where the open trades change: the first bar of each stretch, its realised
        P&L and its open trades in heap order."""
        np, trades = self.np, self.trades
        starts, realised, opened = [0], [trades.realised], [trades.open()]
        bar = int(np.searchsorted(until, trades.next_change(), side="right"))
        while bar < len(until):
            trades.advance(float(until[bar]))
            if starts[-1] == bar:
                starts.pop(), realised.pop(), opened.pop()
            starts.append(bar)
            realised.append(trades.realised)
            opened.append(trades.open())
            bar = int(np.searchsorted(until, trades.next_change(), side="right"))
        return np.array(starts), realised, opened

    def _months(self, time: Any, value: Floats) -> None:
        """Month ends: the equity of the last bar of each calendar month (UTC)."""
        np = self.np
        months = time.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
        monthly = self.sums.monthly
        if monthly.base is None:
            monthly.base = float(value[0])
        carried = months[0] if monthly.month is None else _month_index(monthly.month)
        before = np.concatenate(([carried], months[:-1]))
        for i in np.flatnonzero(months != before).tolist():
            if i > 0:
                monthly.ends.append((*_year_month(int(months[i - 1])), float(value[i - 1])))
            elif monthly.month is not None:
                monthly.ends.append((*monthly.month, monthly.last))
        monthly.month, monthly.last = _year_month(int(months[-1])), float(value[-1])


def _month_index(month: tuple[int, int]) -> int:
    return (month[0] - 1970) * 12 + month[1] - 1


def _year_month(index: int) -> tuple[int, int]:
    return 1970 + index // 12, index % 12 + 1


def _seconds(np: Any, time: Any) -> Floats:
    """Epoch nanoseconds (whole microseconds) as ``datetime.timestamp`` floats."""
    micro = time // 1000
    if len(micro) and int(np.abs(micro).max()) >= _EXACT_MICROSECONDS:
        raise Unsettled("a time too far from 1970 for an exact float")
    seconds: Floats = micro.astype(np.float64) / 1e6
    return seconds


def _datetime(nanoseconds: int) -> datetime:
    return _EPOCH + timedelta(microseconds=nanoseconds // 1000)


def column_blocks(path: Path, np: Any) -> Iterator[tuple[Any, ...]] | None:
    """The bars of ``path`` as blocks of columns, exactly the row reader's bars; None
    when the columnar reader does not take the file (the row reader then runs).

    A CSV is read one block at a time; a block it cannot take, or one not good
    (:func:`~stc.runtime.data_columns.good_columns`, times increasing across blocks),
    raises :class:`Unsettled` part way, and the caller starts again with rows."""
    from stc.runtime.data_columns import good_columns, read_bar_arrays
    from stc.runtime.data_csv_columns import csv_blocks
    from stc.runtime.data_parquet import is_parquet

    if not path.is_file() or path.suffix.lower() == ".gz":
        return None
    if is_parquet(path):
        arrays = read_bar_arrays(path)
        if arrays is None:
            return None
        whole = (arrays.time, arrays.open, arrays.high, arrays.low, arrays.close, arrays.volume)
        return (
            tuple(a[i : i + BLOCK_ROWS] for a in whole) for i in range(0, len(arrays), BLOCK_ROWS)
        )

    def checked() -> Iterator[tuple[Any, ...]]:
        last = None
        for block in csv_blocks(path, np, BLOCK_BYTES):
            if (
                block is None
                or not good_columns(block, np)
                or (last is not None and not block[0][0] > last)
            ):
                raise Unsettled("not a file the columnar reader takes whole")
            last = block[0][-1]
            yield block

    return checked()


def summarise_blocks(
    np: Any, blocks: Iterable[tuple[Any, ...]], trades: list[OpenTrade], start: float
) -> PriceSummary | None:
    """The price pass over ``blocks`` of columns already read (the run's own bars,
    :mod:`stc.runtime.report.spill`); None when the columns cannot give it (no bars,
    a time too far from 1970): the caller then reads the file."""
    try:
        stream = ColumnPass(np, trades, start)
        for block in blocks:
            stream.push(*block)
        return stream.finish()
    except Unsettled:
        return None


def summarise_columns(path: Path, trades: list[OpenTrade], start: float) -> PriceSummary | None:
    """The price pass over ``path``'s columns; None when the columns cannot give it
    (no numpy, a file or a row only the row reader takes, no bars)."""
    from stc.runtime.data_columns import numpy_module

    np = numpy_module()
    if np is None:
        return None
    try:
        blocks = column_blocks(path, np)
        if blocks is None:
            return None
        stream = ColumnPass(np, trades, start)
        for block in blocks:
            stream.push(*block)
        return stream.finish()
    except (Unsettled, OSError, ValueError):  # the row reader reads it, or says why
        return None
