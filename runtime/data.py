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
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runtime.dtos.market import Bar

_TF_RE = re.compile(r"^([1-9][0-9]*)(m|h|d|w|M)$")
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
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such data file")
    rows = _parquet_rows(path) if path.suffix.lower() in (".parquet", ".pq") else _csv_rows(path)
    return validate_bars(rows, str(path))


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path}: empty file")
        index = _column_index([h.strip().lower() for h in header], str(path))
        out = []
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                out.append((line_no, [row[i] for i in index]))
            except IndexError as exc:
                raise DataError(f"{path}:{line_no}: too few columns") from exc
        return out


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
        if re.fullmatch(r"\d{9,}(\.\d+)?", text):
            stamp = datetime.fromtimestamp(float(text), tz=UTC)
        else:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DataError(f"{where}: bad timestamp {text!r}") from exc
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def validate_bars(rows: Sequence[tuple[int, Sequence[str]]], name: str) -> list[Bar]:
    """Turn raw rows into Bars, rejecting bad ones with a DataError naming the row."""
    bars: list[Bar] = []
    previous: datetime | None = None
    for line_no, row in rows:
        where = f"{name}:{line_no}"
        stamp = _parse_time(row[0], where)
        try:
            o, h, lo, c, v = (float(x) for x in row[1:6])
        except ValueError as exc:
            raise DataError(f"{where}: non-numeric price or volume in {list(row)}") from exc
        if any(math.isnan(x) or math.isinf(x) for x in (o, h, lo, c, v)):
            raise DataError(f"{where}: NaN or infinite value")
        if min(o, h, lo, c) <= 0 or v < 0:
            raise DataError(f"{where}: prices must be positive and volume non-negative")
        if h < lo or h < max(o, c) or lo > min(o, c):
            raise DataError(f"{where}: high/low do not bracket open/close (h={h}, l={lo})")
        if previous is not None and stamp <= previous:
            kind = "duplicate" if stamp == previous else "unsorted"
            raise DataError(f"{where}: {kind} timestamp {stamp.isoformat()}")
        previous = stamp
        bars.append(Bar(stamp, o, h, lo, c, v))
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


def paced(bars: Sequence[Bar], tick_tf: str, speed: float) -> Iterator[Bar]:
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
