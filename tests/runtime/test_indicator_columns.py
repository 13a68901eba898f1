"""The chunked indicator columns (issue 23, memory): the compiled kernels run a part at
a time with a carried state must give the incremental classes' values bit for bit,
however the series is cut — parts of one element, parts that split the warm-up, one
part for the whole — and the same values as the kernel run in one pass."""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.runtime import batch, indicator_series
from stc.runtime.indicator_columns import (
    adx_columns,
    atr_column,
    rolling_mean_column,
    rolling_mean_std_columns,
)
from stc.runtime.indicators import ADX, ATR, RollingMeanStd


def bits(values: Sequence[float | None]) -> list[object]:
    """Each value's bits (None and NaN alike: the kernels' NaN is the classes' None),
    so that -0.0 and 0.0 are told apart."""
    return [None if v is None or math.isnan(v) else struct.pack("<d", v) for v in values]


def array(values: Sequence[float]) -> np.ndarray:
    """A float64 column."""
    return np.array(values, dtype=np.float64)


# prices near 1.1 with repeats (flat stretches: equal true ranges, runs of equal values)
price = st.one_of(st.floats(0.9, 1.3, allow_nan=False), st.sampled_from([1.0, 1.1, 1.25]))
prices = st.lists(price, min_size=0, max_size=80)
volumes = st.lists(
    st.one_of(st.floats(0.0, 1e7, allow_nan=False), st.sampled_from([0.0, 100.0, 1e6 + 0.1])),
    min_size=0,
    max_size=80,
)
chunks = st.one_of(st.integers(1, 12), st.integers(13, 100))


def bars_from(closes: list[float], spreads: st.DataObject) -> tuple[list[float], ...]:
    """(high, low, close): high/low a drawn distance around each close (zero included)."""
    ups = spreads.draw(st.lists(st.sampled_from([0.0, 0.001, 0.0137, 0.05]),
                                min_size=len(closes), max_size=len(closes)))  # fmt: skip
    downs = spreads.draw(st.lists(st.sampled_from([0.0, 0.002, 0.0211, 0.04]),
                                  min_size=len(closes), max_size=len(closes)))  # fmt: skip
    high = [c + u for c, u in zip(closes, ups, strict=True)]
    low = [c - d for c, d in zip(closes, downs, strict=True)]
    return high, low, closes


@settings(max_examples=150, deadline=None)
@given(closes=prices, period=st.integers(1, 9), chunk=chunks, data=st.data())
def test_chunked_adx_equals_the_incremental_adx(
    closes: list[float], period: int, chunk: int, data: st.DataObject
) -> None:
    high, low, close = bars_from(closes, data)
    adx = ADX(period)
    readings = [adx.update(h, lo, c) for h, lo, c in zip(high, low, close, strict=True)]
    got = adx_columns(array(high), array(low), array(close), period, chunk=chunk)
    for k, column in enumerate(got):
        assert bits(column.tolist()) == bits([None if r is None else r[k] for r in readings])
    one_pass = indicator_series.adx_series(high, low, close, period)
    assert [bits(c.tolist()) for c in got] == [bits(c) for c in one_pass]


@settings(max_examples=150, deadline=None)
@given(closes=prices, period=st.integers(1, 9), chunk=chunks, data=st.data())
def test_chunked_atr_equals_the_incremental_atr(
    closes: list[float], period: int, chunk: int, data: st.DataObject
) -> None:
    high, low, close = bars_from(closes, data)
    atr = ATR(period)
    expected = [atr.update(h, lo, c) for h, lo, c in zip(high, low, close, strict=True)]
    got = atr_column(array(high), array(low), array(close), period, chunk=chunk)
    assert bits(got.tolist()) == bits(expected)


@settings(max_examples=200, deadline=None)
@given(values=volumes, window=st.integers(2, 9), chunk=chunks, before=st.booleans())
def test_chunked_rolling_mean_std_equals_the_incremental_class(
    values: list[float], window: int, chunk: int, before: bool
) -> None:
    stats = RollingMeanStd(window)
    means: list[float | None] = []
    stds: list[float | None] = []
    for x in values:
        if not before:
            stats.update(x)
        means.append(stats.mean)
        stds.append(stats.std)
        if before:
            stats.update(x)
    mean, std = rolling_mean_std_columns(array(values), window, before=before, chunk=chunk)
    assert bits(mean.tolist()) == bits(means)
    assert bits(std.tolist()) == bits(stds)
    alone = rolling_mean_column(array(values), window, before=before, chunk=chunk)
    assert bits(alone.tolist()) == bits(means)


def test_the_default_part_is_chunk_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``chunk`` the drivers cut at ``batch.CHUNK_BARS`` (the batch forms' parts,
    which the plugins' parity tests shrink): a run of equal values across a cut keeps
    its std exactly 0."""
    monkeypatch.setattr(batch, "CHUNK_BARS", 3)
    values = array([5.0, 1.0, 2.0] + [7.25] * 10)
    _, std = rolling_mean_std_columns(values, 4)
    assert std.tolist()[6:] == [0.0] * 7
    assert not np.any(std[3:6] == 0.0)


def test_a_part_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="chunk"):
        atr_column(array([1.0]), array([1.0]), array([1.0]), 2, chunk=0)


def test_a_window_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        rolling_mean_column(array([1.0, 2.0]), 1)
