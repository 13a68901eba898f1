"""Metrics conventions on hand-computed curves, and the streamed metrics against the
list-based formulas they replaced (bit for bit) and against pandas."""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from stc.runtime.dtos.ledger import Trade
from stc.runtime.metrics import MetricsStream, compute_metrics

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _trade(pnl: str) -> Trade:
    return Trade(
        trade_id="TRD_20240101_000000_00001", symbol="X", direction="BUY",
        execution_directive_id=None, entry_time=T0, entry_price=Decimal(1),
        size=Decimal(1), exit_time=T0, exit_price=Decimal(1), pnl=Decimal(pnl),
    )  # fmt: skip


def _stream(equity: list[float], start: float) -> dict[str, object]:
    times = [T0, T0 + timedelta(days=365.25)]
    return compute_metrics(equity, times, [], start, 0, 0)


def test_drawdown_sharpe_sortino() -> None:
    assert _stream([110, 99, 120, 90], 100)["max_drawdown"] == pytest.approx(0.25)
    equity = list(itertools.accumulate([1.01, 1 - 0.01, 1.02], lambda a, b: a * b, initial=100))
    returns = [b / a - 1 for a, b in itertools.pairwise(equity)]
    mean, sd = sum(returns) / 3, math.sqrt(sum((r - sum(returns) / 3) ** 2 for r in returns) / 2)
    m = _stream(equity[1:], 100)  # 3 bars in one year: 3 periods a year
    assert m["sharpe"] == pytest.approx(mean / sd * math.sqrt(3))
    assert m["sortino"] == pytest.approx(mean / math.sqrt(0.0001 / 3) * math.sqrt(3), rel=1e-3)


# --- the list-based formulas the stream replaced (stc before issue 27), verbatim -----
def _reference(equity: list[float], start: float) -> tuple[float, float, float]:
    bases = [start, *equity[:-1]]
    returns = [b / a - 1.0 for a, b in zip(bases, equity, strict=False) if a != 0]
    peak, worst = start, 0.0
    for value in equity:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, (peak - value) / peak)
    periods = float(len(equity))  # one year spanned
    sharpe = 0.0
    if len(returns) >= 2:
        mean = sum(returns) / len(returns)
        var = sum((r - mean) * (r - mean) for r in returns) / (len(returns) - 1)
        if not math.isfinite(var):
            sharpe = math.nan
        elif var > 0:
            sharpe = mean / math.sqrt(var) * math.sqrt(periods)
    sortino = 0.0
    if returns:
        mean = sum(returns) / len(returns)
        downside = math.sqrt(sum(min(r, 0.0) * min(r, 0.0) for r in returns) / len(returns))
        sortino = mean / downside * math.sqrt(periods) if downside > 0 else 0.0
    return worst, sharpe, sortino


def _unrounded(equity: list[float], start: float) -> tuple[float, float, float]:
    stream = MetricsStream(start)
    for value in equity:
        stream.add_equity(value)
    periods = float(len(equity))
    return stream._worst, stream._sharpe(periods), stream._sortino(periods)


def _same_bits(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("seed", range(40))
def test_streamed_metrics_are_the_list_formulas_bit_for_bit(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([0, 1, 2, 3, 50, 1000])
    start = rng.choice([100_000.0, 1.0, 0.0, -5.0])
    equity, value = [], start or 1.0
    for _ in range(n):  # a random walk with flat stretches, zeros, sign flips, blow-ups
        value = rng.choice([value, value * rng.lognormvariate(0, 0.02), 0.0, -value,
                            value * 1e300, rng.uniform(-1, 1)])  # fmt: skip
        equity.append(value)
    assert _same_bits(_unrounded(equity, start), _reference(equity, start))


def test_streamed_metrics_across_the_spill_file() -> None:
    rng = random.Random(7)
    equity = list(itertools.accumulate(
        (rng.lognormvariate(0, 0.001) for _ in range(150_000)), lambda a, b: a * b, initial=1e5
    ))[1:]  # fmt: skip
    assert _unrounded(equity, 1e5) == _reference(equity, 1e5)  # > 2 spilled chunks
    returns = pd.Series([1e5, *equity]).pct_change().dropna()
    expected = returns.mean() / returns.std() * math.sqrt(len(equity))  # pandas: ddof=1
    assert _unrounded(equity, 1e5)[1] == pytest.approx(expected, rel=1e-9)


def test_compute_metrics() -> None:
    times = [T0 + timedelta(days=365.25 * i / 4) for i in range(5)]
    equity = [100.0, 110.0, 105.0, 120.0, 121.0]
    m = compute_metrics(equity, times, [_trade("30"), _trade("-10"), _trade("5")], 100.0, 2, 1)
    assert m["total_return"] == pytest.approx(0.21)
    assert m["cagr"] == pytest.approx(0.21)  # exactly one year
    assert m["win_rate"] == pytest.approx(2 / 3)
    assert m["profit_factor"] == pytest.approx(3.5)
    assert m["exposure"] == pytest.approx(0.4) and m["faults"] == 1 and m["trades"] == 3
    assert m["periods_per_year"] == pytest.approx(5.0)
