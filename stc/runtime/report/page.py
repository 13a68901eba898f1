"""``report.html``: one self-contained page per run (CSS, JS and SVG inline).

Sections: the metrics, the equity curve and drawdown, the price with every trade's
entry and exit, the trades (sortable; a click opens the trade's causality chain from
the journal and highlights its workers in the wiring diagram), the faults, and the
wiring diagram. Every text from the run is escaped.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from stc.runtime.artefacts import write_atomically
from stc.runtime.report.assets import CSS, JS
from stc.runtime.report.load import Chain, RunData, Step, load_run, parse_time
from stc.runtime.report.svg import Marker, Segment, chart

REPORT_FILE = "report.html"
WIRING_FILE = "wiring.svg"
"""The wiring diagram ``stc run`` draws into the run folder before the run starts."""
_META_ID = "stc-report-meta"

_PERCENT = {"total_return", "cagr", "max_drawdown", "win_rate", "exposure"}
_MONEY = {"starting_capital", "final_equity"}
_LABELS = {
    "total_return": "Return", "cagr": "CAGR", "max_drawdown": "Max drawdown",
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


def write_report(
    run_dir: Path,
    *,
    wiring_svg: str | None = None,
    title: str = "",
    data: Path | None = None,
    data_name: str | None = None,
) -> Path:
    """Write ``run_dir/report.html`` and return its path.

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
    run = load_run(run_dir, data=data)
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
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(name)} · stc report</title><style>{CSS}</style></head><body>",
        f'<script type="application/json" id="{_META_ID}">{meta_json}</script>',
        _header(run, name),
        _metrics(run.metrics),
        _charts(run),
        _trades(run),
        _faults(run),
        _wiring(wiring_svg),
        f"<footer>generated by stc from {escape(run.run_dir.name or str(run.run_dir))}</footer>",
        f"<script>{JS}</script></body></html>\n",
    ]
    return "\n".join(parts)


def _header(run: RunData, name: str) -> str:
    span = ""
    if run.equity:
        span = f"{_day(run.equity[0][0])} → {_day(run.equity[-1][0])}"
    facts = [f for f in (run.symbol, span, _data_note(run)) if f]
    return (
        f"<header><h1>{escape(name)}</h1>"
        f'<p class="sub">{" · ".join(escape(f) for f in facts)}</p></header>'
    )


def _data_note(run: RunData) -> str:
    if run.bars:
        return f"{len(run.bars):,} bars from {run.data_path.name if run.data_path else 'data'}"
    return "prices not available: trades drawn on the equity timeline"


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
        cells.append(
            f'<div class="metric{tone}" data-key="{escape(key)}"><span class="k">{escape(label)}'
            f'</span><span class="v">{escape(format_metric(key, value))}</span></div>'
        )
    return (
        '<section id="metrics"><h2>Metrics</h2><div class="metrics">'
        + "".join(cells)
        + "</div></section>"
    )


def _x_labels(
    times: Sequence[datetime], xs: Sequence[float], count: int = 6
) -> list[tuple[float, str]]:
    if not xs:
        return []
    n = len(xs)
    picks = sorted({round(i * (n - 1) / count) for i in range(count + 1)})
    return [(xs[i], _day(times[i])) for i in picks[1:-1]]


def _charts(run: RunData) -> str:
    if not run.equity:
        return '<section><h2>Equity</h2><p class="empty">no equity data</p></section>'
    times = [t for t, _ in run.equity]
    values = [v for _, v in run.equity]
    xs = [float(i) for i in range(len(times))] if run.bars else [t.timestamp() for t in times]
    labels = _x_labels(times, xs)
    drawdown = []
    peak = float("-inf")
    for value in values:
        peak = max(peak, value)
        drawdown.append(value / peak - 1.0 if peak > 0 else 0.0)
    trades_on_equity = run.bars is None
    markers, segments = _trade_marks(run, times, xs, values if trades_on_equity else None)
    equity_svg = chart(
        xs, values, css="equity", label="Equity curve", y_format=lambda v: f"{v:,.0f}"
        if abs(v) >= 1000 else f"{v:,.2f}", x_labels=labels,
        markers=markers if trades_on_equity else (),
        segments=segments if trades_on_equity else (),
    )  # fmt: skip
    dd_svg = chart(
        xs, drawdown, css="drawdown", label="Drawdown", height=140, area=True,
        y_format=lambda v: f"{v * 100:.2f} %", x_labels=labels,
        y_range=(min(drawdown), 0.0),
    )  # fmt: skip
    out = [
        '<section id="charts"><h2>Equity</h2>', equity_svg,
        "<h2>Drawdown</h2>", dd_svg,
    ]  # fmt: skip
    if run.bars:
        closes = [b.close for b in run.bars]
        out.append(f"<h2>Price{' · ' + escape(run.symbol) if run.symbol else ''}</h2>")
        out.append(
            chart(
                xs,
                closes,
                css="price",
                label="Price with trades",
                height=300,
                y_format=_price_format(closes),
                x_labels=labels,
                markers=markers,
                segments=segments,
            )
        )
        out.append(
            '<p class="legend"><span class="lg long">▲</span> long entry '
            '<span class="lg short">▼</span> short entry <span class="lg exit">●</span> exit '
            '<span class="lg win">━</span> win <span class="lg loss">━</span> loss · '
            "click a marker to open its trade</p>"
        )
    out.append("</section>")
    return "\n".join(out)


def _price_format(closes: Sequence[float]) -> Any:
    top = max(abs(c) for c in closes) if closes else 1.0
    digits = 4 if top < 10 else 2 if top < 10_000 else 0
    return lambda v: f"{v:,.{digits}f}"


def _trade_marks(
    run: RunData, times: Sequence[datetime], xs: Sequence[float], on: Sequence[float] | None
) -> tuple[list[Marker], list[Segment]]:
    """Entry and exit markers; ``on`` = the equity values when drawn on the equity."""
    import bisect

    markers: list[Marker] = []
    segments: list[Segment] = []
    if not times:
        return markers, segments

    def position(when: datetime) -> tuple[float, int]:
        i = max(min(bisect.bisect_right(times, when) - 1, len(times) - 1), 0)
        return xs[i], i

    for trade in run.trades:
        tid = trade.get("trade_id", "")
        entry = parse_time(trade.get("entry_time", ""))
        exit_ = parse_time(trade.get("exit_time", ""))
        if entry is None:
            continue
        short = trade.get("direction") == "SELL"
        pnl = _to_float(trade.get("pnl"))
        x0, i0 = position(entry)
        y0 = on[i0] if on is not None else _to_float(trade.get("entry_price"))
        tip = f"{tid} {trade.get('direction', '')} @ {trade.get('entry_price', '')}"
        markers.append(Marker(x0, y0, "short" if short else "long", tid, tip))
        if exit_ is not None:
            x1, i1 = position(exit_)
            y1 = on[i1] if on is not None else _to_float(trade.get("exit_price"))
            tip = f"{tid} exit {trade.get('exit_reason', '')} @ {trade.get('exit_price', '')}, "
            tip += f"P&L {trade.get('pnl', '')}"
            markers.append(Marker(x1, y1, "exit", tid, tip))
            segments.append(Segment(x0, y0, x1, y1, pnl > 0, tid))
    return markers, segments


def _to_float(text: str | None) -> float:
    try:
        return float(text) if text else 0.0
    except ValueError:
        return 0.0


def _short(value: str) -> str:
    """A number from trades.csv rounded for display (the full value is the title)."""
    try:
        number = float(value)
    except ValueError:
        return value
    if number == 0:
        return "0"
    if abs(number) >= 100:
        return f"{number:,.2f}"
    return f"{number:.5g}" if abs(number) < 1 else f"{number:.4f}"


def _trades(run: RunData) -> str:
    if not run.trades:
        return '<section id="trades"><h2>Trades</h2><p class="empty">no trades</p></section>'
    head = "".join(
        f'<th data-col="{i}" data-type="{"num" if key in _NUMERIC else "text"}" '
        f'tabindex="0">{escape(label)}</th>'
        for i, (key, label) in enumerate(_TRADE_COLUMNS)
    )
    bodies = []
    for trade in run.trades:
        tid = trade.get("trade_id", "")
        chain = run.chains.get(tid)
        cells = []
        for key, _ in _TRADE_COLUMNS:
            raw = trade.get(key, "")
            shown = _short(raw) if key in _NUMERIC else raw
            if key.endswith("_time"):
                shown = raw.replace("+00:00", "").replace("T", " ")
            cls = ""
            if key == "pnl":
                cls = ' class="num pos"' if _to_float(raw) > 0 else ' class="num neg"'
            elif key in _NUMERIC:
                cls = ' class="num"'
            cells.append(f'<td{cls} data-v="{escape(raw)}" title="{escape(raw)}">'
                         f"{escape(shown)}</td>")  # fmt: skip
        workers = " ".join(chain.workers) if chain else ""
        bodies.append(
            f'<tbody class="trade" id="t-{escape(tid)}" data-trade="{escape(tid)}" '
            f'data-workers="{escape(workers)}"><tr class="row" tabindex="0">{"".join(cells)}</tr>'
            f'<tr class="chain" hidden><td colspan="{len(_TRADE_COLUMNS)}">'
            f"{_chain(chain, tid)}</td></tr></tbody>"
        )
    return (
        f'<section id="trades"><h2>Trades <span class="count">{len(run.trades)}</span></h2>'
        '<p class="hint">click a header to sort, a row to see its causality chain</p>'
        f'<div class="scroll"><table class="trades"><thead><tr>{head}</tr></thead>'
        + "".join(bodies)
        + "</table></div></section>"
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
        for w, t, e in run.faults[:500]
    )
    more = f"<p>… and {len(run.faults) - 500} more</p>" if len(run.faults) > 500 else ""
    return (
        f'<section id="faults"><h2>Faults <span class="count">{len(run.faults)}</span></h2>'
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
