"""Market data: loading OHLCV bars, resampling to higher timeframes, paced feeds.

Bars are validated once at load time (the hot path trusts them): a bad row raises a
:class:`BadBarError` naming ``file:line``, or, with ``on_bad_bar="skip"``, is dropped
and recorded as a :class:`SkippedBar` for the caller to report (never silently). Gaps
(missing bars) are not errors; :class:`GapCounter` counts them. A bar's timestamp is
its *open* time; a bar of timeframe ``tf`` covers ``[time, time + tf)`` and is known
only once it has closed. Higher timeframes are built from the tick bars by
:class:`Resampler`, which releases a higher bar only when it is complete (see
``docs/runtime.md``): there is no look-ahead.
"""

from __future__ import annotations

import csv
import gzip
import importlib
import math
import re
import time as _time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Literal, cast

from stc.runtime.dtos.market import Bar
from stc.runtime.errors import BadBarError as BadBarError
from stc.runtime.errors import DataError as DataError
from stc.runtime.errors import SkippedBar as SkippedBar

_TF_RE = re.compile(r"^([1-9][0-9]*)(m|h|d|w|M)$")
_EPOCH_RE = re.compile(r"\d{9,}(\.\d+)?")
_TIME_COLUMNS = ("", "time", "timestamp", "date", "datetime", "unnamed: 0")
_WEEK_ANCHOR = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday: weeks start on Monday 00:00 UTC
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OHLCV = ("open", "high", "low", "close", "volume")


OnBadBar = Literal["error", "skip"]
ON_BAD_BAR: tuple[OnBadBar, ...] = ("error", "skip")


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
    fmt: Any = None,
) -> Iterator[Bar]:
    """Stream validated bars from ``path`` (CSV or Parquet): one pass, nothing kept.

    A bad row raises BadBarError naming ``file:line`` when the stream reaches it, so a
    consumer sees the bars before it first. With ``on_bad_bar="skip"`` the row is
    dropped and appended to ``skipped`` (required then: a skip is never silent); the
    next row is checked against the last *good* one. Errors about the file itself
    (missing, empty, bad header, no good bar at all) are always raised. Bad rows are
    named ``name:line`` (default: ``path`` as given).

    ``fmt`` (a :class:`stc.runtime.data_formats.CsvFormat`) reads other CSV shapes
    (delimiters, column names, epoch units, split date/time, gzip, presets); without
    it a standard stc CSV takes the fast path below, and a file that is not one is
    tried with the inferred format (:mod:`stc.runtime.data_formats`).
    """
    path = Path(path)
    sink = _skip_sink(on_bad_bar, skipped)
    missing = not_a_data_file(path)
    if missing is not None:
        raise DataError(f"{path}: {missing}")
    if path.suffix.lower() in (".parquet", ".pq"):
        return iter(validate_bars(_parquet_rows(path), name or str(path), sink))
    if fmt is not None or path.suffix.lower() == ".gz":
        return _formatted(path, fmt, name or str(path), sink)
    handle = path.open(newline="", encoding="utf-8-sig")  # -sig: a BOM (Excel) is no header
    try:
        first = handle.readline(MAX_LINE)
        if not first:
            raise DataError(f"{path}: empty file")
        if len(first) == MAX_LINE and first[-1] not in "\r\n":
            raise DataError(f"{path}:1: a line of more than {MAX_LINE:,} characters")
        header = next(csv.reader((first,)), [])
        index = _column_index([h.strip().lower() for h in header], f"{path}:1")
    except DataError as exc:  # not the standard header: another shape, if one fits
        handle.close()
        problem = _misfit(path, exc)
        if problem is not None:
            raise _with_volume_hint(problem) from None
        return _formatted(path, None, name or str(path), sink)
    except UnicodeDecodeError as exc:
        handle.close()
        raise _not_utf8(path, exc) from None
    except csv.Error as exc:  # a header field past csv's size limit (an unclosed quote)
        handle.close()
        raise DataError(f"{path}:1: not a CSV header ({exc})") from None
    except BaseException:
        handle.close()
        raise
    return _stream_csv(handle, _split_rows(handle, path), index, name or str(path), sink)


def _formatted(path: Path, fmt: Any, name: str, skipped: list[SkippedBar] | None) -> Iterator[Bar]:
    """The bars of a CSV of another shape (:mod:`stc.runtime.data_formats`)."""
    formats = importlib.import_module("stc.runtime.data_formats")
    rows: Iterator[tuple[int, list[str]]] = formats.normalized_rows(path, fmt)
    return stream_rows(rows, name, skipped)


def _misfit(path: Path, standard: DataError) -> DataError | None:
    """None when the inferred format reads ``path``, else the error to report."""
    formats = importlib.import_module("stc.runtime.data_formats")
    problem: DataError | None = formats.misfit(path, standard)
    return problem


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


UNCLOSED: list[str] = []
"""The row of a line whose quote is never closed (told from a blank line by identity)."""

TOO_LONG: list[str] = []
"""The row of a line longer than ``MAX_LINE`` (told from a blank line by identity)."""

MAX_LINE = 1 << 20
"""Characters a data line may have (a bar takes a few dozen): a 500 MB file without a
newline was read whole (1 GB) before its error; now memory stays at this bound."""


def _split_rows(handle: IO[str], path: Path) -> Iterator[list[str]]:
    """The data rows after the header, as ``csv.reader`` would give them.

    A line without a quote character is exactly ``line.split(",")`` for the csv module
    (default dialect), and splitting is ~3× faster than its reader; a line with quotes
    goes through ``csv.reader`` alone (quoting, escaped quotes). A quote left open at
    the end of its line is ``UNCLOSED``, a bad row of that line: no field of a bar
    spans lines, and reading on would swallow the rest of the file into one field
    (csv's "field larger than field limit", without file or line). Blank lines give
    ``[]``, like the reader. Bytes that are not UTF-8 raise a DataError naming
    ``path`` and the line.
    """
    readline = handle.readline
    try:
        while line := readline(MAX_LINE):
            if len(line) == MAX_LINE and line[-1] not in "\r\n":
                while (rest := readline(MAX_LINE)) and rest[-1] not in "\r\n":
                    pass  # the rest of the line, a chunk at a time
                yield TOO_LONG
                continue
            if '"' in line:
                yield UNCLOSED if line.count('"') % 2 else next(csv.reader((line,)), [])
                continue
            text = line.rstrip("\r\n")
            yield text.split(",") if text else []
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from None


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> DataError:
    """The error for a CSV file with bytes that are not UTF-8 (binary data, another
    encoding). The decoder works in chunks, so it cannot say where; a second, binary
    pass finds the first bad line (UTF-8 never hides a newline byte in a character)."""
    line = 0
    with path.open("rb") as raw:
        for number, data in enumerate(raw, start=1):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                line = number
                break
    where = f"{path}:{line}" if line else str(path)
    return DataError(
        f"{where}: not UTF-8 text ({exc.reason}); a CSV data file must be UTF-8 "
        "(re-save it as UTF-8 CSV, or give a .parquet file)"
    )


def _skip_sink(on_bad_bar: str, skipped: list[SkippedBar] | None) -> list[SkippedBar] | None:
    """Where skipped rows go: None means "raise" (``on_bad_bar="error"``)."""
    if on_bad_bar not in ON_BAD_BAR:
        raise ValueError(f"on_bad_bar must be one of {', '.join(ON_BAD_BAR)}, not {on_bad_bar!r}")
    if on_bad_bar == "error":
        return None
    if skipped is None:
        raise ValueError('on_bad_bar="skip" needs a `skipped` list to record the dropped rows')
    return skipped


def count_rows(path: Path) -> int:
    """Number of data lines of a CSV file (for progress; a cheap byte scan), or of
    rows of a Parquet file."""
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        parquet = _pyarrow_parquet(path)
        try:
            return int(parquet.ParquetFile(path).metadata.num_rows)
        except Exception as exc:  # as in _parquet_rows: not (valid) Parquet
            raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc
    lines = 0
    last = b"\n"
    with _open_bytes(path) as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def _open_bytes(path: Path) -> IO[bytes]:
    """``path``'s bytes, gunzipped when it ends in ``.gz``."""
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))  # a GzipFile reads like one
    return path.open("rb")


def _stream_csv(
    handle: IO[str],
    reader: Iterator[list[str]],
    index: list[int],
    name: str,
    skipped: list[SkippedBar] | None,
) -> Iterator[Bar]:
    """The CSV hot loop: parse and validate each row in one pass.

    The common case (``YYYY-MM-DD HH:MM:SS`` timestamps, a good bar) takes a fast
    path; anything else goes through :func:`_checked_row`, which applies the checks
    in their documented order and raises the BadBarError naming the row (or, when
    skipping, records it and returns None).
    """
    ti, oi, hi, li, ci, vi = index
    width = max(index) + 1
    previous: datetime | None = None
    stamp: datetime
    from_iso = datetime.fromisoformat
    inf = math.inf
    latest = LATEST_TIME
    earliest = EARLIEST_TIME  # bars ascend: only the first good bar needs this check
    line_no = 1
    checked: tuple[datetime, tuple[float, float, float, float, float]] | None
    with handle:
        for row in reader:
            line_no += 1
            if not row:
                if row is UNCLOSED:
                    _reject(BadBarError(name, line_no, 'a quote (") that is never closed'), skipped)
                elif row is TOO_LONG:
                    reason = f"a line of more than {MAX_LINE:,} characters"
                    _reject(BadBarError(name, line_no, reason), skipped)
                continue
            if len(row) < width:
                _reject(BadBarError(name, line_no, "too few columns"), skipped)
                continue
            text = row[ti]
            try:
                if len(text) == 19 and text[10] in " T":
                    stamp = from_iso(text + "+00:00")
                else:
                    stamp = _parse_time(text)
                o = float(row[oi])
                h = float(row[hi])
                lo = float(row[li])
                c = float(row[ci])
                v = float(row[vi])
            except (ValueError, OverflowError, OSError):  # also a bad timestamp's DataError
                checked = _checked_row(line_no, row, index, name, previous, skipped)
                if checked is None:
                    continue
                stamp, (o, h, lo, c, v) = checked
            else:
                if not (
                    0.0 < lo <= o <= h < inf
                    and lo <= c <= h
                    and 0.0 <= v < inf
                    and (stamp > previous if previous is not None else stamp >= earliest)
                    and stamp < latest
                ):
                    checked = _checked_row(line_no, row, index, name, previous, skipped)
                    if checked is None:
                        continue
                    stamp, (o, h, lo, c, v) = checked
            previous = stamp
            yield Bar(stamp, o, h, lo, c, v)
    if previous is None:
        raise DataError(f"{name}: no bars" + _all_skipped(skipped))


def _reject(error: BadBarError, skipped: list[SkippedBar] | None) -> None:
    """Raise ``error``, or record its row when skipping."""
    if skipped is None:
        raise error
    skipped.append(error.bar)


def _all_skipped(skipped: list[SkippedBar] | None) -> str:
    return f" (all {len(skipped)} rows were bad and skipped)" if skipped else ""


def _checked_row(
    line_no: int,
    row: Sequence[str],
    index: Sequence[int],
    name: str,
    previous: datetime | None,
    skipped: list[SkippedBar] | None,
) -> tuple[datetime, tuple[float, float, float, float, float]] | None:
    """:func:`_check_row`, or None when the row is bad and ``skipped`` records it."""
    try:
        return _check_row(line_no, row, index, name, previous)
    except BadBarError as exc:
        _reject(exc, skipped)
        return None


def _column_index(header: list[str], where: str) -> list[int]:
    first = header[0] if header else ""
    if first not in _TIME_COLUMNS:
        raise DataError(
            f"{where}: first column must be the timestamp (unnamed, time, timestamp, date or "
            f"datetime), not {first!r}"
        )
    index = [0]
    for name in _OHLCV:
        if name not in header:
            raise DataError(f"{where}: missing column {name!r} (have {header})")
        index.append(header.index(name))
    return index


def _pyarrow_parquet(path: Path) -> Any:
    """``pyarrow.parquet`` (an optional dependency), looked up in ``sys.modules`` on
    every call: a compiled ``import`` statement caches the module object it saw first,
    which breaks once that module is replaced or removed (a test's stand-in)."""
    try:
        return importlib.import_module("pyarrow.parquet")
    except ImportError as exc:
        raise DataError(
            f"{path}: reading Parquet needs pyarrow: pip install 's1mpletrader[parquet]' "
            "(or pip install pyarrow)"
        ) from exc


def _parquet_rows(path: Path) -> list[tuple[int, list[str]]]:
    parquet = _pyarrow_parquet(path)
    try:
        table = parquet.read_table(path)
    except Exception as exc:  # pyarrow's ArrowInvalid / OSError: not (valid) Parquet
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc
    names = [n.lower() for n in table.column_names]
    index = _column_index(names, str(path))
    columns = [table.column(i).to_pylist() for i in index]
    return [(i + 1, [str(col[i]) for col in columns]) for i in range(table.num_rows)]


def _parse_time(text: str) -> datetime:
    """ISO 8601 (naive = UTC) or epoch seconds, as an aware UTC datetime (ValueError)."""
    text = text.strip()
    if _EPOCH_RE.fullmatch(text):
        return epoch_time(text, "auto")
    else:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


EPOCH_SCALE = {"s": 1, "ms": 1000, "us": 1_000_000}
"""Units of epoch timestamps: their count per second."""


def epoch_unit(value: float) -> str:
    """The unit of an epoch timestamp, inferred from its magnitude: below 10**11 it
    is seconds (up to the year 5138), below 10**14 milliseconds, else microseconds
    (Binance's klines switched from ms to µs in 2025)."""
    magnitude = abs(value)
    return "s" if magnitude < 1e11 else "ms" if magnitude < 1e14 else "us"


def epoch_time(text: str, unit: str) -> datetime:
    """Epoch ``text`` in ``unit`` (``auto``: by magnitude) as an aware UTC datetime;
    whole numbers are converted exactly (integer microseconds), ValueError otherwise."""
    text = text.strip()
    value = float(text)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"not a timestamp: {text!r}")
    scale = EPOCH_SCALE[epoch_unit(value) if unit == "auto" else unit]
    if text.lstrip("-").isdigit():
        return _EPOCH + timedelta(microseconds=int(text) * (1_000_000 // scale))
    return _EPOCH + timedelta(seconds=value / scale)


EARLIEST_TIME = datetime(2, 1, 1, tzinfo=UTC)
"""Bars must be stamped from the year 2 on: a weekly or 3-day period containing a bar of
0001-01-01 starts before the calendar does (a nameless OverflowError in the engine)."""

LATEST_TIME = datetime(9999, 1, 1, tzinfo=UTC)
"""Bars must be stamped before this: the runtime adds to every bar's time (a gap's
slack, the end of a week's or a month's period), and ``datetime`` ends in 9999."""


def _check_row(
    line_no: int,
    row: Sequence[str],
    index: Sequence[int],
    name: str,
    previous: datetime | None,
) -> tuple[datetime, tuple[float, float, float, float, float]]:
    """Parse and validate one row the slow, thorough way (BadBarError naming the row).

    The checks run in a fixed order, so a row with several faults always reports the
    same one: timestamp, numbers, NaN/inf, positive prices, high/low range, order.
    """
    text = row[index[0]]
    try:
        stamp = _parse_time(text)
    except (ValueError, OverflowError, OSError):
        raise BadBarError(name, line_no, f"bad timestamp {text.strip()!r}") from None
    values = _numbers(line_no, [row[i] for i in index[1:6]], name)
    for column, x in zip(_OHLCV, values, strict=True):
        if math.isnan(x) or math.isinf(x):
            raise BadBarError(name, line_no, f"NaN or infinite {column} ({x})")
    for column, x in zip(_OHLCV, values, strict=True):
        if x <= 0 if column != "volume" else x < 0:
            raise BadBarError(
                name, line_no, f"prices must be positive and volume non-negative: {column}={x}"
            )
    o, h, lo, c, v = values
    if h < lo:
        raise BadBarError(name, line_no, f"high/low do not bracket open/close: high {h} < low {lo}")
    if h < max(o, c) or lo > min(o, c):
        raise BadBarError(
            name, line_no, f"high/low do not bracket open/close (o={o}, h={h}, l={lo}, c={c})"
        )
    if stamp >= LATEST_TIME:
        raise BadBarError(
            name, line_no, f"timestamp {stamp.isoformat()} is in the year 9999 or later"
        )
    if stamp < EARLIEST_TIME:
        raise BadBarError(name, line_no, f"timestamp {stamp.isoformat()} is before the year 2")
    if previous is not None and stamp <= previous:
        problem = f"duplicate timestamp {stamp.isoformat()}"
        if stamp < previous:
            problem = f"unsorted timestamp {stamp.isoformat()} (after {previous.isoformat()})"
        raise BadBarError(name, line_no, problem)
    return stamp, (o, h, lo, c, v)


def _numbers(line_no: int, fields: list[str], name: str) -> tuple[float, ...]:
    values = []
    for column, text in zip(_OHLCV, fields, strict=True):
        try:
            values.append(float(text))
        except ValueError:
            raise BadBarError(name, line_no, f"non-numeric {column} {text.strip()!r}") from None
    return tuple(values)


def validate_bars(
    rows: Sequence[tuple[int, Sequence[str]]],
    name: str,
    skipped: list[SkippedBar] | None = None,
) -> list[Bar]:
    """Turn raw rows ``(line, [time, open, high, low, close, volume])`` into Bars,
    rejecting bad ones with a BadBarError naming the row (or, when ``skipped`` is a
    list, dropping them and recording each there)."""
    return list(stream_rows(iter(rows), name, skipped))


def stream_rows(
    rows: Iterator[tuple[int, Sequence[str]]],
    name: str,
    skipped: list[SkippedBar] | None = None,
) -> Iterator[Bar]:
    """:func:`validate_bars` as a stream: each row checked as it is read."""
    previous: datetime | None = None
    index = (0, 1, 2, 3, 4, 5)
    for line_no, row in rows:
        if row is UNCLOSED:
            _reject(BadBarError(name, line_no, 'a quote (") that is never closed'), skipped)
            continue
        if row is TOO_LONG:
            reason = f"a line of more than {MAX_LINE:,} characters"
            _reject(BadBarError(name, line_no, reason), skipped)
            continue
        if len(row) < 6:
            _reject(BadBarError(name, line_no, "too few columns"), skipped)
            continue
        checked = _checked_row(line_no, row, index, name, previous, skipped)
        if checked is not None:
            previous, (o, h, lo, c, v) = checked
            yield Bar(previous, o, h, lo, c, v)
    if previous is None:
        raise DataError(f"{name}: no bars" + _all_skipped(skipped))


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
