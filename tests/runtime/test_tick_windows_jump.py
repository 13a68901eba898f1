"""``TickWindows.jump`` (the fast engine's shortcut over a skipped stretch with higher
timeframes) leaves every window, resampler, count and the warm-up flag exactly as
pushing each skipped bar through ``TickWindows.advance`` would: checked on every tick
that runs afterwards, over gappy hourly walks, 4h / 1d / 1w, stretches of every
length, and with warm-ups long enough to end inside a stretch."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.runtime.batch import BarArrays
from stc.runtime.batched import HigherAhead, higher_bars
from stc.runtime.dtos.market import Bar, OHLCVWindow
from stc.runtime.tick_windows import TickWindows

TIMEFRAMES = ("1h", "4h", "1d", "1w")


def _walk(seed: int, count: int, gap_rate: float) -> list[Bar]:
    rng = random.Random(seed)
    time, price, bars = datetime(2023, 1, 2, 5, tzinfo=UTC), 100.0, []
    for _ in range(count):
        close = price * (1 + rng.gauss(0, 0.01))
        bars.append(Bar(time, price, max(price, close) + 0.1, min(price, close) - 0.1, close,
                        rng.uniform(1, 9)))  # fmt: skip
        price = close
        time += timedelta(hours=1 + (rng.randint(1, 40) if rng.random() < gap_rate else 0))
    return bars


def _windows(needs: dict[str, int]) -> TickWindows:
    windows = {tf: OHLCVWindow(tf, 2 * needs.get(tf, 1) + 3) for tf in TIMEFRAMES}
    return TickWindows(TIMEFRAMES, windows, needs)


def _state(windows: TickWindows) -> tuple[object, ...]:
    def rows(window: OHLCVWindow) -> list[tuple[object, ...]]:
        return [(b.time.isoformat(), b.open, b.high, b.low, b.close, b.volume) for b in window]

    return (
        {tf: rows(window) for tf, window in windows.windows.items()},
        {tf: n for tf, n in windows.closed.items() if tf != "1h"},
        # the tick count only decides warm-up: ``skip`` stops it at the warming bar
        windows.warm,
        {tf: rows_of(bars) for tf, bars in windows.released.items()},
    )


def rows_of(bars: list[Bar]) -> list[tuple[object, ...]]:
    return [(b.time.isoformat(), b.open, b.high, b.low, b.close, b.volume) for b in bars]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    gap_rate=st.sampled_from([0.0, 0.03, 0.2]),
    run_rate=st.sampled_from([0.02, 0.1, 0.5]),
    need_4h=st.integers(1, 60),
)
def test_a_jump_equals_pushing_every_bar(
    seed: int, gap_rate: float, run_rate: float, need_4h: int
) -> None:
    bars = _walk(seed, 1500, gap_rate)
    ticks = BarArrays.from_bars(bars, "1h")
    ahead = {}
    for tf in TIMEFRAMES[1:]:
        closed, release = higher_bars(bars, tf, "1h")
        ahead[tf] = HigherAhead(
            BarArrays.from_bars(closed, tf), np.asarray(release, dtype=np.int64), ticks
        )
    needs = {"1h": 30, "4h": need_4h, "1d": 3}
    reference, jumping = _windows(needs), _windows(needs)
    rng = random.Random(seed)
    index = 0
    jumps = 0
    while index < len(bars):
        reference.advance(bars[index])
        jumping.advance(bars[index])
        assert _state(jumping) == _state(reference), index
        index += 1
        stretch = 0 if rng.random() < run_rate else rng.randint(1, 400)
        hi = min(index + stretch, len(bars))
        if hi == index:
            continue
        for bar in bars[index:hi]:
            reference.advance(bar)
        capacity = jumping.tick_window.capacity
        parts = [ahead[w.timeframe].stretch(bars, index, hi, w.capacity)
                 for _, w in jumping.resamplers]  # fmt: skip
        jumps += any(part[2] is not None for part in parts)
        jumping.jump(bars[max(index, hi - capacity) : hi], hi - index, parts, bars[index:hi])
        index = hi
    assert jumps, "no stretch jumped: nothing was compared"
