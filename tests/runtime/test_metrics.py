"""Metrics conventions on hand-computed curves."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from stc.runtime.dtos.ledger import Trade
from stc.runtime.metrics import compute_metrics, max_drawdown, sharpe, sortino

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _trade(pnl: str) -> Trade:
    return Trade(
        trade_id="TRD_20240101_000000_00001", symbol="X", direction="BUY",
        execution_directive_id=None, entry_time=T0, entry_price=Decimal(1),
        size=Decimal(1), exit_time=T0, exit_price=Decimal(1), pnl=Decimal(pnl),
    )  # fmt: skip


def test_drawdown_sharpe_sortino() -> None:
    assert max_drawdown([110, 99, 120, 90], 100) == pytest.approx(0.25)
    returns = [0.01, -0.01, 0.02]
    mean, sd = 0.02 / 3, math.sqrt(sum((r - 0.02 / 3) ** 2 for r in returns) / 2)
    assert sharpe(returns, 100) == pytest.approx(mean / sd * 10)
    assert sortino(returns, 100) == pytest.approx(mean / math.sqrt(0.0001 / 3) * 10)


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
