"""Fidelity against an independent engine (issue 5): the EMA(20/50) cross, long only,
market entry at the next bar's open, exit on the opposite cross, no fees, run by stc
on the real EURUSD_1h sample, gives the same trades (entry and exit bars and prices)
and the same final equity as the same logic written for the ``backtesting`` package.

Sizing is made comparable: stc's FixedRiskSizer with ``account_risk_pct`` equal to the
stop tolerance puts the whole equity in each trade (risk / stop distance = equity /
price); backtesting's FractionalBacktest buys the same fraction of equity in
fractional units. The stop (−20 %) and target (10R) are never reached on EUR/USD, so
only the crosses trade.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from stc.compiler import compile_blueprint
from stc.runtime.api import run
from tests.conftest import REPO

FAST, SLOW = 20, 50
TOLERANCE = 0.2
BLUEPRINT = f"""
blueprint_version: 1
name: ema_fidelity
symbol: EURUSD
timeframes: [1h]
workforce:
  opportunity_workers:
    - plugin: EMACrossDetector
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


def _stc_trades(tmp_path: Path) -> tuple[list[tuple[str, str, float, float]], float]:
    path = tmp_path / "ema_fidelity.yaml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    compiled = compile_blueprint(path)
    assert compiled.ok, compiled.rendered_diagnostics()
    result = run(yaml.safe_load(compiled.wiring_map), out_dir=tmp_path / "run")
    assert not result.faults
    trades = [
        (t.entry_time.isoformat()[:16], t.exit_time.isoformat()[:16] if t.exit_time else "",
         float(t.entry_price), float(t.exit_price or 0))
        for t in result.trades
    ]  # fmt: skip
    return trades, float(result.equity_curve[-1])


def _reference_trades() -> tuple[list[tuple[str, str, float, float]], float]:
    from backtesting import Strategy
    from backtesting.lib import FractionalBacktest, crossover

    data = pd.read_csv(REPO / "data" / "EURUSD_1h.csv", index_col=0, parse_dates=True)

    def ema(values: pd.Series, span: int) -> pd.Series:
        return pd.Series(values).ewm(span=span, adjust=False).mean()

    class EmaCross(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            self.fast = self.I(ema, self.data.Close, FAST)
            self.slow = self.I(ema, self.data.Close, SLOW)

        def next(self) -> None:
            if len(self.data) <= SLOW + 1:  # stc's warm-up: params.slow + 1 bars
                return
            if crossover(self.fast, self.slow) and not self.position:
                self.buy(size=0.9999999)
            elif crossover(self.slow, self.fast) and self.position:
                self.position.close()

    test = FractionalBacktest(
        data, EmaCross, cash=10_000, commission=0.0, fractional_unit=1e-8,
        finalize_trades=False, trade_on_close=False,
    )  # fmt: skip
    stats = test.run()
    frame = stats["_trades"]
    trades = [
        (row.EntryTime.isoformat()[:16], row.ExitTime.isoformat()[:16],
         float(row.EntryPrice), float(row.ExitPrice))
        for row in frame.itertuples()
    ]  # fmt: skip
    return trades, float(stats["Equity Final [$]"])


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_stc_matches_backtesting_py_trade_for_trade(tmp_path: Path) -> None:
    ours, our_equity = _stc_trades(tmp_path)
    theirs, their_equity = _reference_trades()
    closed = [t for t in ours if t[1]]
    assert len(closed) >= 20
    assert [t[:2] for t in closed] == [t[:2] for t in theirs[: len(closed)]]
    for mine, ref in zip(closed, theirs, strict=False):
        assert mine[2] == pytest.approx(ref[2], abs=1e-9)
        assert mine[3] == pytest.approx(ref[3], abs=1e-9)
    assert our_equity == pytest.approx(their_equity, rel=1e-5)
