"""Incremental indicators against independent implementations (pandas, ``ta``).

Tolerances measured on EURUSD 1h (5000 bars):
* EMA vs pandas ``ewm(span, adjust=False, min_periods=span)``: < 1e-12 from the first
  value on (same seeding).
* ATR vs ``ta.volatility.AverageTrueRange``: < 1e-12 from bar ``period`` on (ta also
  seeds with the SMA of the first ``period`` true ranges, bar one = high - low).
* ADX, +DI, -DI vs ``ta.trend.ADXIndicator``: < 1e-9 from bar 2·period on (same Wilder
  sums; ta leaves its very last bar at 0 and +DI/-DI of bar ``period`` at 0, skipped).
* RSI: exact (< 1e-9) vs a pandas rendering of Wilder's SMA-seeded RSI; vs
  ``ta.momentum.RSIIndicator`` (which seeds its averages with a zero change on bar one)
  the difference decays geometrically: < 1e-6 after 20·period bars, < 1e-9 after
  50·period. Feeding our WilderRMA ta's convention reproduces ta to < 1e-9.
* Rolling mean / sample std / correlation vs pandas ``rolling``: < 1e-9 relative.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
import ta
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.plugins._lib import clamp01, to_score
from stc.runtime.dtos.market import Bar
from stc.runtime.indicators import (
    ADX,
    ATR,
    EMA,
    RSI,
    EMACross,
    EMAStack,
    RollingCorrelation,
    RollingMeanStd,
    WilderRMA,
)


@pytest.fixture(scope="module")
def frame(eurusd: list[Bar]) -> pd.DataFrame:
    """The bars as a DataFrame with high/low/close/volume columns."""
    return pd.DataFrame(
        {
            "high": [b.high for b in eurusd],
            "low": [b.low for b in eurusd],
            "close": [b.close for b in eurusd],
            "volume": [b.volume for b in eurusd],
        }
    )


def _series(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("span", [1, 5, 20, 50, 200])
def test_ema_matches_pandas_ewm(frame: pd.DataFrame, span: int) -> None:
    ema = EMA(span)
    mine = _series([ema.update(x) for x in frame.close])
    ref = frame.close.ewm(span=span, adjust=False, min_periods=span).mean().to_numpy()
    assert np.array_equal(np.isnan(mine), np.isnan(ref))
    assert np.nanmax(np.abs(mine - ref)) < 1e-12
    assert ema.value == pytest.approx(ref[-1], abs=1e-12)


@pytest.mark.parametrize("period", [3, 14, 30])
def test_wilder_rma_first_seed_matches_pandas(frame: pd.DataFrame, period: int) -> None:
    rma = WilderRMA(period, seed="first")
    mine = _series([rma.update(x) for x in frame.volume])
    ref = frame.volume.ewm(alpha=1 / period, adjust=False, min_periods=period).mean()
    assert np.nanmax(np.abs(mine - ref.to_numpy()) / ref.to_numpy()) < 1e-12


def test_wilder_rma_sma_seed() -> None:
    rma = WilderRMA(3)
    assert [rma.update(x) for x in (3.0, 6.0)] == [None, None]
    assert rma.update(9.0) == pytest.approx(6.0)
    assert rma.update(12.0) == pytest.approx(6.0 + (12.0 - 6.0) / 3)


@pytest.mark.parametrize("period", [5, 14, 30])
def test_atr_matches_ta(frame: pd.DataFrame, period: int) -> None:
    atr = ATR(period)
    mine = _series(
        [atr.update(h, lo, c) for h, lo, c in zip(frame.high, frame.low, frame.close, strict=True)]
    )
    ref = ta.volatility.AverageTrueRange(
        frame.high, frame.low, frame.close, window=period
    ).average_true_range()
    assert np.isnan(mine[: period - 1]).all() and not np.isnan(mine[period - 1])
    assert np.max(np.abs(mine[period - 1 :] - ref.to_numpy()[period - 1 :])) < 1e-12


@pytest.mark.parametrize("period", [5, 14, 20])
def test_adx_and_di_match_ta(frame: pd.DataFrame, period: int) -> None:
    adx = ADX(period)
    rows = [
        adx.update(h, lo, c) for h, lo, c in zip(frame.high, frame.low, frame.close, strict=True)
    ]
    first = 2 * period - 1
    assert all(r is None for r in rows[:first]) and rows[first] is not None
    ind = ta.trend.ADXIndicator(frame.high, frame.low, frame.close, window=period)
    ok = [r for r in rows[first:-1] if r is not None]
    span = slice(first, len(rows) - 1)  # ta leaves its last bar at 0
    assert np.max(np.abs(np.array([r.adx for r in ok]) - ind.adx().to_numpy()[span])) < 1e-9
    plus = np.array([r.plus_di for r in ok]) - ind.adx_pos().to_numpy()[span]
    minus = np.array([r.minus_di for r in ok]) - ind.adx_neg().to_numpy()[span]
    assert np.max(np.abs(plus)) < 1e-9 and np.max(np.abs(minus)) < 1e-9


def _wilder_rsi_reference(close: pd.Series, period: int) -> np.ndarray:
    """Wilder's RSI in pandas: averages seeded with the SMA of changes 1..period."""
    diff = close.diff()
    out = np.full(len(close), np.nan)
    averages = []
    for side in (diff.clip(lower=0.0), (-diff).clip(lower=0.0)):
        seeded = side.iloc[period:].copy()
        seeded.iloc[0] = side.iloc[1 : period + 1].mean()
        averages.append(seeded.ewm(alpha=1 / period, adjust=False).mean().to_numpy())
    gain, loss = averages
    out[period:] = 100.0 - 100.0 / (1.0 + gain / loss)
    return out


@pytest.mark.parametrize("period", [5, 14, 30])
def test_rsi_is_wilder_and_converges_to_ta(frame: pd.DataFrame, period: int) -> None:
    rsi = RSI(period)
    mine = _series([rsi.update(c) for c in frame.close])
    assert np.isnan(mine[:period]).all() and not np.isnan(mine[period])
    assert np.nanmax(np.abs(mine - _wilder_rsi_reference(frame.close, period))) < 1e-9
    ref = ta.momentum.RSIIndicator(frame.close, window=period).rsi().to_numpy()
    assert np.max(np.abs(mine[20 * period :] - ref[20 * period :])) < 1e-6
    assert np.max(np.abs(mine[50 * period :] - ref[50 * period :])) < 1e-9


def test_wilder_rma_reproduces_ta_rsi_convention(frame: pd.DataFrame) -> None:
    """ta seeds with a zero change on bar one; our RMA with seed="first" does the same."""
    period = 14
    gain, loss = WilderRMA(period, seed="first"), WilderRMA(period, seed="first")
    prev: float | None = None
    values: list[float | None] = []
    for close in frame.close:
        change = 0.0 if prev is None else close - prev
        prev = close
        g, lo = gain.update(max(change, 0.0)), loss.update(max(-change, 0.0))
        values.append(None if g is None or lo is None else 100 - 100 / (1 + g / lo))
    ref = ta.momentum.RSIIndicator(frame.close, window=period).rsi().to_numpy()
    assert np.nanmax(np.abs(_series(values) - ref)) < 1e-9


def test_rsi_edge_cases() -> None:
    rising, flat = RSI(3), RSI(3)
    assert [rising.update(x) for x in (1, 2, 3, 4)][-1] == 100.0
    assert [flat.update(1.0) for _ in range(4)][-1] == 50.0


@pytest.mark.parametrize("window", [2, 20, 500])
def test_rolling_mean_std_matches_pandas(frame: pd.DataFrame, window: int) -> None:
    stats = RollingMeanStd(window)
    means, stds = [], []
    for value in frame.volume:
        stats.update(value)
        means.append(stats.mean)
        stds.append(stats.std)
    ref_mean = frame.volume.rolling(window).mean().to_numpy()
    ref_std = frame.volume.rolling(window).std().to_numpy()
    assert np.array_equal(np.isnan(_series(means)), np.isnan(ref_mean))
    assert np.nanmax(np.abs(_series(means) - ref_mean) / ref_mean) < 1e-9
    assert np.nanmax(np.abs(_series(stds) - ref_std) / np.maximum(ref_std, 1.0)) < 1e-9


def test_rolling_stats_on_prices_do_not_cancel(frame: pd.DataFrame) -> None:
    """Prices near 1.1 with tiny variance: the shifted sums keep the std accurate."""
    stats = RollingMeanStd(50)
    for value in frame.close:
        stats.update(value)
    ref = frame.close.iloc[-50:].std()
    assert stats.std == pytest.approx(ref, rel=1e-7)
    assert stats.zscore(float(frame.close.iloc[-1])) == pytest.approx(
        (frame.close.iloc[-1] - frame.close.iloc[-50:].mean()) / ref, rel=1e-6
    )


@pytest.mark.parametrize("window", [5, 50, 500])
def test_rolling_correlation_matches_pandas(frame: pd.DataFrame, window: int) -> None:
    returns = np.log(frame.close).diff().fillna(0.0)
    corr = RollingCorrelation(window)
    mine = _series([corr.update(x, y) for x, y in zip(returns, frame.volume, strict=True)])
    ref = returns.rolling(window).corr(frame.volume).to_numpy()
    assert np.nanmax(np.abs(mine - ref)) < 1e-9


def test_rolling_correlation_undefined_on_constant_side() -> None:
    corr = RollingCorrelation(3)
    assert [corr.update(float(i), 1.0) for i in range(4)] == [None] * 4


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=60),
    st.integers(2, 10),
)
def test_rolling_mean_std_property(values: list[float], window: int) -> None:
    stats = RollingMeanStd(window)
    for value in values:
        stats.update(value)
    if len(values) < window:
        assert stats.mean is None
        return
    tail = pd.Series(values[-window:])
    assert stats.mean == pytest.approx(tail.mean(), abs=1e-6)
    scale = max(1.0, max(abs(v) for v in values[-window:]))
    assert stats.std is not None
    assert stats.std**2 == pytest.approx(tail.var(), abs=1e-9 * scale * scale)
    if len(set(values[-window:])) == 1:
        assert stats.std == 0.0


def test_score_helpers() -> None:
    assert clamp01(math.nan) == 0.0 and clamp01(2.0) == 1.0 and clamp01(-1.0) == 0.0
    assert str(to_score(0.1234567)) == "0.123457"
    assert str(to_score(1.5)) == "1.0"


def test_bad_periods_rejected() -> None:
    for build in (lambda: EMA(0), lambda: RollingMeanStd(1), lambda: RollingCorrelation(1)):
        with pytest.raises(ValueError):
            build()


_CLOSES = st.lists(
    st.floats(min_value=0.5, max_value=2.0, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(
    closes=_CLOSES,
    periods=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    absolute=st.booleans(),
)
def test_ema_stack_is_its_emas_and_the_bullish_stack(
    closes: list[float], periods: list[int], absolute: bool
) -> None:
    """EMAStack (EMADetector's compiled per-tick body) = one EMA per distinct period,
    reported once all are warm, with the fraction of bullish neighbours of (close,
    EMA_shortest, …, EMA_longest) — or |2·fraction − 1| — computed the long way."""
    stack = EMAStack(tuple(periods), absolute=absolute)
    emas = {p: EMA(p) for p in sorted(set(periods))}
    for close in closes:
        got = stack.update(close)
        values = {p: ema.update(close) for p, ema in emas.items()}
        if any(v is None for v in values.values()):
            assert got is None
            continue
        chain = [close, *(values[p] for p in sorted(values))]
        fraction = sum(a > b for a, b in pairwise(chain)) / len(values)
        assert got == (values, abs(2 * fraction - 1) if absolute else fraction)
        assert list(got[0]) == sorted(values)  # shortest period first


@settings(max_examples=200, deadline=None)
@given(closes=_CLOSES, fast=st.integers(1, 6), extra=st.integers(1, 6))
def test_ema_cross_flags_the_bar_on_which_the_order_flips(
    closes: list[float], fast: int, extra: int
) -> None:
    """+1/−1 exactly on the bars where sign(fast − slow) differs from the last non-zero
    sign before it (not on the first order seen, not on a touch), 0 everywhere else."""
    cross, f, s = EMACross(fast, fast + extra), EMA(fast), EMA(fast + extra)
    last = 0
    for close in closes:
        a, b = f.update(close), s.update(close)
        expected = 0
        if a is not None and b is not None and a != b:
            sign = 1 if a > b else -1
            expected = sign if last not in (0, sign) else 0
            last = sign
        assert cross.update(close) == expected
