"""The report stays bounded (issues 23, 25, 27): decimation, monthly returns against
pandas, buy-and-hold against backtesting.py, and the size of a long, busy run's page."""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import pytest

from stc.runtime.data import load_bars
from stc.runtime.report import load_run, write_report
from stc.runtime.report.decimate import CandleDecimator, ExtremeDecimator
from stc.runtime.report.load import MAX_CHAINS
from stc.runtime.report.page import DATA_ID
from stc.runtime.report.prices import summarise
from stc.runtime.report.trades import KEPT_COLUMNS, MAX_TRADES, scan_trades
from tests.runtime.report.synthetic_run import write_run

REPO = Path(__file__).resolve().parents[3]


def _walk(n: int, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    values, value = [], 100.0
    for _ in range(n):
        value *= 1.0 + rng.gauss(0.0, 0.01)
        values.append(value)
    return values


@pytest.mark.parametrize("n", [1, 2, 7, 100, 101, 5_000, 33_333])
def test_candles_are_bounded_exact_and_keep_every_extreme(n: int) -> None:
    closes = _walk(n)
    bars = [
        (float(i), c * 0.999, c * 1.01, c * 0.98, c, float(i % 7)) for i, c in enumerate(closes)
    ]
    decimator = CandleDecimator(limit=100)
    for bar in bars:
        decimator.push(*bar)
    candles = decimator.candles
    assert len(candles) <= 100 and decimator.count == n
    assert sum(c.bars for c in candles) == n
    if n <= 100:  # a short run is drawn bar for bar
        assert [(c.time, c.open, c.high, c.low, c.close, c.volume) for c in candles] == bars
        return
    assert len(candles) > 50  # at least half the budget is used
    start = 0
    for candle in candles:  # each candle aggregates its bars exactly
        chunk = bars[start : start + candle.bars]
        assert candle.time == chunk[0][0] and candle.open == chunk[0][1]
        assert candle.high == max(b[2] for b in chunk) and candle.low == min(b[3] for b in chunk)
        assert candle.close == chunk[-1][4] and candle.volume == sum(b[5] for b in chunk)
        start += candle.bars


@pytest.mark.parametrize("n", [1, 3, 150, 10_000])
def test_lines_keep_first_last_extremes_and_the_max_drawdown(n: int) -> None:
    values = _walk(n, seed=n)
    if n > 10:
        values[n // 3] = 1e6  # a spike and a crash must survive
        values[n // 2] = 1e-3
    line = ExtremeDecimator(limit=50)
    for i, v in enumerate(values):
        line.push(float(i), v)
    kept = line.points()
    assert len(kept) <= 2 * 50 + 4
    indexes = [p.index for p in kept]
    assert indexes == sorted(set(indexes))
    assert indexes[0] == 0 and indexes[-1] == n - 1
    assert max(p.value for p in kept) == max(values) and min(p.value for p in kept) == min(values)
    if n <= 50:
        assert indexes == list(range(n))
    peak, deepest = values[0], 0.0
    for v in values:
        peak = max(peak, v)
        deepest = min(deepest, v / peak - 1.0)
    assert line.drawdown == pytest.approx(deepest, rel=1e-12, abs=0)
    drawn_peak, drawn = kept[0].value, 0.0  # the drawn line shows the same maximum drawdown
    for point in kept:
        drawn_peak = max(drawn_peak, point.value)
        drawn = min(drawn, point.value / drawn_peak - 1.0)
    assert drawn == pytest.approx(deepest, rel=1e-12, abs=0)


def _equity_frame(run_dir: Path, data: Path) -> object:
    """The full per-bar equity, rebuilt independently with pandas from trades.csv."""
    pd = pytest.importorskip("pandas")
    bars = pd.read_csv(data, parse_dates=["time"]).set_index("time")
    bars.index = bars.index.tz_localize("UTC")
    trades = pd.read_csv(run_dir / "trades.csv", parse_dates=["entry_time", "exit_time"])
    equity = pd.Series(10_000.0, index=bars.index)
    for trade in trades.itertuples():
        sign = -1.0 if trade.direction == "SELL" else 1.0
        held = (bars.index >= trade.entry_time) & (bars.index < trade.exit_time)
        equity[held] += sign * (bars.close[held] - trade.entry_price) * trade.size - trade.fees / 2
        equity[bars.index >= trade.exit_time] += trade.pnl
    return equity


def test_monthly_returns_and_equity_match_pandas(tmp_path: Path) -> None:
    run_dir, data = write_run(tmp_path / "run", bars=3_000, trades=40)
    run = load_run(run_dir, data=data)
    assert run.prices is not None and run.prices.bars == 3_000
    equity = _equity_frame(run_dir, data)
    assert run.prices.final_equity == pytest.approx(equity.iloc[-1], rel=1e-12)
    returns = equity.pct_change().fillna(0.0)
    monthly = returns.groupby([returns.index.year, returns.index.month]).apply(
        lambda r: (1.0 + r).prod() - 1.0
    )
    ours = {(y, m): v for y, m, v in run.prices.monthly}
    assert list(ours) == list(monthly.index)
    for key, value in monthly.items():
        assert ours[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    peak = equity.cummax()
    assert run.prices.max_drawdown == pytest.approx((equity / peak - 1.0).min(), rel=1e-9)
    html = write_report(run_dir, data=data).read_text(encoding="utf-8")
    cells = re.findall(r'<td class="num (?:pos|neg|) ?" data-v="([^"]+)"', html)
    assert [float(c) for c in cells] == [v for _, _, v in run.prices.monthly]


def test_buy_and_hold_matches_backtesting_py() -> None:
    """backtesting.py's "Buy & Hold Return [%]" on the bundled bars (no indicator, so its
    first trading bar is the first bar): 14.63 % in issue 25, the same here."""
    pd = pytest.importorskip("pandas")
    backtesting = pytest.importorskip("backtesting")
    data = REPO / "data" / "EURUSD_1h.csv"
    bars = load_bars(data)
    frame = pd.DataFrame(
        {
            "Open": [b.open for b in bars], "High": [b.high for b in bars],
            "Low": [b.low for b in bars], "Close": [b.close for b in bars],
            "Volume": [b.volume for b in bars],
        },
        index=pd.DatetimeIndex([b.time.replace(tzinfo=None) for b in bars]),
    )  # fmt: skip

    class Idle(backtesting.Strategy):  # type: ignore[misc]
        def init(self) -> None:
            pass

        def next(self) -> None:
            pass

    stats = backtesting.Backtest(frame, Idle, cash=10_000).run()
    summary = summarise(iter(bars), [], 10_000.0)
    assert summary is not None
    assert summary.buy_hold_return * 100 == pytest.approx(stats["Buy & Hold Return [%]"], rel=1e-12)
    assert round(summary.buy_hold_return * 100, 2) == 14.63
    assert summary.buy_hold[-1].value == pytest.approx(10_000 * (1 + summary.buy_hold_return))


def test_equity_matches_the_trades_realised_without_prices(tmp_path: Path) -> None:
    run_dir, _ = write_run(tmp_path / "run", bars=500, trades=20)
    run = load_run(run_dir, data=tmp_path / "missing.csv")  # the bundled data does not cover
    assert run.prices is None
    total = sum(float(t["pnl"]) for t in run.trades)
    assert run.equity[-1].value == pytest.approx(10_000.0 + total)


def test_a_long_busy_run_gives_a_bounded_page(tmp_path: Path) -> None:
    """100k bars and 10k trades: the page's data is bounded by the documented limits,
    so its size hardly moves with the length of the data (1M bars: docs/performance.md)."""
    sizes = {}
    for bars in (20_000, 100_000):
        run_dir, data = write_run(tmp_path / f"run{bars}", bars=bars, trades=10_000)
        html = write_report(run_dir, data=data).read_text(encoding="utf-8")
        sizes[bars] = len(html.encode("utf-8"))
        found = re.search(rf'<script type="application/json" id="{DATA_ID}">(.*?)</script>', html)
        assert found is not None
        document = json.loads(found.group(1))
        assert len(document["candles"]) <= 5_000 and len(document["trades"]) <= MAX_TRADES
        shown = len(document["trades"])
        assert f"showing {shown:,} of 10,000 trades" in html  # the rest: trades.csv
        assert len(document["equity"]) <= 4_100 and len(document["buy_hold"]) <= 4_100
        assert len(document["chains"]) <= MAX_CHAINS
        assert f"{bars:,} bars from bars.csv" in html
    assert sizes[100_000] < 5_000_000
    assert sizes[100_000] < sizes[20_000] * 1.2


def test_past_the_limit_the_table_keeps_first_last_best_and_worst(tmp_path: Path) -> None:
    run_dir, _ = write_run(tmp_path / "run", bars=2_000, trades=60)
    with (run_dir / "trades.csv").open(newline="", encoding="utf-8") as handle:
        rows = [{k: r[k] for k in KEPT_COLUMNS if k in r} for r in csv.DictReader(handle)]
    everything = scan_trades(run_dir, limit=100)
    assert everything.count == 60 and everything.shown == rows  # under the limit: all
    assert len(everything.opened) == 60
    scan = scan_trades(run_dir, limit=8)
    assert scan.count == 60 and len(scan.opened) == 60  # the equity still sees every trade
    by_pnl = sorted(range(60), key=lambda i: float(rows[i]["pnl"]))
    expected = sorted({0, 1, 58, 59, *by_pnl[:2], *by_pnl[-2:]})
    assert scan.shown == [rows[i] for i in expected]  # file order
    page = write_report(run_dir).read_text(encoding="utf-8")
    assert '<h2>Trades <span class="count">60</span></h2>' in page
