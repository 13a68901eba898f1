"""The bad-row policy of market data: which rows are bars, and what a bad one costs.

Every reader (the CSV fast path, other CSV shapes, Parquet) ends here for its
diagnostics: a bad row raises a :class:`BadBarError` naming ``file:line`` (Parquet:
``file:row``), or, with ``on_bad_bar="skip"``, is dropped and recorded as a
:class:`SkippedBar` for the caller to report (never silently). The checks run in one
documented order (:func:`check_row`), so a row with several faults always reports the
same one, whichever reader found it. Split from :mod:`stc.runtime.data` (issue 24).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Literal

from stc.runtime.data_time import EARLIEST_TIME, LATEST_TIME, parse_time
from stc.runtime.dtos.market import Bar
from stc.runtime.errors import BadBarError, DataError, SkippedBar

OnBadBar = Literal["error", "skip"]
ON_BAD_BAR: tuple[OnBadBar, ...] = ("error", "skip")
OHLCV = ("open", "high", "low", "close", "volume")
TIME_COLUMNS = ("", "time", "timestamp", "date", "datetime", "unnamed: 0")

UNCLOSED: list[str] = []
"""The row of a line whose quote is never closed (told from a blank line by identity)."""

TOO_LONG: list[str] = []
"""The row of a line longer than ``MAX_LINE`` (told from a blank line by identity)."""

MAX_LINE = 1 << 20
"""Characters a data line may have (a bar takes a few dozen): a 500 MB file without a
newline was read whole (1 GB) before its error; now memory stays at this bound."""

Checked = tuple[datetime, tuple[float, float, float, float, float]]
"""A row's timestamp and its open, high, low, close and volume, checked."""


def skip_sink(on_bad_bar: str, skipped: list[SkippedBar] | None) -> list[SkippedBar] | None:
    """Where skipped rows go: None means "raise" (``on_bad_bar="error"``)."""
    if on_bad_bar not in ON_BAD_BAR:
        raise ValueError(f"on_bad_bar must be one of {', '.join(ON_BAD_BAR)}, not {on_bad_bar!r}")
    if on_bad_bar == "error":
        return None
    if skipped is None:
        raise ValueError('on_bad_bar="skip" needs a `skipped` list to record the dropped rows')
    return skipped


def reject(error: BadBarError, skipped: list[SkippedBar] | None) -> None:
    """Raise ``error``, or record its row when skipping."""
    if skipped is None:
        raise error
    skipped.append(error.bar)


def reject_marker(
    row: Sequence[str], line_no: int, name: str, skipped: list[SkippedBar] | None
) -> None:
    """Reject the row of a line a splitter could not read (``UNCLOSED``, ``TOO_LONG``);
    a blank line (any other empty row) is no row and passes."""
    if row is UNCLOSED:
        reject(BadBarError(name, line_no, 'a quote (") that is never closed'), skipped)
    elif row is TOO_LONG:
        reject(BadBarError(name, line_no, f"a line of more than {MAX_LINE:,} characters"), skipped)


def no_bars(name: str, skipped: list[SkippedBar] | None) -> DataError:
    """The error for a file without one good bar."""
    suffix = f" (all {len(skipped)} rows were bad and skipped)" if skipped else ""
    return DataError(f"{name}: no bars" + suffix)


def column_index(header: list[str], where: str) -> list[int]:
    """Positions of time, open, high, low, close, volume in a (lower-case) header:
    time first, the others by name (DataError naming ``where`` otherwise)."""
    first = header[0] if header else ""
    if first not in TIME_COLUMNS:
        raise DataError(
            f"{where}: first column must be the timestamp (unnamed, time, timestamp, date or "
            f"datetime), not {first!r}"
        )
    index = [0]
    for name in OHLCV:
        if name not in header:
            raise DataError(f"{where}: missing column {name!r} (have {header})")
        index.append(header.index(name))
    return index


def good_bar(
    stamp: datetime,
    previous: datetime | None,
    o: float,
    h: float,
    lo: float,
    c: float,
    v: float,
) -> bool:
    """Whether parsed values make a good bar after ``previous``: the fast readers'
    one comparison chain; a row failing it goes to :func:`checked_bar` for its
    diagnostic (NaN fails every comparison, so it is caught here too)."""
    return (
        0.0 < lo <= o <= h < math.inf
        and lo <= c <= h
        and 0.0 <= v < math.inf
        and (stamp > previous if previous is not None else stamp >= EARLIEST_TIME)
        and stamp < LATEST_TIME
    )


def checked_bar(
    line_no: int,
    row: Sequence[str],
    index: Sequence[int],
    name: str,
    previous: datetime | None,
    skipped: list[SkippedBar] | None,
) -> Bar | None:
    """The bar of a row the fast readers could not take as it is, checked the slow,
    thorough way (:func:`check_row`); None when it is bad and ``skipped`` records it
    (else its BadBarError is raised). Every reader's bad-row fallback: one helper, so
    the CSV and Parquet hot loops stay a parse, one :func:`good_bar` and a ``Bar``."""
    try:
        stamp, (o, h, lo, c, v) = check_row(line_no, row, index, name, previous)
    except BadBarError as exc:
        reject(exc, skipped)
        return None
    return Bar(stamp, o, h, lo, c, v)


def check_row(
    line_no: int,
    row: Sequence[str],
    index: Sequence[int],
    name: str,
    previous: datetime | None,
) -> Checked:
    """Parse and validate one row the slow, thorough way (BadBarError naming the row).

    The checks run in a fixed order, so a row with several faults always reports the
    same one: timestamp, numbers, NaN/inf, positive prices, high/low range, order.
    """
    text = row[index[0]]
    try:
        stamp = parse_time(text)
    except (ValueError, OverflowError, OSError):
        raise BadBarError(name, line_no, f"bad timestamp {text.strip()!r}") from None
    values = _numbers(line_no, [row[i] for i in index[1:6]], name)
    for column, x in zip(OHLCV, values, strict=True):
        if math.isnan(x) or math.isinf(x):
            raise BadBarError(name, line_no, f"NaN or infinite {column} ({x})")
    for column, x in zip(OHLCV, values, strict=True):
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
    _check_order(line_no, name, stamp, previous)
    return stamp, (o, h, lo, c, v)


def _check_order(line_no: int, name: str, stamp: datetime, previous: datetime | None) -> None:
    """The calendar bounds and strictly ascending times."""
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


def _numbers(line_no: int, fields: list[str], name: str) -> tuple[float, ...]:
    values = []
    for column, text in zip(OHLCV, fields, strict=True):
        try:
            values.append(float(text))
        except ValueError:
            raise BadBarError(name, line_no, _not_a_number(column, text.strip())) from None
    return tuple(values)


def _not_a_number(column: str, text: str) -> str:
    """Why a price or volume field is no number: an empty field says so in words
    (``non-numeric volume ''`` read like a quoting bug), any other text is quoted."""
    return f"empty {column} field" if not text else f"non-numeric {column} {text!r}"


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
        if row is UNCLOSED or row is TOO_LONG:
            reject_marker(row, line_no, name, skipped)
            continue
        if len(row) < 6:
            reject(BadBarError(name, line_no, "too few columns"), skipped)
            continue
        bar = checked_bar(line_no, row, index, name, previous, skipped)
        if bar is not None:
            previous = bar.time
            yield bar
    if previous is None:
        raise no_bars(name, skipped)
