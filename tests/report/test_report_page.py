"""report.html content: metrics, trades, causality chains, charts, size, escaping."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from stc.runtime.report import build_report, load_run, write_report
from stc.runtime.report.page import format_metric
from stc.runtime.report.svg import MAX_POINTS, decimate

CHAIN_PREFIXES = ("CTX_", "OPP_", "STR_", "ENT_", "SIZ_", "EXT_", "ROU_", "EXE_")


def _trades(run_dir: Path) -> list[dict[str, str]]:
    with (run_dir / "trades.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _trade_bodies(html: str) -> dict[str, str]:
    bodies = re.findall(r'<tbody class="trade" id="t-([^"]+)".*?</tbody>', html, re.S)
    blocks = re.findall(r'(<tbody class="trade" id="t-[^"]+".*?</tbody>)', html, re.S)
    return dict(zip(bodies, blocks, strict=True))


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


def test_one_row_per_trade_each_with_its_full_chain(reference_run: Path, report_html: str) -> None:
    trades = _trades(reference_run)
    assert len(trades) > 10
    bodies = _trade_bodies(report_html)
    assert list(bodies) == [t["trade_id"] for t in trades]
    assert report_html.count('<tr class="row"') == len(trades)
    for trade in trades:
        block = bodies[trade["trade_id"]]
        for prefix in CHAIN_PREFIXES:
            assert f'<code class="id">{prefix}' in block, (trade["trade_id"], prefix)
        assert f"{trade['trade_id']}/F1" in block and f"{trade['trade_id']}/F2" in block
        assert trade["execution_directive_id"] in block
        assert "strength=" in block and "weakness=" in block  # the context assessment
        assert "confidence=" in block  # the directive


def test_chain_names_the_workers_to_highlight(report_html: str) -> None:
    workers = re.findall(r'data-workers="([^"]*)"', report_html)
    assert workers
    for names in workers:
        assert {"ema_detector", "ema_cross_detector", "adaptive_momentum_planner",
                "fixed_risk_sizer", "market_order_router"} <= set(names.split())  # fmt: skip


def test_charts_are_inline_svg_and_downsampled(report_html: str) -> None:
    for css in ("equity", "drawdown", "price"):
        assert f'<svg class="chart {css}"' in report_html
    for points in re.findall(r'<polyline class="line" points="([^"]*)"', report_html):
        assert 2 <= len(points.split()) <= MAX_POINTS
    assert report_html.count('class="mk long"') + report_html.count('class="mk short"') == len(
        _trade_bodies(report_html)
    )


def test_size_and_self_containment(reference_run: Path, report_html: str) -> None:
    assert (reference_run / "report.html").stat().st_size < 2_000_000
    for needle in ("<link", "<script src", "<img", "@import", "url(http", "<iframe"):
        assert needle not in report_html
    assert "https://" not in report_html


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
    assert run.bars is not None and len(run.equity) == metrics["bars"]
    assert run.equity[-1][1] == pytest.approx(metrics["final_equity"], rel=1e-9)


def test_decimate_keeps_first_last_and_extremes() -> None:
    xs = [float(i) for i in range(10_000)]
    ys = [float((i * 7919) % 1000) for i in range(10_000)]
    ys[5000] = 5000.0
    kept = decimate(xs, ys)
    assert len(kept) <= MAX_POINTS
    assert kept[0] == 0 and kept[-1] == 9_999 and 5000 in kept
    assert decimate(xs[:10], ys[:10]) == list(range(10))


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
    assert '<svg class="chart price"' not in html
    assert 'class="mk long"' in html and 'class="mk exit"' in html


def test_an_empty_run_still_renders(tmp_path: Path) -> None:
    run = tmp_path / "empty"
    run.mkdir()
    html = build_report(run)
    assert "no trades" in html and "no metrics.json" in html
