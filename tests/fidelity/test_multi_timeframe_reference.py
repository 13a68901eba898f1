"""A multi-timeframe strategy against an independent pandas reference (issue 19):
ticks on 1h, an EMA(10/30) cross of the **4h** closes decides, long only, market
entry and exit at the open of the 1h bar after the tick that closed the 4h bar, the
whole equity in each trade, no costs. The reference resamples with pandas, computes
the EMAs with ``ewm`` and replays the same rules; the trades must agree one for one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
import yaml

from stc.compiler import compile_blueprint
from stc.runtime.api import run
from stc.runtime.data import load_bars
from stc.runtime.dtos.market import Bar
from tests.conftest import REPO

FAST, SLOW = 10, 30
TOLERANCE = 0.2
HOUR, FOUR = timedelta(hours=1), timedelta(hours=4)
BLUEPRINT = f"""
blueprint_version: 1
name: ema_4h_fidelity
symbol: EURUSD
timeframes: [1h, 4h]
workforce:
  opportunity_workers:
    - plugin: EMACrossDetector
      timeframe: 4h
      params: {{fast: {FAST}, slow: {SLOW}, long_only: true, confidence: 0.9}}
  strategy_planner:
    plugin: AdaptiveMomentumPlanner
    params: {{stop_loss_tolerance: {TOLERANCE}, account_risk_pct: {TOLERANCE},
             risk_reward_ratio: 10}}
  planning_workers:
    entry: [{{plugin: AggressiveMarketEntryPlanner}}]
    size: [{{plugin: FixedRiskSizer}}]
    exit: [{{plugin: FixedRRExitPlanner, params: {{risk_reward: 10}}}}]
    routing: [{{plugin: MarketOrderRouter}}]
"""
Trade = tuple[datetime, datetime, float, float]


def _stc(tmp_path: Path) -> tuple[list[Trade], float]:
    path = tmp_path / "ema_4h.yaml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    compiled = compile_blueprint(path)
    assert compiled.ok, compiled.rendered_diagnostics()
    result = run(yaml.safe_load(compiled.wiring_map), out_dir=tmp_path / "run")
    assert not result.faults
    trades = [
        (t.entry_time, t.exit_time, float(t.entry_price), float(t.exit_price or 0))
        for t in result.trades
        if t.exit_reason == "SIGNAL"
    ]
    return trades, float(result.equity_curve[-1])


def _releases(bars: list[Bar]) -> dict[datetime, datetime]:
    """4h bar start → the 1h tick that closes it: its last hour when present, else
    the first tick of a later period (docs/runtime.md, "Multiple timeframes")."""
    times = [b.time for b in bars]
    out: dict[datetime, datetime] = {}
    for i, when in enumerate(times):
        start = pd.Timestamp(when).floor("4h").to_pydatetime()  # epoch-aligned
        if when + HOUR == start + FOUR:
            out[start] = when
        elif i + 1 < len(times) and times[i + 1] >= start + FOUR:
            out[start] = times[i + 1]  # released on the next (later period's) tick
    return out


def _reference(bars: list[Bar]) -> tuple[list[Trade], float]:
    frame = pd.DataFrame(
        {k: [getattr(b, k) for b in bars] for k in ("open", "close")},
        index=pd.DatetimeIndex([b.time for b in bars]),
    )
    four = frame.resample("4h", origin="epoch", closed="left", label="left").agg(
        {"open": "first", "close": "last"}
    )
    four = four.dropna()
    fast = four.close.ewm(span=FAST, adjust=False, min_periods=FAST).mean()
    slow = four.close.ewm(span=SLOW, adjust=False, min_periods=SLOW).mean()
    releases = _releases(bars)
    next_bar = {a.time: b for a, b in pairwise(bars)}
    tick_close = {b.time: b.close for b in bars}
    equity, size, position = 10_000.0, 0.0, None
    trades: list[Trade] = []
    last_sign = 0
    for k, (start, f, s) in enumerate(zip(four.index, fast, slow, strict=True)):
        start = start.to_pydatetime()
        if pd.isna(f) or pd.isna(s) or f == s or start not in releases:
            continue
        sign = 1 if f > s else -1
        previous, last_sign = last_sign, sign
        if previous in (0, sign) or k < SLOW:  # no flip, or the plan is not warm yet
            continue
        tick = releases[start]
        fill = next_bar.get(tick)
        if fill is None:
            continue
        if sign > 0 and position is None:
            size = equity / tick_close[tick]  # FixedRiskSizer: risk / stop distance
            position = (fill.time, fill.open)
        elif sign < 0 and position is not None:
            trades.append((position[0], fill.time, position[1], fill.open))
            equity += size * (fill.open - position[1])
            position = None
    return trades, equity


@pytest.mark.slow
def test_a_4h_ema_cross_matches_a_pandas_reference_trade_for_trade(tmp_path: Path) -> None:
    bars = load_bars(REPO / "data" / "EURUSD_1h.csv")
    ours, our_equity = _stc(tmp_path)
    theirs, their_equity = _reference(bars)
    assert len(theirs) >= 10
    assert [t[:2] for t in ours] == [t[:2] for t in theirs]
    for mine, ref in zip(ours, theirs, strict=True):
        assert mine[2] == pytest.approx(ref[2], abs=1e-9)
        assert mine[3] == pytest.approx(ref[3], abs=1e-9)
    if len(ours) == len(theirs):  # no trade left open at the end of the data
        assert our_equity == pytest.approx(their_equity, rel=1e-6)
