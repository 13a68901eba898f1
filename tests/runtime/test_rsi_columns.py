"""The RSI column a part at a time (DivergenceScanner's batch form): the same floats as
the incremental :class:`~stc.runtime.indicators.RSI`, bit for bit, however the closes
are cut — parts of one bar, parts that split the warm-up, one part for all — on drawn
series, flat ones and one-bar windows; and close to pandas' own Wilder smoothing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rt_helpers import REPO
from test_indicator_columns import array, bits

from stc.runtime import batch
from stc.runtime.indicators import RSI
from stc.runtime.rsi_columns import rsi_column

# closes near 1.1 with repeats (flat stretches: no gain, no loss, RSI 50 or 100)
price = st.one_of(st.floats(0.9, 1.3, allow_nan=False), st.sampled_from([1.0, 1.1, 1.25]))
closes = st.lists(price, min_size=0, max_size=120)
periods = st.one_of(st.just(1), st.integers(2, 20))
chunks = st.integers(1, 100)


def incremental(values: list[float], period: int) -> list[float | None]:
    """What the handler's RSI reports bar by bar."""
    rsi = RSI(period)
    return [rsi.update(value) for value in values]


@settings(max_examples=300, deadline=None)
@given(values=closes, period=periods, chunk=chunks)
def test_parts_of_any_size_give_the_incremental_values(
    values: list[float], period: int, chunk: int
) -> None:
    column = rsi_column(array(values), period, chunk=chunk)
    assert column.dtype == np.float64 and len(column) == len(values)
    assert bits(column.tolist()) == bits(incremental(values, period))


@settings(max_examples=60, deadline=None)
@given(level=price, n=st.integers(0, 60), period=periods, chunk=chunks)
def test_a_flat_series_is_50_once_warm(level: float, n: int, period: int, chunk: int) -> None:
    values = [level] * n
    column = rsi_column(array(values), period, chunk=chunk).tolist()
    assert bits(column) == bits(incremental(values, period))
    assert all(math.isnan(v) for v in column[:period])
    assert column[period:] == [50.0] * max(0, n - period)


def test_one_bar_windows_and_the_default_part_size() -> None:
    """Period 1 reports from bar 2 (100 up, 0 down, 50 flat); the default part size is
    ``batch.CHUNK_BARS``, read at call time."""
    values = [1.0, 1.1, 1.05, 1.05, 1.2]
    assert bits(rsi_column(array(values), 1).tolist()) == bits([None, 100.0, 0.0, 50.0, 100.0])
    old = batch.CHUNK_BARS
    try:
        batch.CHUNK_BARS = 2
        assert bits(rsi_column(array(values), 2).tolist()) == bits(incremental(values, 2))
    finally:
        batch.CHUNK_BARS = old


def test_a_bad_period_or_part_size_is_refused() -> None:
    with pytest.raises(ValueError):
        rsi_column(array([1.0, 2.0]), 0)
    with pytest.raises(ValueError, match="chunk"):
        rsi_column(array([1.0, 2.0]), 14, chunk=0)


@pytest.mark.parametrize("name", ["EURUSD_1h.csv", "GOOG_1d.csv", "BTCUSD_1M.csv"])
def test_real_closes_in_parts_match_the_class_and_pandas(name: str) -> None:
    """The three data sets' closes cut in 97-bar parts: the class's floats exactly; and,
    checked against a Wilder average we did not write (pandas' ``ewm`` with ``alpha =
    1/n``, seeded by the first ``n`` changes' mean), equal to 1e-9."""
    close = pd.read_csv(REPO / "data" / name)["Close"].to_numpy(dtype=np.float64)
    period = 14
    column = rsi_column(close, period, chunk=97)
    assert bits(column.tolist()) == bits(incremental(close.tolist(), period))
    change = pd.Series(np.diff(close))
    averages = []
    for side in (change.clip(lower=0.0), (-change).clip(lower=0.0)):
        seeded = pd.concat([pd.Series([side[:period].mean()]), side[period:]])
        averages.append(seeded.ewm(alpha=1.0 / period, adjust=False).mean().to_numpy())
    gain, loss = averages
    flat = np.where(gain > 0.0, 100.0, 50.0)
    expected = np.where(loss == 0.0, flat, 100 - 100 / (1 + gain / loss))
    assert np.allclose(column[period:], expected, rtol=1e-9, atol=1e-9)
    assert np.isnan(column[:period]).all()
