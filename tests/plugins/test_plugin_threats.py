"""Threat workers: drawdown (ledger-driven), correlation breach and liquidity proxy."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from plugin_harness import bind, configured, make_bars, new_context, ticks

from stc.plugins.threat_worker.correlation_breach_detector.worker import CorrelationBreachDetector
from stc.plugins.threat_worker.liquidity_crisis_detector.worker import LiquidityCrisisDetector
from stc.plugins.threat_worker.max_drawdown_monitor.worker import MaxDrawdownMonitor
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.ledger import LedgerSnapshot
from stc.runtime.dtos.market import Bar
from stc.runtime.dtos.signals import ThreatSignal

WHEN = datetime(2024, 3, 1, 12, tzinfo=UTC)


def _snapshot(equity: str, peak: str = "10000") -> LedgerSnapshot:
    return LedgerSnapshot(
        timestamp=WHEN,
        cash=Decimal(equity),
        equity=Decimal(equity),
        peak_equity=Decimal(peak),
        realised_pnl=Decimal(0),
        unrealised_pnl=Decimal(0),
    )


@pytest.mark.parametrize(
    ("equity", "expected"),
    [
        ("10000", None),
        ("9600", None),  # 4 % < 0.5 × 10 %
        ("9500", ("DRAWDOWN_WARNING", Decimal("0.5"))),
        ("9250", ("DRAWDOWN_WARNING", Decimal("0.75"))),
        ("9000", ("MAX_DRAWDOWN_BREACH", Decimal("1"))),
        ("8000", ("MAX_DRAWDOWN_BREACH", Decimal("1"))),
    ],
)
def test_max_drawdown_monitor(equity: str, expected: tuple[str, Decimal] | None) -> None:
    worker = configured(MaxDrawdownMonitor, {"max_drawdown": 0.1, "warn_fraction": 0.5})
    worker.bind("max_drawdown_monitor", IdFactory())
    signal = worker.on_ledger_update(_snapshot(equity))
    if expected is None:
        assert signal is None
        return
    assert signal is not None
    assert (signal.threat_type, signal.severity) == expected
    assert signal.threat_id.startswith("THR_20240301_120000_")
    assert signal.source_worker_id == "max_drawdown_monitor" and signal.timestamp == WHEN
    assert signal.metadata["max_allowed"] == 0.1


def test_max_drawdown_defaults_and_determinism() -> None:
    results = []
    for _ in range(2):
        worker = configured(MaxDrawdownMonitor)
        worker.bind("m", IdFactory())
        results.append(worker.on_ledger_update(_snapshot("9333.33")))
    assert results[0] == results[1]
    assert results[0] is not None and results[0].severity == Decimal("0.66667")
    with pytest.raises(ValueError):
        configured(MaxDrawdownMonitor, {"max_drawdown": 0})


def _run(
    worker: CorrelationBreachDetector | LiquidityCrisisDetector, bars: list[Bar]
) -> list[ThreatSignal | None]:
    context = new_context()
    bind(worker, context)
    out: list[ThreatSignal | None] = []
    for _ in ticks(bars, context):
        out.append(worker.on_tick(context))
    return out


def _reference_deviation(bars: list[Bar], short: int, long: int) -> pd.Series:
    close = pd.Series([b.close for b in bars])
    ret = np.log(close / close.shift(1)).iloc[1:]
    vol = np.log1p(pd.Series([b.volume for b in bars])).iloc[1:]
    x = ret.abs()
    return x.rolling(short).corr(vol) - x.rolling(long).corr(vol)


def test_correlation_breach_matches_pandas(eurusd: list[Bar]) -> None:
    bars = eurusd[:2000]
    worker = configured(
        CorrelationBreachDetector, {"short_window": 30, "long_window": 300, "threshold": 0.3}
    )
    out = _run(worker, bars)
    deviation = _reference_deviation(bars, 30, 300)
    expected = {i for i, d in deviation.items() if abs(d) >= 0.3}
    emitted = {i for i, s in enumerate(out) if s}
    assert emitted == expected and emitted
    for i in emitted:
        signal = out[i]
        assert signal is not None and signal.threat_type == "CORRELATION_BREACH"
        assert float(signal.severity) == pytest.approx(min(1.0, abs(deviation[i])), abs=1e-6)
        assert signal.affected_asset == "EURUSD"


def test_correlation_breach_direction_filter(eurusd: list[Bar]) -> None:
    bars = eurusd[:2000]
    deviation = _reference_deviation(bars, 30, 300)
    for direction, keep in (("below", lambda d: -d >= 0.3), ("above", lambda d: d >= 0.3)):
        params = {"short_window": 30, "long_window": 300, "threshold": 0.3}
        worker = configured(CorrelationBreachDetector, {**params, "direction": direction})
        emitted = {i for i, s in enumerate(_run(worker, bars)) if s}
        assert emitted == {i for i, d in deviation.items() if keep(d)}


def test_correlation_breach_lagged_returns() -> None:
    """Trending (positively autocorrelated) returns that turn alternating: a breach."""
    closes = [100.0]
    for i in range(1, 400):
        step = 0.001 * (1 + 0.5 * math.sin(i / 3)) if i < 300 else 0.002 * (-1) ** i
        closes.append(closes[-1] * math.exp(step))
    bars = make_bars([(c, c * 1.001, c * 0.999, c) for c in closes])
    params = {"reference": "lagged_return", "short_window": 20, "long_window": 200}
    out = _run(configured(CorrelationBreachDetector, {**params, "direction": "below"}), bars)
    first = next(i for i, s in enumerate(out) if s)
    assert 300 < first < 320
    signal = out[first]
    assert signal is not None and signal.metadata["short_correlation"] < 0


def test_liquidity_crisis_wide_bar_on_thin_volume() -> None:
    calm = [(1.0, 1.01, 0.99, 1.0, v) for v in (100, 120, 80, 110, 90) * 4]
    thin_wide = (1.0, 1.05, 0.98, 1.04, 40)  # range 0.07 = 3.5 × mean, volume z < -2
    thick_wide = (1.0, 1.05, 0.98, 1.04, 200)
    thin_narrow = (1.0, 1.01, 0.99, 1.0, 40)
    for last, fires in ((thin_wide, True), (thick_wide, False), (thin_narrow, False)):
        out = _run(configured(LiquidityCrisisDetector, {"window": 20}), make_bars([*calm, last]))
        assert all(s is None for s in out[:-1])
        assert (out[-1] is not None) == fires
    signal = _run(
        configured(LiquidityCrisisDetector, {"window": 20}), make_bars([*calm, thin_wide])
    )[-1]
    assert signal is not None
    volumes = pd.Series([c[4] for c in calm], dtype=float)
    z = (40 - volumes.mean()) / volumes.std()
    thin = min(1.0, -z / 2.5)
    wide = min(1.0, (0.07 / 0.02 - 1.0) / 2.0)
    assert signal.severity == Decimal(str(round(math.sqrt(thin * wide), 6)))
    assert signal.metadata["volume_z"] == pytest.approx(z, abs=1e-6)


def test_liquidity_crisis_on_real_data_is_rare(eurusd: list[Bar]) -> None:
    out = _run(configured(LiquidityCrisisDetector, {}), eurusd)
    fired = [s for s in out if s]
    assert 0 < len(fired) < len(eurusd) * 0.05
    assert all(Decimal(0) < s.severity <= Decimal(1) for s in fired)
