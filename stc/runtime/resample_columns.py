"""The closed bars of a higher timeframe computed from the tick columns with numpy
(issue 23: the fast engine's batch part when nearly every bar is skipped).

The fast engine needs, before its loop, every closed bar of each higher timeframe and
the tick on which it closed (``stc.runtime.batched``). Pushing every tick through the
loop's :class:`~stc.runtime.data.Resampler` costs one compiled call a tick (~0.16 s a
100k bars), which is most of a run whose bars are nearly all skipped.
:func:`closed_columns` gives the same bars, bit for bit, from whole columns:

* periods: ``bucket_start``'s arithmetic, element-wise (the seconds since the anchor
  as the float ``timedelta.total_seconds`` gives, truncated as ``int`` does, floored to
  the step); a period of the resampler is a run of ticks in one bucket, cut after a
  tick that closes it (``time + tick >= end``: with ticks closer than the tick
  timeframe, a bucket may hold two periods, as in the loop);
* a period closes on its last tick when that tick reaches the end, else on the next
  period's first tick; the data's last period closes only by its last tick;
* open and close are the first and last ticks' values; high and low are
  ``maximum``/``minimum.reduceat``, exact when no value is NaN or zero (the loop's
  ``max(a, b)`` keeps the first of equal values, which differ in their bits only for
  ±0.0, and treats NaN by position);
* volume is added **left to right**, as the loop's ``+=`` does: one vector addition
  per position within a period, over the periods that long (``np.add.reduceat``
  sums pairwise, and a float sum depends on its order).

Whatever it cannot prove the same (months, whose periods are calendar months; times
that are not strictly increasing; times so far from 1970 that their seconds as a
float are inexact; NaN or zero highs or lows) it declines with None, and the caller
runs the resampler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stc.runtime.batch import BarArrays
from stc.runtime.data_time import parse_timeframe, timeframe_seconds

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_NS = 1_000_000_000
_WEEK_ANCHOR_NS = 4 * 86_400 * _NS
"""``data_time._WEEK_ANCHOR`` (Monday 1970-01-05) in epoch nanoseconds."""
_EXACT_US = 1 << 53
"""Microseconds whose quotient by 10**6 numpy and Python both round once (exact ints)."""


def closed_columns(
    ticks: BarArrays, timeframe: str, tick_timeframe: str
) -> tuple[BarArrays, NDArray[np.int64]] | None:
    """The closed bars of ``timeframe`` built from ``ticks`` (as columns) and the tick
    index on which each closed, exactly what pushing every tick through a
    ``Resampler(timeframe, tick_timeframe)`` gives; None when not provably so."""
    found = closed_part(ticks, timeframe, tick_timeframe)
    return None if found is None else (found[0], found[1])


def closed_part(
    ticks: BarArrays, timeframe: str, tick_timeframe: str
) -> tuple[BarArrays, NDArray[np.int64], int] | None:
    """:func:`closed_columns` of a part of the ticks, and the index of the first tick
    of the period still open after them (``len(ticks)``: none is)."""
    import numpy as np

    found = closed_periods(ticks, timeframe, tick_timeframe)
    if found is None:
        return None
    firsts, release, open_from = found
    lasts = np.append(firsts[1:] - 1, open_from - 1)[: len(firsts)]
    return period_bars(ticks, timeframe, firsts, lasts), release, open_from


def closed_periods(
    ticks: BarArrays, timeframe: str, tick_timeframe: str
) -> tuple[NDArray[np.int64], NDArray[np.int64], int] | None:
    """The periods of ``timeframe`` that close in ``ticks``: each one's first tick, the
    tick on which it closes, and the first tick of the period still open after them
    (``len(ticks)``: none is); None when not provably the resampler's.

    Also a part of the ticks (the fast engine's CSV read a block at a time,
    :mod:`stc.runtime.tick_blocks`): when each part starts with the ticks of the
    period the previous one left open, every period is cut from exactly the ticks the
    whole columns would give it (a period's first tick always starts one; the part's
    last period is left open unless its own last tick closes it, as the data's last).
    A period's ticks are the run from its first tick to the next period's first."""
    import numpy as np

    unit = parse_timeframe(timeframe)[1]
    n = len(ticks)
    if unit == "M" or n == 0:
        return None if n else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0)
    anchor_us = _anchor_us(unit)
    first_us, last_us = int(ticks.time[0]) // 1000, int(ticks.time[-1]) // 1000
    if max(abs(first_us - anchor_us), abs(last_us - anchor_us)) >= _EXACT_US:
        return None
    if not (_exact_extremes(ticks.high) and _exact_extremes(ticks.low)):
        return None
    step = int(timeframe_seconds(timeframe))
    tick_us = int(timeframe_seconds(tick_timeframe)) * 1_000_000
    found = _cuts(ticks.time, anchor_us, step, tick_us)
    if found is None:
        return None
    cut, closes = found
    firsts = np.flatnonzero(cut).astype(np.int64, copy=False)
    del cut
    lasts = np.append(firsts[1:] - 1, n - 1)
    closed_here = closes[lasts]
    del closes
    release = np.append(firsts[1:], -1)  # a period closes on the next one's first tick ...
    np.copyto(release, lasts, where=closed_here)  # ... or on its own last tick
    # all but the data's last period close (at the latest on the next one's first tick)
    kept = len(firsts) if bool(closed_here[-1]) else len(firsts) - 1
    open_from = n if kept == len(firsts) else int(firsts[-1])
    return firsts[:kept], release[:kept].astype(np.int64, copy=False), open_from


def period_bars(
    ticks: BarArrays, timeframe: str, firsts: NDArray[np.int64], lasts: NDArray[np.int64]
) -> BarArrays:
    """The bars of ``timeframe`` over the periods ``firsts[k]..lasts[k]`` of ``ticks``
    (as :func:`closed_periods` cut them)."""
    anchor_us = _anchor_us(parse_timeframe(timeframe)[1])
    return _period_bars(
        ticks, timeframe, firsts, lasts, anchor_us, int(timeframe_seconds(timeframe))
    )


def period_starts(time_ns: NDArray[np.int64], timeframe: str) -> NDArray[np.int64]:
    """The start (epoch ns) of the bucket of ``timeframe`` each time falls in: a
    period's bar time, from its first tick's."""
    anchor_us = _anchor_us(parse_timeframe(timeframe)[1])
    step = int(timeframe_seconds(timeframe))
    starts: NDArray[np.int64] = _starts_us(time_ns // 1000, anchor_us, step) * 1000
    return starts


def _anchor_us(unit: str) -> int:
    """The buckets' anchor in epoch microseconds (Monday 1970-01-05 for weeks)."""
    return _WEEK_ANCHOR_NS // 1000 if unit == "w" else 0


def _period_bars(
    ticks: BarArrays,
    timeframe: str,
    firsts: NDArray[np.int64],
    lasts: NDArray[np.int64],
    anchor_us: int,
    step: int,
) -> BarArrays:
    """The bars of the periods ``firsts[k]..lasts[k]``, written into columns allocated
    once, a part of the periods at a time (``batch.CHUNK_BARS``: the reductions'
    temporaries are a part's, not 8 bytes a period each several times over)."""
    import numpy as np

    from stc.runtime import batch

    count = len(firsts)
    time = np.empty(count, dtype=np.int64)
    opens, highs, lows, closes, volumes = (np.empty(count) for _ in range(5))
    for a in range(0, count, batch.CHUNK_BARS):
        b = min(a + batch.CHUNK_BARS, count)
        base = int(firsts[a])  # the part's periods read ticks base..lasts[b - 1]
        start, stop = firsts[a:b] - base, lasts[a:b] - base
        span = slice(base, int(lasts[b - 1]) + 1)
        time[a:b] = _starts_us(ticks.time[firsts[a:b]] // 1000, anchor_us, step) * 1000
        opens[a:b] = ticks.open[firsts[a:b]]
        highs[a:b] = _reduced(np.maximum, ticks.high[span], start, stop)
        lows[a:b] = _reduced(np.minimum, ticks.low[span], start, stop)
        closes[a:b] = ticks.close[lasts[a:b]]
        volumes[a:b] = _left_to_right_sums(ticks.volume[span], start, stop)
    return BarArrays(timeframe, time, opens, highs, lows, closes, volumes)


def _starts_us(us: NDArray[np.int64], anchor_us: int, step: int) -> NDArray[np.int64]:
    """``bucket_start`` of each time (epoch microseconds) element-wise: the seconds
    since the anchor as the float ``total_seconds`` gives, truncated as ``int`` does,
    floored to the step."""
    import numpy as np

    seconds = np.trunc((us - anchor_us) / 1e6).astype(np.int64)  # int(total_seconds())
    starts: NDArray[np.int64] = anchor_us + seconds // step * step * 1_000_000
    return starts


def _cuts(
    time_ns: NDArray[np.int64], anchor_us: int, step: int, tick_us: int
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]] | None:
    """Where a period starts (``cut``) and which ticks close theirs (``closes``: ``time +
    tick >= end``), a part of the ticks at a time (``batch.CHUNK_BARS``: the bucket
    arithmetic's temporaries are a part's, not 8 bytes a tick each); None when the
    times (in microseconds, as the loop's bars carry them) are not strictly
    increasing."""
    import numpy as np

    from stc.runtime import batch

    n = len(time_ns)
    cut = np.empty(n, dtype=bool)
    closes = np.empty(n, dtype=bool)
    size = batch.CHUNK_BARS
    last_us = last_start = 0  # of the tick before the part (none before the first)
    for a in range(0, n, size):
        us = time_ns[a : a + size] // 1000
        b = a + len(us)
        if not bool(np.all(us[1:] > us[:-1])) or (a > 0 and not int(us[0]) > last_us):
            return None
        starts = _starts_us(us, anchor_us, step)
        shut = us + tick_us >= starts + step * 1_000_000
        closes[a:b] = shut
        cut[a] = a == 0 or int(starts[0]) != last_start or bool(closes[a - 1])
        np.logical_or(starts[1:] != starts[:-1], shut[:-1], out=cut[a + 1 : b])
        last_us, last_start = int(us[-1]), int(starts[-1])
    return cut, closes


def _exact_extremes(values: NDArray[np.float64]) -> bool:
    """Whether a maximum or minimum of any of ``values`` is one value whatever the
    order (no NaN, no zero of either sign)."""
    import numpy as np

    return not (bool(np.isnan(values).any()) or bool((values == 0.0).any()))


def _reduced(
    ufunc: np.ufunc, values: NDArray[np.float64], firsts: NDArray[np.int64],
    lasts: NDArray[np.int64],
) -> NDArray[np.float64]:  # fmt: skip
    """``ufunc`` reduced over each period ``firsts[k]..lasts[k]``."""
    import numpy as np

    if len(firsts) == 0:
        return np.zeros(0, dtype=np.float64)
    reduced: NDArray[np.float64] = ufunc.reduceat(values[: int(lasts[-1]) + 1], firsts)
    return reduced


def _left_to_right_sums(
    values: NDArray[np.float64], firsts: NDArray[np.int64], lasts: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Each period's values added left to right (``((v0 + v1) + v2) + ...``): the
    periods sorted by length, longest first, the j-th values of the periods at least
    j + 1 long are added in one vector operation, for j = 1, 2, ... ."""
    import numpy as np

    lengths = lasts - firsts + 1
    order = np.argsort(-lengths, kind="stable")
    starts, longest = firsts[order], lengths[order]
    sums = values[starts]
    if len(longest):
        active = np.searchsorted(-longest, -np.arange(1, int(longest[0])), side="left")
        for j, m in enumerate(active.tolist(), start=1):
            sums[:m] += values[starts[:m] + j]
    out = np.empty(len(sums), dtype=np.float64)
    out[order] = sums
    return out
