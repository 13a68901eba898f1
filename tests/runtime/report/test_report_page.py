"""report.html content: metrics, trades, causality chains, charts, size, escaping."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from stc.runtime.report import build_report, load_run, write_report
from stc.runtime.report.page import DATA_ID, format_metric

CHAIN_PREFIXES = ("CTX_", "OPP_", "STR_", "ENT_", "SIZ_", "EXT_", "ROU_", "EXE_")


def _trades(run_dir: Path) -> list[dict[str, str]]:
    with (run_dir / "trades.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _document(html: str) -> dict[str, Any]:
    """The JSON the page's script draws from."""
    found = re.search(rf'<script type="application/json" id="{DATA_ID}">(.*?)</script>', html)
    assert found is not None
    return dict(json.loads(found.group(1)))


def test_stc_run_writes_the_report(reference_run: Path) -> None:
    assert (reference_run / "report.html").is_file()


def test_every_metric_is_shown_formatted(reference_run: Path, report_html: str) -> None:
    metrics = json.loads((reference_run / "metrics.json").read_text())
    assert metrics
    for key, value in metrics.items():
        cell = re.search(rf'data-key="{key}">.*?<span class="v">(.*?)</span>', report_html)
        assert cell is not None, key
        assert cell.group(1) == format_metric(key, value)
    assert format_metric("total_return", 0.0029063182) == "0.29 %"
    assert format_metric("sharpe", 1.2531974239) == "1.25"
    assert format_metric("trades", 46) == "46"
    assert format_metric("profit_factor", None) == "—"
    gap = "2017-12-22T21:00:00+00:00"
    assert format_metric("largest_gap_from", gap) == "2017-12-22 21:00 UTC"
    assert format_metric("largest_gap_to", "2017-12-22T21:00:30+02:00") == (
        "2017-12-22 21:00:30 UTC+02:00"
    )
    assert format_metric("largest_gap_to", "2017-12-22T21:00:00") == "2017-12-22 21:00"
    assert f'class="metric when" title="{gap}" data-key="largest_gap_from"' in report_html


def test_one_row_per_trade_each_with_its_full_chain(reference_run: Path, report_html: str) -> None:
    trades = _trades(reference_run)
    assert len(trades) > 10
    document = _document(report_html)
    assert [row[0] for row in document["trades"]] == [t["trade_id"] for t in trades]
    assert set(document["chains"]) == {t["trade_id"] for t in trades}
    for trade in trades:
        block = document["chains"][trade["trade_id"]]
        for prefix in CHAIN_PREFIXES:
            assert f'<code class="id">{prefix}' in block, (trade["trade_id"], prefix)
        assert f"{trade['trade_id']}/F1" in block and f"{trade['trade_id']}/F2" in block
        assert trade["execution_directive_id"] in block
        assert "strength=" in block and "weakness=" in block  # the context assessment
        assert "confidence=" in block  # the directive


def test_chain_names_the_workers_to_highlight(report_html: str) -> None:
    document = _document(report_html)
    assert document["trades"]
    for row in document["trades"]:
        workers = set(document["workers"][row[-1]].split())
        assert {"ema_detector", "ema_cross_detector", "adaptive_momentum_planner",
                "fixed_risk_sizer", "market_order_router"} <= workers  # fmt: skip


def test_charts_draw_candles_equity_benchmark_and_signals(
    reference_run: Path, report_html: str
) -> None:
    for chart in ("price-chart", "equity-chart", "drawdown-chart"):
        assert f'id="{chart}"' in report_html
    assert "TradingView Lightweight Charts" in report_html  # the vendored library, inlined
    document = _document(report_html)
    metrics = json.loads((reference_run / "metrics.json").read_text())
    assert len(document["candles"]) == metrics["bars"] == 5000  # drawn bar for bar
    assert document["candle_bars"] == 1
    assert document["buy_hold"][0][1] == pytest.approx(metrics["starting_capital"])
    assert document["equity"][-1][1] == pytest.approx(metrics["final_equity"], rel=1e-9)
    assert min(v for _, v in document["drawdown"]) == pytest.approx(
        -metrics["max_drawdown"], rel=1e-6
    )
    assert set(document["signals"]) == {
        "ema_cross_detector.fast_ema", "ema_cross_detector.slow_ema"
    }  # fmt: skip
    buy_hold = re.search(r'data-key="buy_and_hold_return">.*?<span class="v">(.*?)</span>',
                         report_html)  # fmt: skip
    assert buy_hold is not None and buy_hold.group(1) == "14.63 %"
    assert '<section id="monthly"><h2>Monthly returns</h2>' in report_html


def test_size_and_self_containment(reference_run: Path, report_html: str) -> None:
    assert (reference_run / "report.html").stat().st_size < 2_000_000
    for needle in ("<link", "<script src", "<img", "@import", "url(http", "<iframe"):
        assert needle not in report_html
    allowed = (  # XML namespaces, the library's licence and attribution link: never loaded
        "http://www.w3.org/", "https://www.apache.org/licenses/", "https://www.tradingview.com/",
    )  # fmt: skip
    for link in re.findall(r"https?://[^\s\"')<]+", report_html):
        assert link.startswith(allowed), link


def test_wiring_diagram_embedded_when_dot_exists(report_html: str) -> None:
    if shutil.which("dot") is None:
        assert "no wiring diagram" in report_html
        return
    assert "<!--wiring-svg--><svg" in report_html
    assert "<title>ema_cross_detector</title>" in report_html
    assert "<?xml" not in report_html and "<!DOCTYPE svg" not in report_html


def test_equity_rebuilt_from_trades_matches_the_engine(reference_run: Path) -> None:
    run = load_run(reference_run)
    metrics = json.loads((reference_run / "metrics.json").read_text())
    assert run.prices is not None and run.prices.bars == metrics["bars"]
    assert run.prices.final_equity == pytest.approx(metrics["final_equity"], rel=1e-9)
    assert run.prices.max_drawdown == pytest.approx(-metrics["max_drawdown"], rel=1e-6)


def test_rebuild_keeps_the_wiring_and_data(reference_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(reference_run, copy)
    before = (copy / "report.html").read_text(encoding="utf-8")
    write_report(copy)
    after = (copy / "report.html").read_text(encoding="utf-8")
    footer = re.compile(r"<footer>.*?</footer>")
    assert footer.sub("", after) == footer.sub("", before)  # the footer names the folder


def _bare_run(tmp_path: Path, trades: list[dict[str, str]], metrics: dict[str, object]) -> Path:
    run = tmp_path / "bare"
    run.mkdir()
    (run / "metrics.json").write_text(json.dumps(metrics))
    columns = list(trades[0]) if trades else ["trade_id"]
    with (run / "trades.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(trades)
    return run


def test_text_from_the_run_is_escaped_and_missing_journal_is_said(tmp_path: Path) -> None:
    trade = {
        "trade_id": "TRD_X<script>alert(1)</script>", "symbol": "<b>EUR</b>", "direction": "BUY",
        "entry_time": "2031-01-01T00:00:00+00:00", "entry_price": "1.1", "size": "10",
        "exit_time": "2031-01-02T00:00:00+00:00", "exit_price": "1.2", "exit_reason": "SIGNAL",
        "fees": "0", "pnl": "1.0", "execution_directive_id": "",
    }  # fmt: skip
    run = _bare_run(tmp_path, [trade], {"total_return": 0.0001, "note": "<i>x</i>"})
    html = build_report(run, title="<Title & co>")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html and "&lt;Title &amp; co&gt;" in html
    assert "is not in the journal" in html
    # the bundled data ends before 2031: no price chart, trades drawn on the equity
    assert "prices not available" in html
    assert 'id="price-chart"' not in html and 'id="equity-chart"' in html
    document = _document(html)
    assert document["candles"] == [] and len(document["equity"]) == 2
    assert document["trades"][0][0] == trade["trade_id"]


def test_an_empty_run_still_renders(tmp_path: Path) -> None:
    run = tmp_path / "empty"
    run.mkdir()
    html = build_report(run)
    assert "no trades" in html and "no metrics.json" in html
