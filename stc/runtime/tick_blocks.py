"""The fast engine's tick columns a block at a time (issue 23, memory).

Why: the fast loop read its data as whole columns (48 bytes a bar, 46 MB at 1M bars)
loaded before the run, and they set much of its peak. Here a standard CSV is read
twice as column blocks (:func:`stc.runtime.data_csv_columns.csv_blocks`), and never
held whole:

1. **The first pass** (:func:`scan_csv`) decides, before the engine starts, what the
   whole-column read decided: every row a good bar, the times strictly increasing
   (:func:`~stc.runtime.data_columns.good_columns` per block and across the blocks'
   edges), the rows counted. It shows each block to the report's spill as it reads it
   (``BarTap``) and builds each higher timeframe's closed bars, the tick each closed
   on and the tick each opened on (:func:`~stc.runtime.resample_columns.closed_part`,
   each block beginning with the ticks of the period still open), which the batch
   part, the skipped stretches' windows and ``frame_carry`` read ahead. A block the
   columns refuse ends it with None: the run then takes today's route (the whole
   columns refuse the same file, so the row reader streams it and the incremental loop
   runs it, with the same results and messages); a higher timeframe the columns
   decline (months, inexact extremes) also ends it, and the whole columns are read.
2. **The loop's pass** (:class:`BlockBars`): the loop asks for the ticks of its next
   block (:meth:`BlockBars.load`) when it reaches it, and the window keeps behind the
   block only what the loop can still read there: the previous tick (the gap count)
   and the ticks of each higher timeframe's period still open at the block's start
   (a skipped stretch restarts the resampler with them, ``HigherAhead.stretch``).

What is held: a block of ticks (``stream_blocks.BLOCK_BARS``) plus a CSV block read
ahead and that look-behind, whatever the data's length; each higher timeframe's closed
bars stay whole (a quarter of the ticks for 4h over 1h).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, overload, runtime_checkable

from stc.runtime.batch import BarArrays
from stc.runtime.batched import ArrayBars
from stc.runtime.data_blocks import BLOCK_BYTES, BarTap
from stc.runtime.data_columns import (
    bars_from_arrays,
    good_columns,
    numpy_module,
    read_bar_arrays,
)
from stc.runtime.data_csv_columns import BarColumns, csv_blocks
from stc.runtime.data_formats import CsvFormat
from stc.runtime.data_parquet import is_parquet
from stc.runtime.dtos.market import Bar
from stc.runtime.resample_columns import closed_periods, period_bars, period_starts

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@runtime_checkable
class Rereadable(Protocol):
    """A tap that gives back what it was shown (the report's spill,
    :class:`stc.runtime.report.spill.PriceSpill`)."""

    rows: int

    def rereadable(self) -> bool:
        """Whether :meth:`columns` can give every block back now."""

    def columns(self) -> Iterator[tuple[Any, ...]]:
        """The blocks shown, from the first, as columns."""


@dataclass(frozen=True)
class HigherFrame:
    """One higher timeframe's periods over the whole data, from the first pass (24
    bytes a closed bar; the bars themselves are built a block at a time)."""

    release: NDArray[np.int64]
    """The tick on which each bar closed."""
    opens: NDArray[np.int64]
    """The first tick at or after each bar's start (``HigherAhead.opens``)."""
    bounds: NDArray[np.int64]
    """The first tick of each closed bar's period, then that of the period left open
    (or the tick count): bar ``k``'s ticks are ``bounds[k]..bounds[k + 1] - 1``."""


class BlockBars(Sequence[Bar]):
    """The bars of a CSV the first pass accepted, as a sequence the fast loop reads a
    block at a time: a bar (or a run of bars) is served from the loaded window, the
    first and the last at any time; iterating reads the file again from its start (an
    engine that takes over from the first bar)."""

    def __init__(
        self,
        path: Path,
        np: Any,
        scan: _Scan,
        block_bytes: int,
        kept: Callable[[], Iterator[tuple[Any, ...]]] | None = None,
    ) -> None:
        self.path = path
        self.kept = kept
        """The first pass's blocks read back from where they were kept (the report's
        spill), or None: the CSV is parsed again."""
        self.np = np
        self.rows = scan.rows
        self.frames: dict[str, HigherFrame] = scan.frames
        self.timeframe = scan.timeframe
        self.block_bytes = block_bytes
        self.first, self.last = scan.first, scan.last
        self.base = 0
        """The index of the window's first tick."""
        self.window = BarArrays.empty(self.timeframe)
        """Ticks ``base..base + len(window) - 1`` as columns."""
        self.closed: dict[str, tuple[int, BarArrays]] = {
            tf: (0, BarArrays.empty(tf)) for tf in self.frames
        }
        """Higher timeframe → (the index of its first bar, the bars released in the
        loaded block)."""
        self._bars = ArrayBars(self.window)
        self._blocks: Iterator[BarColumns | None] | None = None

    def __len__(self) -> int:
        return self.rows

    def _read(self) -> Iterator[Any]:
        """The data's column blocks from its start: read back from the spill, or the
        CSV parsed again."""
        if self.kept is not None:
            return self.kept()
        return iter(csv_blocks(self.path, self.np, self.block_bytes, blank_lines=True))

    def __iter__(self) -> Iterator[Bar]:
        for block in self._read():
            if block is None:  # the file changed since the first pass accepted it
                raise ValueError(f"{self.path}: the data file changed during the run")
            if len(block[0]):
                yield from bars_from_arrays(BarArrays(self.timeframe, *block))

    @overload
    def __getitem__(self, index: int) -> Bar: ...

    @overload
    def __getitem__(self, index: slice) -> list[Bar]: ...

    def __getitem__(self, index: int | slice) -> Bar | list[Bar]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.rows)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            if stop <= start:
                return []
            self._check(start, stop)
            return self._bars[start - self.base : stop - self.base]
        if index < 0:
            index += self.rows
        if index == 0:
            return self.first
        if index == self.rows - 1:
            return self.last
        self._check(index, index + 1)
        return self._bars[index - self.base]

    def _check(self, start: int, stop: int) -> None:
        """IndexError unless ticks ``start..stop-1`` are in the window."""
        if start < self.base or stop > self.base + len(self.window):
            raise IndexError(
                f"ticks {start}..{stop - 1} are outside the loaded block "
                f"{self.base}..{self.base + len(self.window) - 1}"
            )

    def load(self, start: int, end: int) -> BarArrays:
        """The window moved to hold ticks ``start..end-1`` and what the loop may read
        behind them there (:meth:`keep_from`), reading the file on from where it was;
        returns it (its first tick is ``base``)."""
        keep = self.keep_from(start)
        if self._blocks is None or keep < self.base:  # (again) from the file's start
            self._blocks = self._read()
            self.base, self.window = 0, BarArrays.empty(self.timeframe)
        position = self.base + len(self.window)
        parts = [self._cut(keep - self.base)] if keep < position else []
        while position < end:
            block = next(self._blocks, None)
            if block is None:
                raise ValueError(f"{self.path}: the data file changed during the run")
            rows = len(block[0])
            if rows and position + rows > keep:
                parts.append(tuple(column[max(keep - position, 0) :] for column in block))
            position += rows
        self.base = keep
        self.window = _joined(self.np, self.timeframe, parts)
        self._bars = ArrayBars(self.window)
        for timeframe, frame in self.frames.items():
            self.closed[timeframe] = self._closed(timeframe, frame, start, end)
        return self.window

    def _closed(
        self, timeframe: str, frame: HigherFrame, start: int, end: int
    ) -> tuple[int, BarArrays]:
        """The bars of ``timeframe`` released on ticks ``start..end-1`` (from the window:
        their ticks begin at or after :meth:`keep_from`) and the index of the first."""
        lo, hi = int(frame.release.searchsorted(start)), int(frame.release.searchsorted(end))
        firsts = frame.bounds[lo:hi] - self.base
        lasts = frame.bounds[lo + 1 : hi + 1] - (self.base + 1)
        return lo, period_bars(self.window, timeframe, firsts, lasts)

    def _cut(self, offset: int) -> tuple[Any, ...]:
        """The window's columns from ``offset`` on."""
        w = self.window
        return (w.time[offset:], w.open[offset:], w.high[offset:], w.low[offset:],
                w.close[offset:], w.volume[offset:])  # fmt: skip

    def keep_from(self, start: int) -> int:
        """The first tick the loop may read in a block starting at ``start``: the tick
        before it (the gap count) and, for each higher timeframe, the first tick of its
        period open at ``start`` (a skipped stretch in the block restarts the resampler
        with that period's ticks; the periods opened later begin in the block)."""
        keep = max(start - 1, 0)
        for frame in self.frames.values():
            after = int(frame.release.searchsorted(start))
            if after < len(frame.opens):
                keep = min(keep, int(frame.opens.item(after)))
        return keep

    def release(self) -> None:
        """Let the window and the reader go."""
        self.window = BarArrays.empty(self.timeframe)
        self._bars = ArrayBars(self.window)
        self._blocks = None
        self.frames, self.closed = {}, {}

    def whole(self) -> BarArrays | None:
        """The whole columns (for a plan whose batch part needs the whole data)."""
        return read_bar_arrays(self.path, None, self.timeframe)


def _joined(np: Any, timeframe: str, parts: Sequence[tuple[Any, ...]]) -> BarArrays:
    """The parts' columns one after another (one array a column)."""
    if not parts:
        return BarArrays.empty(timeframe)
    if len(parts) == 1:
        return BarArrays(timeframe, *(np.ascontiguousarray(c) for c in parts[0]))
    return BarArrays(timeframe, *(np.concatenate(cs) for cs in zip(*parts, strict=True)))


@dataclass
class _Scan:
    """What the first pass found."""

    rows: int
    first: Bar
    last: Bar
    frames: dict[str, HigherFrame]
    timeframe: str


class _FrameParts:
    """One higher timeframe's periods found part by part: each part is the ticks of
    the period left open by the previous one, then the next block."""

    def __init__(self, timeframe: str, tick_timeframe: str) -> None:
        self.timeframe = timeframe
        self.tick_timeframe = tick_timeframe
        self.tail: tuple[Any, ...] = ()
        self.tail_base = 0
        """The first tick of the period left open (the next part's first)."""
        self.parts: list[tuple[Any, Any, Any]] = []
        self.previous_time: int | None = None
        """The time of the tick before the tail (None at the data's start)."""

    def add(self, np: Any, block: BarColumns, base: int) -> bool:
        """The block of ticks ``base..``; False when the columns decline the frame."""
        if self.tail:
            columns = tuple(np.concatenate((t, b)) for t, b in zip(self.tail, block, strict=True))
            start = self.tail_base
        else:
            columns, start = tuple(block), base
        ticks = BarArrays(self.tick_timeframe, *columns)
        found = closed_periods(ticks, self.timeframe, self.tick_timeframe)
        if found is None:
            return False
        firsts, release, open_from = found
        starts = period_starts(ticks.time[firsts], self.timeframe)
        opens = ticks.time.searchsorted(starts, side="left")
        earlier = self.previous_time
        if len(starts) and earlier is not None and opens.item(0) == 0 and earlier >= starts[0]:
            return False  # an earlier tick may be the bar's first at or after its start
        self.parts.append((firsts + start, release + start, opens.astype(np.int64) + start))
        if open_from > 0:
            self.previous_time = int(ticks.time[open_from - 1])
        self.tail = tuple(column[open_from:].copy() for column in columns)
        self.tail_base = start + open_from
        return True

    def frame(self, np: Any) -> HigherFrame:
        """The periods of every part, one array each."""

        def joined(k: int) -> Any:
            return np.concatenate([np.zeros(0, np.int64), *(p[k] for p in self.parts)])

        bounds = np.append(joined(0), self.tail_base).astype(np.int64, copy=False)
        frame = HigherFrame(joined(1).astype(np.int64, copy=False),
                            joined(2).astype(np.int64, copy=False), bounds)  # fmt: skip
        self.parts = []
        return frame


DECLINED = "declined"
"""What :func:`scan_csv` returns when a higher timeframe's closed bars are not built
from the columns (the whole columns are read instead)."""


def fast_columns(
    path: Path, fmt: CsvFormat | None, timeframes: Sequence[str], tap: BarTap | None = None
) -> BlockBars | BarArrays | None:
    """The fast engine's data: a standard CSV a block at a time (:func:`scan_csv`), any
    other file the columnar reader takes as whole columns, else None (the row reader
    streams it). ``tap`` is shown every bar when the result is not None."""
    path = Path(path)
    np = numpy_module()
    standard = not (np is None or fmt is not None or path.suffix.lower() == ".gz")
    if standard and path.is_file() and not is_parquet(path):
        found = scan_csv(path, np, timeframes, tap)
        if found != DECLINED:
            return found if isinstance(found, BlockBars) else None
    arrays = read_bar_arrays(path, fmt, timeframes[0])
    if arrays is not None and tap is not None:
        tap.push_block(arrays.time, arrays.open, arrays.high, arrays.low, arrays.close,
                       arrays.volume)  # fmt: skip
        tap.finish()
    return arrays


def scan_csv(
    path: Path,
    np: Any,
    timeframes: Sequence[str],
    tap: BarTap | None = None,
    block_bytes: int = 0,
) -> BlockBars | str | None:
    """The first pass over a standard CSV (``timeframes``: the tick timeframe first):
    a :class:`BlockBars` when every row is a good bar and every higher timeframe's
    closed bars are built, None when a row is not (the row reader's), ``DECLINED`` when
    a higher timeframe is not built from columns. The tap is restarted (for whoever
    reads the file next) unless a ``BlockBars`` is returned."""
    size = block_bytes or BLOCK_BYTES
    tick_tf = timeframes[0]
    parts = {tf: _FrameParts(tf, tick_tf) for tf in dict.fromkeys(timeframes[1:]) if tf != tick_tf}
    rows, last, first_bar, last_block = 0, None, None, None
    for block in csv_blocks(path, np, size, blank_lines=True):
        if block is None:
            return _refused(path, tap)
        if len(block[0]) == 0:
            continue
        if not good_columns(block, np) or (last is not None and not int(block[0][0]) > last):
            return _refused(path, tap)
        if tap is not None:
            tap.push_block(*block)
        if not all(frame.add(np, block, rows) for frame in parts.values()):
            _refused(path, tap)
            return DECLINED
        if first_bar is None:
            first_bar = ArrayBars(BarArrays(tick_tf, *block))[0]
        rows, last, last_block = rows + len(block[0]), int(block[0][-1]), block
    if first_bar is None or last_block is None:
        return _refused(path, tap)
    kept = None
    if tap is not None:
        tap.finish()
        if isinstance(tap, Rereadable) and tap.rereadable() and tap.rows == rows:
            kept = tap.columns
    frames = {tf: frame.frame(np) for tf, frame in parts.items()}
    last_bar = ArrayBars(BarArrays(tick_tf, *last_block))[-1]
    scan = _Scan(rows, first_bar, last_bar, frames, tick_tf)
    return BlockBars(path, np, scan, size, kept)


def _refused(path: Path, tap: BarTap | None) -> BlockBars | None:
    """The first pass gives up (None): the tap drops what it was shown."""
    if tap is not None:
        tap.start(path)
    return None
