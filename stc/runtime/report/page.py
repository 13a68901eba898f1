"""``report.html``: one self-contained page per run (CSS, JS, data and SVG inline).

Sections: the metrics (with the buy-and-hold return of the same bars), an interactive
price chart (candles, volume, the recorded signal values, every trade's entry and exit;
zoom, pan, crosshair), the equity against buy-and-hold and the drawdown, the monthly
returns, the trades (sortable and paged; a click opens the trade's causality chain
from the journal and highlights its workers in the wiring diagram), the faults, and
the wiring diagram. The charts are drawn by the vendored lightweight-charts
(``vendor/``, Apache-2.0) from one embedded JSON document (:mod:`.payload`); the page
loads nothing from the network. Every text from the run is escaped.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from stc.runtime.artefacts import write_atomically
from stc.runtime.report import payload
from stc.runtime.report.assets import CSS, JS, charting_library
from stc.runtime.report.load import MAX_CHAINS, Chain, RunData, Step, load_run
from stc.runtime.report.spill import PriceSpill
from stc.runtime.report.trades import MAX_TRADES

REPORT_FILE = "report.html"
WIRING_FILE = "wiring.svg"
"""The wiring diagram ``stc run`` draws into the run folder before the run starts."""
_META_ID = "stc-report-meta"
DATA_ID = "stc-report-data"
TRADES_PAGE = 100
"""Trades per page of the table (the page's script renders one page at a time)."""

_PERCENT = {"buy_and_hold_return", "total_return", "cagr", "max_drawdown", "win_rate", "exposure"}
_MONEY = {"starting_capital", "final_equity"}
_MOMENTS = {"largest_gap_from", "largest_gap_to"}
"""Metrics that are ISO timestamps: shown as ``2017-12-22 21:00 UTC`` on a card two
grid columns wide (the ISO form, ~25 characters, wrapped inside one card)."""
_LABELS = {
    "total_return": "Return", "buy_and_hold_return": "Buy & hold", "cagr": "CAGR",
    "max_drawdown": "Max drawdown",
    "sharpe": "Sharpe", "sortino": "Sortino", "win_rate": "Win rate",
    "profit_factor": "Profit factor", "exposure": "Exposure", "trades": "Trades",
    "faults": "Faults", "bars": "Bars", "starting_capital": "Starting capital",
    "final_equity": "Final equity", "periods_per_year": "Periods / year",
    "data_gaps": "Data gaps", "largest_gap_bars": "Largest gap (bars)",
    "largest_gap_from": "Largest gap from", "largest_gap_to": "Largest gap to",
    "bad_bars_skipped": "Bad bars skipped",
}  # fmt: skip
_ORDER = tuple(_LABELS)
_SUMMARY_KEYS = (
    "direction", "signal_type", "threat_type", "confidence", "severity", "scope",
    "order_type", "limit_price", "position_size", "risk_amount", "stop_loss_price",
    "take_profit_price", "timing", "time_in_force", "slices", "purpose", "side", "price",
    "size", "fee", "timestamp", "exit_price", "exit_reason", "pnl",
)  # fmt: skip
_TRADE_COLUMNS = (
    ("trade_id", "Trade"), ("direction", "Side"), ("entry_time", "Entry time"),
    ("entry_price", "Entry"), ("size", "Size"), ("exit_time", "Exit time"),
    ("exit_price", "Exit"), ("exit_reason", "Reason"), ("fees", "Fees"), ("pnl", "P&L"),
)  # fmt: skip
_NUMERIC = {"entry_price", "size", "exit_price", "fees", "pnl"}


def format_metric(key: str, value: Any) -> str:
    """A metric for people: percentages, money with two decimals, ratios with two."""
    if value is None:
        return "—"
    if key in _MOMENTS and isinstance(value, str):
        return _moment(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if key in _PERCENT:
        return f"{value * 100:.2f} %"
    if key in _MONEY:
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if key == "periods_per_year":
        return f"{value:,.1f}"
    return f"{value:.2f}" if abs(value) < 1e6 else f"{value:,.0f}"


def _moment(text: str) -> str:
    """An ISO timestamp for people: date, hours and minutes (seconds when not zero), and
    its zone (``UTC``, ``UTC+02:00``; none for a naive one). Unparsable: as given."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    shown = when.strftime("%Y-%m-%d %H:%M:%S" if when.second else "%Y-%m-%d %H:%M")
    offset = when.utcoffset()
    if offset is None:
        return shown
    return f"{shown} UTC" if not offset else f"{shown} UTC{when.isoformat()[-6:]}"


def write_report(
    run_dir: Path,
    *,
    wiring_svg: str | None = None,
    title: str = "",
    data: Path | None = None,
    data_name: str | None = None,
    spill: PriceSpill | None = None,
) -> Path:
    """Write ``run_dir/report.html`` and return its path.

    ``spill`` holds the bars the run read (``stc run`` passes it): the price pass then
    reads them from it rather than parsing the data file again (:mod:`.spill`).

    ``data_name`` is how the report names ``data`` when it is used (a resumed run's
    report names its data as the interrupted run was given it).

    ``wiring_svg`` is the compiled wiring as SVG text; ``data`` the market data of the
    run (else the plan's data source or the bundled set, when it covers the trades).
    When rebuilding, the wiring diagram and data path of an existing report are kept
    unless new ones are given; without any, the diagram ``stc run`` drew into the run
    folder (``wiring.svg``) is used — the report of a resumed run has it too.
    """
    run_dir = Path(run_dir)
    target = run_dir / REPORT_FILE
    previous = read_meta(target)
    if wiring_svg is None:
        wiring_svg = previous_wiring(target)
    drawn = run_dir / WIRING_FILE
    if wiring_svg is None and drawn.is_file():
        wiring_svg = drawn.read_text(encoding="utf-8")
    if data is None and previous.get("data"):
        data = Path(str(previous["data"]))
    run = load_run(run_dir, data=data, spill=spill)
    if data_name and data is not None and run.data_path == data:
        run = dataclasses.replace(run, data_path=Path(data_name))
    write_atomically(target, render(run, wiring_svg=wiring_svg, title=title))
    return target


def read_meta(report: Path) -> dict[str, Any]:
    """The JSON an earlier report stored about itself (data path), or {}."""
    if not report.is_file():
        return {}
    text = report.read_text(encoding="utf-8")
    match = re.search(
        rf'<script type="application/json" id="{_META_ID}">(.*?)</script>', text, re.S
    )
    if match is None:
        return {}
    try:
        loaded = json.loads(match.group(1))
    except ValueError:
        return {}
    return dict(loaded) if isinstance(loaded, dict) else {}


def previous_wiring(report: Path) -> str | None:
    """The wiring SVG embedded in an earlier report, so a rebuild keeps it."""
    if not report.is_file():
        return None
    text = report.read_text(encoding="utf-8")
    match = re.search(r"<!--wiring-svg-->(.*?)<!--/wiring-svg-->", text, re.S)
    return match.group(1) if match else None


def clean_svg(svg: str) -> str:
    """The ``<svg>`` element of Graphviz output, without XML prolog, doctype or comments."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    return body.strip()


def render(run: RunData, *, wiring_svg: str | None = None, title: str = "") -> str:
    """The whole page as text."""
    name = title or run.strategy or run.run_dir.name
    meta = {"data": str(run.data_path) if run.data_path else None, "strategy": run.strategy}
    meta_json = json.dumps(meta, sort_keys=True).replace("</", "<\\/")
    document = payload.to_json(payload.build(run, lambda tid: _chain(run.chains.get(tid), tid)))
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(name)} · stc report</title><style>{CSS}</style></head><body>",
        f'<script type="application/json" id="{_META_ID}">{meta_json}</script>',
        f'<script type="application/json" id="{DATA_ID}">{document}</script>',
        _header(run, name),
        _metrics(_with_benchmark(run)),
        _charts(run),
        _monthly(run),
        _trades(run),
        _faults(run),
        _wiring(wiring_svg),
        f"<footer>generated by stc from {escape(run.run_dir.name or str(run.run_dir))} · charts by "
        "TradingView Lightweight Charts™ (Apache-2.0), Copyright (c) 2025 TradingView, Inc."
        "</footer>",
        f"<script>{charting_library()}</script>",
        f"<script>{JS}</script></body></html>\n",
    ]
    return "\n".join(parts)


def _with_benchmark(run: RunData) -> dict[str, Any]:
    """The run's metrics plus the buy-and-hold return of the same bars (first to last
    close, as backtesting.py's "Buy & Hold Return" without indicator warm-up)."""
    if run.prices is None or not run.metrics:
        return run.metrics
    return {**run.metrics, "buy_and_hold_return": run.prices.buy_hold_return}


def _header(run: RunData, name: str) -> str:
    span = ""
    if run.prices is not None:
        span = f"{_day(run.prices.first_time)} → {_day(run.prices.last_time)}"
    elif run.equity:
        first = datetime.fromtimestamp(run.equity[0].time, UTC)
        span = f"{_day(first)} → {_day(datetime.fromtimestamp(run.equity[-1].time, UTC))}"
    facts = [f for f in (run.symbol, span, _data_note(run)) if f]
    return (
        f"<header><h1>{escape(name)}</h1>"
        f'<p class="sub">{" · ".join(escape(f) for f in facts)}</p></header>'
    )


def _data_note(run: RunData) -> str:
    if run.prices is None:
        return "prices not available: trades drawn on the equity timeline"
    note = f"{run.prices.bars:,} bars from {run.data_path.name if run.data_path else 'data'}"
    if run.prices.candle_width > 1:
        note += f" (drawn as {len(run.prices.candles):,} candles of {run.prices.candle_width} bars)"
    return note


def _day(when: datetime) -> str:
    return when.strftime("%Y-%m-%d")


def _metrics(metrics: dict[str, Any]) -> str:
    keys = [k for k in _ORDER if k in metrics] + sorted(k for k in metrics if k not in _LABELS)
    if not keys:
        return '<section><h2>Metrics</h2><p class="empty">no metrics.json</p></section>'
    cells = []
    for key in keys:
        value = metrics[key]
        label = _LABELS.get(key, key.replace("_", " "))
        tone = ""
        if key in ("total_return", "cagr", "sharpe", "sortino") and isinstance(value, int | float):
            tone = " pos" if value > 0 else " neg" if value < 0 else ""
        if key in ("faults", "bad_bars_skipped") and isinstance(value, int) and value > 0:
            tone = " neg"
        attrs = f' class="metric{tone}"'
        if key in _MOMENTS:  # two columns wide; the exact ISO text on hover
            attrs = f' class="metric{tone} when" title="{escape(str(value))}"'
        cells.append(
            f'<div{attrs} data-key="{escape(key)}"><span class="k">{escape(label)}'
            f'</span><span class="v">{escape(format_metric(key, value))}</span></div>'
        )
    return (
        '<section id="metrics"><h2>Metrics</h2><div class="metrics">'
        + "".join(cells)
        + "</div></section>"
    )


def _charts(run: RunData) -> str:
    if not run.equity:
        return '<section><h2>Equity</h2><p class="empty">no equity data</p></section>'
    out = ['<section id="charts">']
    if run.prices is not None:
        title = f"Price{' · ' + escape(run.symbol) if run.symbol else ''}"
        out.append(
            f'<h2>{title}</h2><div class="lwc price" id="price-chart" role="img" '
            'aria-label="Price with trades"></div>'
            '<p class="legend"><span class="lg long">▲</span> long entry '
            '<span class="lg short">▼</span> short entry <span class="lg exit">●</span> exit · '
            "scroll to zoom, drag to pan · click a marker to open its trade"
            '<span id="marker-hint"></span><span id="signal-legend"></span></p>'
        )
    out.append(
        '<h2>Equity</h2><div class="lwc equity" id="equity-chart" role="img" '
        'aria-label="Equity curve"></div><p class="legend"><span class="lg eq">━</span> '
        "strategy equity"
        + (' <span class="lg bh">━</span> buy &amp; hold' if run.prices is not None else "")
        + "</p>"
        '<h2>Drawdown</h2><div class="lwc drawdown" id="drawdown-chart" role="img" '
        'aria-label="Drawdown"></div>'
    )
    out.append("</section>")
    return "\n".join(out)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _monthly(run: RunData) -> str:
    """Returns per calendar month and year (compounded), from the full equity."""
    if run.prices is None or not run.prices.monthly:
        return ""
    years: dict[int, dict[int, float]] = {}
    for year, month, value in run.prices.monthly:
        years.setdefault(year, {})[month] = value
    head = "".join(f"<th>{m}</th>" for m in _MONTHS)
    rows = []
    for year, months in sorted(years.items()):
        total = 1.0
        for value in months.values():
            total *= 1.0 + value
        cells = "".join(_month_cell(months.get(m)) for m in range(1, 13))
        rows.append(f"<tr><th>{year}</th>{cells}{_month_cell(total - 1.0, 'year')}</tr>")
    return (
        '<section id="monthly"><h2>Monthly returns</h2><div class="scroll">'
        f'<table class="monthly"><thead><tr><th>Year</th>{head}<th>Year</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _month_cell(value: float | None, extra: str = "") -> str:
    if value is None:
        return f'<td class="num {extra}"></td>'
    tone = "pos" if value > 0 else "neg" if value < 0 else ""
    return f'<td class="num {tone} {extra}" data-v="{value!r}">{value * 100:.2f} %</td>'


def _trades(run: RunData) -> str:
    """The table's frame; the script renders its rows, a page at a time, from the data."""
    if not run.trades:
        return '<section id="trades"><h2>Trades</h2><p class="empty">no trades</p></section>'
    head = "".join(
        f'<th data-col="{i}" data-key="{key}" '
        f'data-type="{"num" if key in _NUMERIC else "text"}" tabindex="0">{escape(label)}</th>'
        for i, (key, label) in enumerate(_TRADE_COLUMNS)
    )
    chained, shown, total = len(run.chains), len(run.trades), max(run.trade_count, len(run.trades))
    note = ""
    if shown < total:
        note += (
            f" · showing {shown:,} of {total:,} trades (the first, last, best and worst "
            f"{MAX_TRADES // 4:,}; at most {MAX_TRADES:,}): every trade is in trades.csv"
        )
    if chained < shown:
        note += (
            f" · causality chains embedded for {chained:,} of them "
            f"(first, last, best and worst; at most {MAX_CHAINS:,}); "
            "<code>stc explain TRADE_ID</code> prints any other"
        )
    return (
        f'<section id="trades"><h2>Trades <span class="count">{total}</span></h2>'
        '<p class="hint">click a header to sort, a row to see its causality chain'
        f'{note}</p><nav class="pager" data-page-size="{TRADES_PAGE}"></nav>'
        f'<div class="scroll"><table class="trades"><thead><tr>{head}</tr></thead>'
        "</table></div></section>"
    )


def _chain(chain: Chain | None, trade_id: str) -> str:
    if chain is None or not chain.steps:
        return f'<p class="empty">{escape(trade_id)} is not in the journal</p>'
    rows = [
        f'<li class="step tick"><span class="lbl">tick</span>'
        f'<span class="id">{escape(chain.tick_time)}</span></li>'
    ]
    for step in chain.steps:
        rows.append(_step(step))
    return f'<ol class="chain-steps" data-trade="{escape(trade_id)}">{"".join(rows)}</ol>'


def _step(step: Step) -> str:
    kind = step.label.replace(" ", "-")
    who = (f' <span class="by">by <b class="worker">{escape(step.worker)}</b></span>'
           if step.worker else "")  # fmt: skip
    body = ""
    if step.label == "context" and step.fields:
        body = _context(step.fields)
    elif step.fields:
        summary = ", ".join(
            f"{k}={_value(step.fields[k])}" for k in _SUMMARY_KEYS
            if step.fields.get(k) is not None
        )  # fmt: skip
        body = f'<span class="sum">{escape(summary)}</span>' if summary else ""
    missing = "" if step.dto_type else ' <span class="sum">(not journaled)</span>'
    return (
        f'<li class="step {escape(kind)}"><span class="lbl">{escape(step.label)}</span>'
        f'<code class="id">{escape(step.dto_id)}</code> <span class="ty">'
        f"{escape(step.dto_type)}</span>{who}{missing} {body}</li>"
    )


def _context(fields: dict[str, Any]) -> str:
    head = (
        f'<span class="sum">strength={_value(fields.get("strength"))} '
        f"weakness={_value(fields.get('weakness'))} ({escape(str(fields.get('method', '')))})"
        "</span>"
    )
    factors = []
    for factor in fields.get("contributing_factors") or ():
        if not isinstance(factor, dict):
            continue
        name, value = escape(str(factor.get("name"))), escape(_value(factor.get("value")))
        polarity, weight = escape(str(factor.get("polarity"))), escape(_value(factor.get("weight")))
        worker = escape(str(factor.get("worker_id")))
        factors.append(
            f"<li>{name}={value} ({polarity}, weight {weight}, "
            f'by <b class="worker">{worker}</b>)</li>'
        )
    return head + (f'<ul class="factors">{"".join(factors)}</ul>' if factors else "")


def _value(value: Any) -> str:
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return f"{number:.10g}"
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _faults(run: RunData) -> str:
    if not run.faults:
        return ""
    rows = "".join(
        f"<tr><td>{escape(w)}</td><td>{escape(t)}</td><td>{escape(e)}</td></tr>"
        for w, t, e in run.faults
    )
    total = max(run.fault_count, len(run.faults))
    more = f"<p>… and {total - len(run.faults)} more</p>" if total > len(run.faults) else ""
    return (
        f'<section id="faults"><h2>Faults <span class="count">{total}</span></h2>'
        f'<div class="scroll"><table class="faults"><thead><tr><th>worker</th><th>tick</th>'
        f"<th>error</th></tr></thead><tbody>{rows}</tbody></table></div>{more}</section>"
    )


def _wiring(svg: str | None) -> str:
    if not svg:
        return (
            '<section id="wiring"><h2>Wiring</h2><p class="empty">no wiring diagram '
            "(Graphviz <code>dot</code> was not available)</p></section>"
        )
    return (
        '<section id="wiring"><h2>Wiring</h2><p class="hint">the workers of the selected '
        'trade are highlighted · <button type="button" id="wiring-fit">fit to width</button>'
        '</p><div class="wiring"><!--wiring-svg-->'
        f"{clean_svg(svg)}<!--/wiring-svg--></div></section>"
    )


def build_report(run_dir: Path, *, wiring_svg: str | None = None, title: str = "") -> str:
    """The report's HTML for ``run_dir`` without writing it."""
    return render(load_run(Path(run_dir)), wiring_svg=wiring_svg, title=title)
