"""Time in market data: timeframes (``4h``), their periods (buckets) and the
timestamps a data file may carry (ISO 8601, epoch s/ms/µs).

Split from :mod:`stc.runtime.data` (issue 24: no runtime module over 500 lines); the
names stay importable from there. Compiled with mypyc (``stc/runtime/_native.py``):
the CSV fast path and the resampler call these per bar.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Final

from stc.runtime.errors import DataError

_TF_RE = re.compile(r"^([1-9][0-9]*)(m|h|d|w|M)$")
_EPOCH_RE = re.compile(r"\d{9,}(\.\d+)?")
_WEEK_ANCHOR = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday: weeks start on Monday 00:00 UTC
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

EARLIEST_TIME: Final = datetime(2, 1, 1, tzinfo=UTC)
"""Bars must be stamped from the year 2 on: a weekly or 3-day period containing a bar of
0001-01-01 starts before the calendar does (a nameless OverflowError in the engine)."""

LATEST_TIME: Final = datetime(9999, 1, 1, tzinfo=UTC)
"""Bars must be stamped before this: the runtime adds to every bar's time (a gap's
slack, the end of a week's or a month's period), and ``datetime`` ends in 9999."""

EPOCH_SCALE = {"s": 1, "ms": 1000, "us": 1_000_000}
"""Units of epoch timestamps: their count per second."""


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


def parse_time(text: str) -> datetime:
    """ISO 8601 (naive = UTC) or epoch seconds, as an aware UTC datetime (ValueError)."""
    text = text.strip()
    if _EPOCH_RE.fullmatch(text):
        return epoch_time(text, "auto")
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


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
