"""``resample_columns.closed_columns`` gives exactly the bars (bit for bit) and release
ticks of pushing every tick through the loop's ``Resampler``: gaps, partial first and
last periods, flat series, ticks closer than the tick timeframe, weeks, and volumes
whose float sum depends on its order (a pairwise sum, as ``np.add.reduceat`` does,
fails those)."""

from __future__ import annotations

import math
import random
import struct
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.runtime.batch import BarArrays
from stc.runtime.batched import ArrayBars, closed_frame, higher_bars
from stc.runtime.dtos.market import Bar
from stc.runtime.resample_columns import _left_to_right_sums, closed_columns


def _bits(value: float) -> int:
    return int(struct.unpack("<q", struct.pack("<d", value))[0])


def _rows(bars: BarArrays) -> list[tuple[int, ...]]:
    a = bars
    return [
        (int(a.time[k]), *(_bits(float(c[k])) for c in (a.open, a.high, a.low, a.close, a.volume)))
        for k in range(len(a))
    ]


def _reference(ticks: BarArrays, tf: str, tick_tf: str) -> tuple[list[tuple[int, ...]], list[int]]:
    closed, release = higher_bars(ArrayBars(ticks), tf, tick_tf)
    return _rows(BarArrays.from_bars(closed, tf)), release


def _assert_same(ticks: BarArrays, tf: str, tick_tf: str) -> None:
    found = closed_columns(ticks, tf, tick_tf)
    assert found is not None
    bars, release = found
    expected_rows, expected_release = _reference(ticks, tf, tick_tf)
    assert release.tolist() == expected_release
    assert _rows(bars) == expected_rows


def _ticks(times: list[datetime], rng: random.Random, volume: object = None) -> BarArrays:
    bars, price = [], 100.0
    for k, time in enumerate(times):
        close = price * (1 + rng.gauss(0, 0.01))
        vol = rng.uniform(0.1, 9) if volume is None else volume(k)  # type: ignore[operator]
        bars.append(Bar(time, price, max(price, close) + 0.1, min(price, close) - 0.1, close, vol))
        price = close
    return BarArrays.from_bars(bars, "")


def _hourly(rng: random.Random, count: int, gap_rate: float, start: datetime) -> list[datetime]:
    times, time = [], start
    for _ in range(count):
        times.append(time)
        time += timedelta(hours=1 + (rng.randint(1, 60) if rng.random() < gap_rate else 0))
    return times


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(1, 400),
    gap_rate=st.sampled_from([0.0, 0.05, 0.3]),
    start_hour=st.integers(0, 23 * 7),
    tf=st.sampled_from(["2h", "4h", "1d", "3d", "1w"]),
)
def test_equals_the_resampler_on_gappy_hourly_walks(
    seed: int, count: int, gap_rate: float, start_hour: int, tf: str
) -> None:
    rng = random.Random(seed)
    start = datetime(2022, 3, 1, tzinfo=UTC) + timedelta(hours=start_hour)
    _assert_same(_ticks(_hourly(rng, count, gap_rate, start), rng), tf, "1h")


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), tf=st.sampled_from(["15m", "1h", "4h", "1d"]))
def test_ticks_closer_than_their_timeframe(seed: int, tf: str) -> None:
    """Irregular ticks (minutes apart, labelled 5m... or 1h): a tick that closes a
    period may be followed by another in the same bucket, which opens a new period."""
    rng = random.Random(seed)
    times, time = [], datetime(2024, 5, 6, 3, 7, tzinfo=UTC)
    for _ in range(300):
        times.append(time)
        time += timedelta(minutes=rng.choice([1, 3, 5, 7, 50, 200]), seconds=rng.choice([0, 30]))
    _assert_same(_ticks(times, rng), tf, rng.choice(["5m", "15m"]))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    chunk=st.integers(1, 9),
    tf=st.sampled_from(["15m", "2h", "4h", "1d", "1w"]),
    close=st.booleans(),
)
def test_the_bucket_arithmetic_cut_into_parts(seed: int, chunk: int, tf: str, close: bool) -> None:
    """The periods and closes are found a part of the ticks at a time
    (``batch.CHUNK_BARS``): parts of 1 to 9 ticks, over gappy hourly walks and ticks
    closer than their timeframe, give the resampler's bars; times that stop increasing
    at a part's first tick are still declined."""
    from stc.runtime import batch

    rng = random.Random(seed)
    if close:
        times, time = [], datetime(2024, 5, 6, 3, 7, tzinfo=UTC)
        for _ in range(120):
            times.append(time)
            time += timedelta(minutes=rng.choice([1, 5, 50, 200]))
        tick_tf = "5m"
    else:
        times, tick_tf = _hourly(rng, 150, 0.1, datetime(2022, 3, 1, 5, tzinfo=UTC)), "1h"
    ticks = _ticks(times, rng)
    saved = batch.CHUNK_BARS
    batch.CHUNK_BARS = chunk
    try:
        _assert_same(ticks, tf, tick_tf)
        repeated = _ticks([*times[:chunk], times[chunk - 1], *times[chunk + 1 :]], rng)
        assert closed_columns(repeated, tf, tick_tf) is None
    finally:
        batch.CHUNK_BARS = saved


def test_flat_series_and_one_bar() -> None:
    rng = random.Random(1)
    times = _hourly(rng, 200, 0.0, datetime(2021, 1, 1, 13, tzinfo=UTC))
    flat = BarArrays.from_bars([Bar(t, 5.0, 5.0, 5.0, 5.0, 0.0) for t in times], "")
    _assert_same(flat, "4h", "1h")
    _assert_same(flat, "1d", "1h")
    _assert_same(_ticks(times[:1], rng), "1d", "1h")  # a partial last period never closes
    _assert_same(_ticks([datetime(2021, 1, 1, 23, tzinfo=UTC)], rng), "1d", "1h")  # closes


def test_volume_is_added_left_to_right() -> None:
    """Volumes where the order of the additions changes the sum: a day of hourly
    ticks 1e16, then 1.0 twenty-three times (left to right each 1.0 is lost; a
    pairwise sum keeps some of them)."""
    rng = random.Random(2)
    times = _hourly(rng, 24 * 20, 0.0, datetime(2021, 1, 4, tzinfo=UTC))
    ticks = _ticks(times, rng, volume=lambda k: 1e16 if k % 24 == 0 else 1.0)
    _assert_same(ticks, "1d", "1h")
    bars, _ = closed_columns(ticks, "1d", "1h") or (None, None)
    assert bars is not None
    assert bars.volume[0] == 1e16  # each 1.0 rounds away: the sequential sum
    pairwise = np.add.reduceat(ticks.volume, np.arange(0, len(ticks), 24))
    assert pairwise[0] != bars.volume[0]  # the order matters for these values


def test_left_to_right_sums_fail_for_a_pairwise_order() -> None:
    values = np.array([1e16] + [1.0] * 40 + [3.0, 1e16] + [1.0] * 9, dtype=np.float64)
    firsts, lasts = np.array([0, 42]), np.array([41, 51])
    sums = _left_to_right_sums(values, firsts, lasts)
    expected = []
    for lo, hi in zip(firsts, lasts, strict=True):
        total = float(values[lo])
        for v in values[lo + 1 : hi + 1]:
            total += float(v)
        expected.append(total)
    assert sums.tolist() == expected
    assert np.add.reduce(values[:42]) != expected[0]


def test_declines_what_it_cannot_prove() -> None:
    rng = random.Random(3)
    times = _hourly(rng, 100, 0.0, datetime(2021, 1, 1, tzinfo=UTC))
    ticks = _ticks(times, rng)
    assert closed_columns(ticks, "1M", "1h") is None  # calendar months
    swapped = BarArrays("", ticks.time[::-1].copy(), ticks.open, ticks.high, ticks.low,
                        ticks.close, ticks.volume)  # fmt: skip
    assert closed_columns(swapped, "1d", "1h") is None  # not increasing
    zero = ticks.low.copy()
    zero[5] = 0.0
    with_zero = BarArrays("", ticks.time, ticks.open, ticks.high, zero, ticks.close, ticks.volume)
    assert closed_columns(with_zero, "1d", "1h") is None  # max/min keep the first of ±0
    nan = ticks.high.copy()
    nan[7] = math.nan
    with_nan = BarArrays("", ticks.time, ticks.open, nan, ticks.low, ticks.close, ticks.volume)
    assert closed_columns(with_nan, "1d", "1h") is None
    frame, release = closed_frame(ArrayBars(with_nan), with_nan, "1d", "1h")  # the resampler
    assert (_rows(frame), release.tolist()) == _reference(with_nan, "1d", "1h")


@pytest.mark.parametrize("tf", ["4h", "1d", "1w"])
def test_closed_frame_takes_the_columns_for_array_bars(tf: str) -> None:
    rng = random.Random(4)
    ticks = _ticks(_hourly(rng, 2000, 0.1, datetime(2020, 2, 3, 7, tzinfo=UTC)), rng)
    frame, release = closed_frame(ArrayBars(ticks), ticks, tf, "1h")
    assert (_rows(frame), release.tolist()) == _reference(ticks, tf, "1h")


def test_a_list_of_bars_takes_the_columns_only_with_aware_times() -> None:
    """Bars in a fixed offset other than UTC give the resampler's bars; a naive time
    makes the resampler raise (as the incremental engine would), never a guess."""
    rng = random.Random(5)
    plus_two = timezone(timedelta(hours=2))
    times = [
        t.astimezone(plus_two) for t in _hourly(rng, 300, 0.1, datetime(2020, 2, 3, tzinfo=UTC))
    ]
    bars = [Bar(t, 2.0, 3.0, 1.0, 2.5, 1.0 + k / 7) for k, t in enumerate(times)]
    arrays = BarArrays.from_bars(bars, "1h")
    frame, release = closed_frame(bars, arrays, "1d", "1h")
    closed, expected = higher_bars(bars, "1d", "1h")
    assert (_rows(frame), release.tolist()) == (_rows(BarArrays.from_bars(closed)), expected)
    naive = [Bar(t.replace(tzinfo=None), 2.0, 3.0, 1.0, 2.5, 1.0) for t in times]
    with pytest.raises(TypeError):
        closed_frame(naive, BarArrays.from_bars(naive, "1h"), "1d", "1h")
