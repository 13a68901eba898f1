"""Market data: loading OHLCV bars, resampling to higher timeframes, paced feeds.

Bars are validated once at load time (the hot path trusts them). A bar's timestamp is
its *open* time; a bar of timeframe ``tf`` covers ``[time, time + tf)`` and is known
only once it has closed. Higher timeframes are built from the tick bars by
:class:`Resampler`, which releases a higher bar only when it is complete (see
``docs/runtime.md``): there is no look-ahead.
"""

from __future__ import annotations

import csv
import math
import re
import time as _time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from runtime.dtos.market import Bar

_TF_RE = re.compile(r"^([1-9][0-9]*)(m|h|d|w|M)$")
_EPOCH_RE = re.compile(r"\d{9,}(\.\d+)?")
_TIME_COLUMNS = ("", "time", "timestamp", "date", "datetime", "unnamed: 0")
_WEEK_ANCHOR = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday: weeks start on Monday 00:00 UTC
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class DataError(ValueError):
    """The data file is unreadable or holds a bad bar (the message names the row)."""


def parse_timeframe(tf: str) -> tuple[int, str]:
    """Split ``"4h"`` into ``(4, "h")``; DataError on anything else."""
    match = _TF_RE.match(tf)
    if not match:
        raise DataError(f"bad timeframe {tf!r}: expected e.g. 15m, 1h, 4h, 1d, 1w, 1M")
    return int(match.group(1)), match.group(2)


def timeframe_seconds(tf: str) -> float:
    """Nominal length of ``tf`` in seconds (a month counts 30.4375 days)."""
    count, unit = parse_timeframe(tf)
    unit_s = {"m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2_629_800}[unit]
    return float(count * unit_s)


def bucket_start(when: datetime, tf: str) -> datetime:
    """Start of the ``tf`` period containing ``when`` (UTC; weeks start Monday,
    months on the 1st, intraday periods are aligned to midnight)."""
    count, unit = parse_timeframe(tf)
    if unit == "M":
        months = (when.year * 12 + when.month - 1) // count * count
        return datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)
    anchor = _WEEK_ANCHOR if unit == "w" else _EPOCH
    step = int(timeframe_seconds(tf))
    offset = int((when - anchor).total_seconds()) // step * step
    return anchor + timedelta(seconds=offset)


def bucket_end(start: datetime, tf: str) -> datetime:
    """End (exclusive) of the period that starts at ``start``."""
    count, unit = parse_timeframe(tf)
    if unit == "M":
        months = start.year * 12 + start.month - 1 + count
        return datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)
    return start + timedelta(seconds=timeframe_seconds(tf))


def load_bars(path: Path) -> list[Bar]:
    """Load and validate OHLCV bars from CSV (or Parquet when pyarrow is installed)."""
    return list(iter_bars(path))


def iter_bars(path: Path) -> Iterator[Bar]:
    """Stream validated bars from ``path`` (CSV or Parquet): one pass, nothing kept.

    A bad row raises DataError naming ``file:line`` when the stream reaches it, so a
    consumer sees the bars before it first. Errors about the file itself (missing,
    empty, bad header) are raised by this call, before the first bar.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such data file")
    if path.suffix.lower() in (".parquet", ".pq"):
        return iter(validate_bars(_parquet_rows(path), str(path)))
    handle = path.open(newline="", encoding="utf-8")
    try:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path}: empty file")
        index = _column_index([h.strip().lower() for h in header], str(path))
    except BaseException:
        handle.close()
        raise
    return _stream_csv(handle, reader, index, str(path))


def count_rows(path: Path) -> int:
    """Number of data lines of a CSV file (for progress; a cheap byte scan), or of
    rows of a Parquet file."""
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        return len(load_bars(path))
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def _stream_csv(
    handle: IO[str], reader: Iterator[list[str]], index: list[int], name: str
) -> Iterator[Bar]:
    """The CSV hot loop: parse and validate each row in one pass.

    The common case (``YYYY-MM-DD HH:MM:SS`` timestamps, a good bar) takes a fast
    path; anything else goes through :func:`_check_row`, which applies the checks
    in their documented order and raises the DataError naming the row.
    """
    ti, oi, hi, li, ci, vi = index
    width = max(index) + 1
    previous: datetime | None = None
    stamp: datetime
    from_iso = datetime.fromisoformat
    inf = math.inf
    line_no = 1
    with handle:
        for row in reader:
            line_no += 1
            if not row:
                continue
            if len(row) < width:
                raise DataError(f"{name}:{line_no}: too few columns")
            text = row[ti]
            try:
                if len(text) == 19 and text[10] in " T":
                    stamp = from_iso(text + "+00:00")
                else:
                    stamp = _parse_time(text, f"{name}:{line_no}")
                o = float(row[oi])
                h = float(row[hi])
                lo = float(row[li])
                c = float(row[ci])
                v = float(row[vi])
            except ValueError:
                stamp, (o, h, lo, c, v) = _check_row(line_no, row, index, name, previous)
            else:
                if not (
                    0.0 < lo <= o <= h < inf
                    and lo <= c <= h
                    and 0.0 <= v < inf
                    and (previous is None or stamp > previous)
                ):
                    stamp, (o, h, lo, c, v) = _check_row(line_no, row, index, name, previous)
            previous = stamp
            yield Bar(stamp, o, h, lo, c, v)
    if previous is None:
        raise DataError(f"{name}: no bars")


def _column_index(header: list[str], where: str) -> list[int]:
    first = header[0] if header else ""
    if first not in _TIME_COLUMNS:
        raise DataError(f"{where}: first column must be the timestamp (unnamed, time, timestamp)")
    index = [0]
    for name in ("open", "high", "low", "close", "volume"):
        if name not in header:
            raise DataError(f"{where}: missing column {name!r} (have {header})")
        index.append(header.index(name))
    return index


def _parquet_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise DataError(f"{path}: reading Parquet needs pyarrow (pip install .[parquet])") from exc
    table = pq.read_table(path)
    names = [n.lower() for n in table.column_names]
    index = _column_index(names, str(path))
    columns = [table.column(i).to_pylist() for i in index]
    return [(i + 1, [str(col[i]) for col in columns]) for i in range(table.num_rows)]


def _parse_time(text: str, where: str) -> datetime:
    text = text.strip()
    try:
        if _EPOCH_RE.fullmatch(text):
            stamp = datetime.fromtimestamp(float(text), tz=UTC)
        else:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DataError(f"{where}: bad timestamp {text!r}") from exc
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _check_row(
    line_no: int,
    row: Sequence[str],
    index: Sequence[int],
    name: str,
    previous: datetime | None,
) -> tuple[datetime, tuple[float, float, float, float, float]]:
    """Parse and validate one row the slow, thorough way (DataError naming the row)."""
    where = f"{name}:{line_no}"
    stamp = _parse_time(row[index[0]], where)
    fields = [row[i] for i in index[1:6]]
    try:
        o, h, lo, c, v = (float(x) for x in fields)
    except ValueError as exc:
        raise DataError(f"{where}: non-numeric price or volume in {[row[0], *fields]}") from exc
    if any(math.isnan(x) or math.isinf(x) for x in (o, h, lo, c, v)):
        raise DataError(f"{where}: NaN or infinite value")
    if min(o, h, lo, c) <= 0 or v < 0:
        raise DataError(f"{where}: prices must be positive and volume non-negative")
    if h < lo or h < max(o, c) or lo > min(o, c):
        raise DataError(f"{where}: high/low do not bracket open/close (h={h}, l={lo})")
    if previous is not None and stamp <= previous:
        kind = "duplicate" if stamp == previous else "unsorted"
        raise DataError(f"{where}: {kind} timestamp {stamp.isoformat()}")
    return stamp, (o, h, lo, c, v)


def validate_bars(rows: Sequence[tuple[int, Sequence[str]]], name: str) -> list[Bar]:
    """Turn raw rows ``(line, [time, open, high, low, close, volume])`` into Bars,
    rejecting bad ones with a DataError naming the row."""
    bars: list[Bar] = []
    previous: datetime | None = None
    index = (0, 1, 2, 3, 4, 5)
    for line_no, row in rows:
        previous, (o, h, lo, c, v) = _check_row(line_no, row, index, name, previous)
        bars.append(Bar(previous, o, h, lo, c, v))
    if not bars:
        raise DataError(f"{name}: no bars")
    return bars


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
