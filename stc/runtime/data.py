"""Market data: loading OHLCV bars, resampling to higher timeframes, paced feeds.

Bars are validated once at load time (the hot path trusts them): a bad row raises a
:class:`BadBarError` naming ``file:line``, or, with ``on_bad_bar="skip"``, is dropped
and recorded as a :class:`SkippedBar` for the caller to report (never silently). Gaps
(missing bars) are not errors; :class:`GapCounter` counts them. A bar's timestamp is
its *open* time; a bar of timeframe ``tf`` covers ``[time, time + tf)`` and is known
only once it has closed. Higher timeframes are built from the tick bars by
:class:`Resampler`, which releases a higher bar only when it is complete (see
``docs/runtime.md``): there is no look-ahead.

The readers live in one module per concern (issue 24): :mod:`stc.runtime.data_csv`
(the standard CSV's fast path), :mod:`stc.runtime.data_formats` (CSV as downloaded),
:mod:`stc.runtime.data_parquet` (Parquet, streamed), :mod:`stc.runtime.data_rows` (the
bad-row policy and its diagnostics) and :mod:`stc.runtime.data_time` (timeframes and
timestamps). This module chooses the reader and keeps every public name importable
from ``stc.runtime.data``.
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stc.runtime.data_csv import count_lines, open_standard, split_rows, stream_csv
from stc.runtime.data_formats import CsvFormat, misfit, normalized_rows
from stc.runtime.data_parquet import is_parquet, parquet_bars, parquet_row_count
from stc.runtime.data_rows import MAX_LINE as MAX_LINE
from stc.runtime.data_rows import ON_BAD_BAR as ON_BAD_BAR
from stc.runtime.data_rows import TOO_LONG as TOO_LONG
from stc.runtime.data_rows import UNCLOSED as UNCLOSED
from stc.runtime.data_rows import OnBadBar as OnBadBar
from stc.runtime.data_rows import skip_sink
from stc.runtime.data_rows import stream_rows as stream_rows
from stc.runtime.data_rows import validate_bars as validate_bars
from stc.runtime.data_time import EARLIEST_TIME as EARLIEST_TIME
from stc.runtime.data_time import EPOCH_SCALE as EPOCH_SCALE
from stc.runtime.data_time import LATEST_TIME as LATEST_TIME
from stc.runtime.data_time import bucket_end as bucket_end
from stc.runtime.data_time import bucket_start as bucket_start
from stc.runtime.data_time import epoch_time as epoch_time
from stc.runtime.data_time import epoch_unit as epoch_unit
from stc.runtime.data_time import parse_timeframe as parse_timeframe
from stc.runtime.data_time import timeframe_seconds as timeframe_seconds
from stc.runtime.dtos.market import Bar
from stc.runtime.errors import BadBarError as BadBarError
from stc.runtime.errors import DataError as DataError
from stc.runtime.errors import SkippedBar as SkippedBar


@dataclass
class GapCounter:
    """Gaps in the tick data: places where the next bar opens at least 1.5 tick
    timeframes after the previous one, i.e. at least one whole bar (rounded) is missing.

    A gap is not an error (markets close at weekends and on holidays) but it is never
    silent either: the run reports ``data_gaps`` and the largest gap in its metrics.
    1.5 and not 1 because a daily series stamped in local time shifts by an hour at
    DST changes, which is not a missing bar. The engine compares each bar's time with
    the previous bar's :meth:`due` (one comparison per bar; ``slack`` lets it inline
    the addition) and calls :meth:`record` only on a gap.
    """

    tick_tf: str
    count: int = 0
    largest_bars: int = 0
    largest_from: datetime | None = None
    largest_to: datetime | None = None

    def __post_init__(self) -> None:
        count, unit = parse_timeframe(self.tick_tf)
        self._months = count if unit == "M" else 0
        self._step = timedelta(seconds=timeframe_seconds(self.tick_tf))
        self.slack: timedelta | None = None if self._months else self._step * 1.5

    def due(self, when: datetime) -> datetime:
        """The earliest open time of the next bar that leaves a gap after ``when``."""
        if self.slack is not None:
            return when + self.slack
        month = when.year * 12 + when.month - 1 + math.ceil(1.5 * self._months)
        return datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC)

    def record(self, before: datetime, after: datetime) -> None:
        """Count the gap between the bars opening at ``before`` and ``after``."""
        self.count += 1
        if self._months:
            months = (after.year - before.year) * 12 + after.month - before.month
            missing = round(months / self._months) - 1
        else:
            missing = round((after - before) / self._step) - 1
        if missing > self.largest_bars:
            self.largest_bars, self.largest_from, self.largest_to = missing, before, after


def load_bars(
    path: Path, on_bad_bar: OnBadBar = "error", skipped: list[SkippedBar] | None = None
) -> list[Bar]:
    """Load and validate OHLCV bars from CSV (or Parquet when pyarrow is installed)."""
    return list(iter_bars(path, on_bad_bar, skipped))


def iter_bars(
    path: Path,
    on_bad_bar: OnBadBar = "error",
    skipped: list[SkippedBar] | None = None,
    name: str | None = None,
    fmt: CsvFormat | None = None,
) -> Iterator[Bar]:
    """Stream validated bars from ``path`` (CSV or Parquet): one pass, nothing kept.

    A bad row raises BadBarError naming ``file:line`` when the stream reaches it, so a
    consumer sees the bars before it first. With ``on_bad_bar="skip"`` the row is
    dropped and appended to ``skipped`` (required then: a skip is never silent); the
    next row is checked against the last *good* one. Errors about the file itself
    (missing, empty, bad header, no good bar at all) are always raised. Bad rows are
    named ``name:line`` (default: ``path`` as given; Parquet rows ``name:row``).

    ``fmt`` (a :class:`stc.runtime.data_formats.CsvFormat`) reads other CSV shapes
    (delimiters, column names, epoch units, split date/time, gzip, presets); without
    it a standard stc CSV takes the fast path (:mod:`stc.runtime.data_csv`), and a
    file that is not one is tried with the inferred format.
    """
    path = Path(path)
    sink = skip_sink(on_bad_bar, skipped)
    missing = not_a_data_file(path)
    if missing is not None:
        raise DataError(f"{path}: {missing}")
    label = name or str(path)
    if is_parquet(path):
        return parquet_bars(path, label, sink)
    if fmt is not None or path.suffix.lower() == ".gz":
        return stream_rows(normalized_rows(path, fmt), label, sink)
    standard = open_standard(path)
    if isinstance(standard, DataError):  # not the standard header: another shape, if one fits
        problem = misfit(path, standard)
        if problem is not None:
            raise _with_volume_hint(problem) from None
        return stream_rows(normalized_rows(path, None), label, sink)
    handle, index = standard
    return stream_csv(handle, split_rows(handle, path), index, label, sink)


def _with_volume_hint(exc: DataError) -> DataError:
    """A missing volume column says how to go on without one."""
    text = str(exc)
    if "missing column 'volume'" in text:
        text += "; a file without volume loads with --volume optional (volume 0)"
    return DataError(text)


def not_a_data_file(path: Path) -> str | None:
    """Why ``path`` cannot be a data file (it does not exist, or is a directory), or
    None when it is a file. ``stc run`` asks before it touches the run directory."""
    if path.is_file():
        return None
    return "a directory, not a data file" if path.is_dir() else "no such data file"


def count_rows(path: Path) -> int:
    """Number of data lines of a CSV file (for progress; a cheap byte scan), or of
    rows of a Parquet file (from its metadata)."""
    path = Path(path)
    return parquet_row_count(path) if is_parquet(path) else count_lines(path)


class Resampler:
    """Builds closed bars of a higher timeframe from tick bars, without look-ahead.

    ``push(bar)`` returns the higher bars that became *closed* with this tick bar, in
    order: the previous period when ``bar`` opens a new period (gaps in the data), and
    the current period when ``bar`` is its last bar (``bar.time + tick_tf`` reaches the
    period end).
    """

    __slots__ = ("_end", "_partial", "_start", "_tick", "tf")

    def __init__(self, tf: str, tick_tf: str) -> None:
        self.tf = tf
        self._tick = timedelta(seconds=timeframe_seconds(tick_tf))
        self._partial: list[float] | None = None  # open, high, low, close, volume
        self._end: datetime | None = None
        self._start = datetime(1970, 1, 1, tzinfo=UTC)

    def push(self, bar: Bar) -> list[Bar]:
        """Feed one tick bar; return the higher bars that closed with it."""
        out: list[Bar] = []
        if self._end is not None and bar.time >= self._end:
            out.append(self._emit())
        if self._partial is None:
            start = bucket_start(bar.time, self.tf)
            self._end = bucket_end(start, self.tf)
            self._start = start
            self._partial = [bar.open, bar.high, bar.low, bar.close, bar.volume]
        else:
            p = self._partial
            p[1] = max(p[1], bar.high)
            p[2] = min(p[2], bar.low)
            p[3] = bar.close
            p[4] += bar.volume
        if self._end is not None and bar.time + self._tick >= self._end:
            out.append(self._emit())
        return out

    def _emit(self) -> Bar:
        p = self._partial
        assert p is not None
        self._partial = None
        self._end = None
        return Bar(self._start, p[0], p[1], p[2], p[3], p[4])


def paced(bars: Iterable[Bar], tick_tf: str, speed: float) -> Iterator[Bar]:
    """Yield ``bars`` in wall-clock time: one bar every ``tick_tf / speed`` seconds.

    A paper run at ``speed=1`` waits a real hour between hourly bars; tests pass a
    large factor. The first bar is yielded immediately.
    """
    if speed <= 0:
        raise ValueError("speed must be positive")
    interval = timeframe_seconds(tick_tf) / speed
    due = _time.monotonic()
    for bar in bars:
        delay = due - _time.monotonic()
        if delay > 0:
            _time.sleep(delay)
        yield bar
        due += interval
