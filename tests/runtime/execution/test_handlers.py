"""Paper handler (paced feed) and live handler (against the in-process FakeExchange)."""

from __future__ import annotations

import time
from pathlib import Path

from rt_helpers import EURUSD, PLUGIN_ROOTS, wiring

from stc.runtime.api import run
from stc.runtime.data import load_bars, paced
from stc.runtime.execution.connector import FakeExchange, OrderRequest


def _small_csv(tmp_path: Path, n: int = 400) -> Path:
    lines = EURUSD.read_text().splitlines()[: n + 1]
    path = tmp_path / "small.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_paper_handler_matches_backtest_at_high_speed(tmp_path: Path) -> None:
    data = _small_csv(tmp_path)
    back = run(wiring("swot"), data=data, out_dir=tmp_path / "b", plugin_roots=PLUGIN_ROOTS)
    start = time.monotonic()
    paper = run(wiring("swot"), data=data, out_dir=tmp_path / "p", env="paper", speed=1e7,
                plugin_roots=PLUGIN_ROOTS)  # fmt: skip
    assert time.monotonic() - start < 30
    assert paper.trades == back.trades and paper.trades


def test_paced_feed_waits_between_bars() -> None:
    bars = load_bars(EURUSD)[:4]
    start = time.monotonic()
    assert list(paced(bars, "1h", speed=3600 / 0.02)) == bars  # 20 ms per bar
    assert time.monotonic() - start >= 0.05


def test_live_handler_against_fake_exchange(tmp_path: Path) -> None:
    data = _small_csv(tmp_path, 800)
    exchange = FakeExchange()
    result = run(wiring("swot"), data=data, out_dir=tmp_path, env="live", connector=exchange,
                 plugin_roots=PLUGIN_ROOTS)  # fmt: skip
    assert result.trades and not result.faults
    kinds = {o.kind for o in exchange.submitted}
    assert {"MARKET", "STOP", "LIMIT"} <= kinds  # entries plus stop/target protection
    assert exchange.cancelled  # one-cancels-other
    bars = {b.time: b for b in load_bars(data)}
    market = [t for t in result.trades if t.exit_reason != "END_OF_DATA"]
    assert market
    reasons = {t.exit_reason for t in result.trades}
    assert reasons & {"STOP_LOSS", "TAKE_PROFIT"}
    for trade in result.trades:
        assert trade.entry_time in bars  # fills happen on bars after the decision


def test_fake_exchange_matches_like_the_fill_model() -> None:
    bars = load_bars(EURUSD)[:3]
    exchange = FakeExchange(slippage_pct=0.001)
    from decimal import Decimal

    exchange.submit(OrderRequest("a", "EURUSD", "BUY", "MARKET", Decimal(1)))
    exchange.submit(OrderRequest("b", "EURUSD", "BUY", "LIMIT", Decimal(1), 0.5))
    exchange.advance(bars[0])
    fills = exchange.poll_fills()
    assert [f.client_order_id for f in fills] == ["a"]
    # open × 1.001 is above the bar's high: slippage never leaves the bar's range
    assert bars[0].open * 1.001 > bars[0].high
    assert fills[0].price == bars[0].high
    assert "b" in exchange.open_orders
    exchange.cancel("b")
    assert exchange.cancelled == ["b"] and not exchange.open_orders


def test_live_handler_never_sends_orders_of_an_aborted_flow(tmp_path: Path) -> None:
    from rt_helpers import add_worker, plugin_worker, subscribe

    data = _small_csv(tmp_path, 800)
    clean_exchange = FakeExchange()
    clean = run(wiring("swot"), data=data, out_dir=tmp_path / "c", env="live",
                connector=clean_exchange, plugin_roots=PLUGIN_ROOTS)  # fmt: skip
    victim = clean.trades[0]
    tick = victim.trade_id.split("_")[1:3]
    stamp = f"{tick[0][:4]}-{tick[0][4:6]}-{tick[0][6:]}T{tick[1][:2]}:{tick[1][2:4]}:00+00:00"
    plan = wiring("swot")
    add_worker(plan, plugin_worker("boom", "boom_opportunity", "BoomOpportunity",
                                   "opportunity_worker", params={"fail_at": [stamp]}))  # fmt: skip
    subscribe(plan, "EXECUTION_DIRECTIVE_READY", "boom", "explode")
    exchange = FakeExchange()
    faulty = run(plan, data=data, out_dir=tmp_path / "f", env="live", connector=exchange,
                 plugin_roots=PLUGIN_ROOTS)  # fmt: skip
    assert len(faulty.faults) == 1
    assert not any(o.client_order_id.startswith(victim.trade_id) for o in exchange.submitted)
    assert any(o.client_order_id.startswith(victim.trade_id) for o in clean_exchange.submitted)
