"""OUT/report.html of a sweep or walk-forward: one self-contained file (no network).

The results table (click a header to sort), a heatmap of the ranking metric over the
first two swept params, the metric's distribution, the top variants with the ``stc
run`` command that re-runs each in full, and for walk-forward the in-sample vs
out-of-sample table and the stitched out-of-sample equity. Pure SVG and a few lines
of JavaScript (sorting); the numbers are written by Python, so the file is the same
bytes for the same results.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from stc.runtime.sweep.results import result_table

REPORT_FILE = "report.html"
TOP = 10
MAX_TABLE_ROWS = 2000
"""Rows of the report's table; a larger sweep shows its best (results.csv holds all)."""

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dde}
table{border-collapse:collapse;font-size:12px}td,th{padding:3px 7px;border-bottom:1px solid #eee;
text-align:right;white-space:nowrap}th{cursor:pointer;background:#f4f6fa;position:sticky;top:0}
th:hover{background:#e5e9f2}.scroll{max-height:520px;overflow:auto;border:1px solid #dde}
code{background:#f4f6fa;padding:1px 4px;font-size:12px}.bad{color:#b3261e}.muted{color:#667}
"""

_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var body = th.closest('table').tBodies[0], rows = Array.from(body.rows);
    var asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
    rows.sort(function(a, b){
      var x = a.cells[col].textContent, y = b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
"""


def ranked(rows: Sequence[dict[str, Any]], metric: str, direction: str) -> list[dict[str, Any]]:
    """Finished variants with a numeric ``metric``, best first (ties: lower index)."""
    scored = [r for r in rows if _value(r, metric) is not None]
    sign = -1.0 if direction == "maximize" else 1.0
    return sorted(scored, key=lambda r: (sign * (_value(r, metric) or 0.0), r["index"]))


def _value(row: Mapping[str, Any], metric: str) -> float | None:
    result = row.get("result") or {}
    if result.get("status") not in ("ok", "faulted"):
        return None
    value = (result.get("metrics") or {}).get(metric)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def write_sweep_report(
    out: Path,
    rows: Sequence[dict[str, Any]],
    settings: Mapping[str, Any],
    commands: Mapping[str, str],
    walkforward: Mapping[str, Any] | None = None,
) -> Path | None:
    """Write OUT/report.html; None (and a warning on stderr) when it cannot be written."""
    import sys

    try:
        page = render(rows, settings, commands, walkforward)
        target = out / REPORT_FILE
        target.write_text(page, encoding="utf-8")
        return target
    except Exception as exc:  # the results are written; the report is a bonus
        sys.stderr.write(f"warning: report.html not written: {type(exc).__name__}: {exc}\n")
        return None


def render(
    rows: Sequence[dict[str, Any]],
    settings: Mapping[str, Any],
    commands: Mapping[str, str],
    walkforward: Mapping[str, Any] | None = None,
) -> str:
    """The report page as text."""
    metric, direction = str(settings["metric"]), str(settings["direction"])
    title = f"{'walk-forward' if walkforward else 'sweep'} of {Path(settings['blueprint']).name}"
    what = "in-sample runs" if walkforward else "variants"
    parts = [f"<h1>{_e(title)}</h1>", _overview(rows, metric, direction, what)]
    if walkforward is not None:
        parts += _walkforward(walkforward, metric)
    best = ranked(rows, metric, direction)
    if walkforward is None:  # walk-forward's rows are in-sample runs, not deployable variants
        parts.append(_top(best[:TOP], metric, commands))
    dims = list(settings.get("dimensions") or [])
    if len(dims) >= 2:
        parts.append(_heatmap(rows, dims[0], dims[1], metric, direction))
    parts.append(_histogram([_value(r, metric) for r in best], metric))
    if len(rows) > MAX_TABLE_ROWS:  # the page stays light; results.csv has every row
        shown = sorted([*best[:MAX_TABLE_ROWS]], key=lambda r: int(r["index"]))
        parts.append(
            _table(shown, f"the best {MAX_TABLE_ROWS:,} of {len(rows):,} (all in results.csv)")
        )
    else:
        parts.append(_table(rows, f"{len(rows):,}"))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n{body}\n"
        f"<script>{_JS}</script></body></html>\n"
    )


def _e(value: Any) -> str:
    return html.escape(str(value))


def _overview(rows: Sequence[dict[str, Any]], metric: str, direction: str, what: str) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    status = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    return (
        f"<p>{len(rows)} {what} ({_e(status)}); ranked by <b>{_e(metric)}</b> "
        f"({_e(direction)}).</p>"
    )


def _top(best: Sequence[dict[str, Any]], metric: str, commands: Mapping[str, str]) -> str:
    items = []
    for row in best:
        params = " ".join(f"{k}={json.dumps(v)}" for k, v in row["params"].items())
        command = commands.get(row["key"], "")
        items.append(
            f"<tr><td>{row['index']}</td><td>{_e(row['structure'])}</td>"
            f"<td style='text-align:left'>{_e(params)}</td><td>{_value(row, metric)}</td>"
            f"<td style='text-align:left'><code>{_e(command)}</code></td></tr>"
        )
    names = ("#", "structure", "params", metric, "re-run in full")
    head = "<tr>" + "".join(f"<th>{_e(n)}</th>" for n in names) + "</tr>"
    return f"<h2>Top variants</h2><table>{head}{''.join(items)}</table>"


def _color(t: float) -> str:
    """Red (worst) → yellow → green (best) for t in [0, 1]."""
    r = int(220 - 150 * max(0.0, t - 0.5) * 2) if t > 0.5 else 220
    g = int(80 + 110 * min(1.0, t * 2))
    return f"rgb({r},{g},90)"


def _heatmap(rows: Sequence[dict[str, Any]], x: str, y: str, metric: str, direction: str) -> str:
    cells: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        value = _value(row, metric)
        if value is None or x not in row["params"] or y not in row["params"]:
            continue
        key = (json.dumps(row["params"][x]), json.dumps(row["params"][y]))
        cells.setdefault(key, []).append(value)
    xs = _axis(k[0] for k in cells)
    ys = _axis(k[1] for k in cells)
    if not cells:
        return ""
    means = {k: sum(v) / len(v) for k, v in cells.items()}
    lo, hi = min(means.values()), max(means.values())
    size, left, top = 46, 160, 30
    width = max(600, left + size * len(xs) + 20)
    svg = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' "
           f"height='{top + size * len(ys) + 50}' font-size='11'>"]  # fmt: skip
    for j, yv in enumerate(ys):
        svg.append(_text(left - 6, top + size * j + size / 2 + 4, _e(yv), "end"))
        for i, xv in enumerate(xs):
            if (xv, yv) not in means:
                continue
            value = means[(xv, yv)]
            t = 0.5 if hi == lo else (value - lo) / (hi - lo)
            t = t if direction == "maximize" else 1 - t
            svg.append(
                f"<rect x='{left + size * i}' y='{top + size * j}' width='{size - 2}' "
                f"height='{size - 2}' fill='{_color(t)}'>"
                f"<title>{_e(x)}={_e(xv)} {_e(y)}={_e(yv)}: {value:.4g}</title></rect>"
                f"<text x='{left + size * i + size / 2 - 1}' y='{top + size * j + size / 2 + 4}' "
                f"text-anchor='middle'>{value:.3g}</text>"
            )
    for i, xv in enumerate(xs):
        svg.append(_text(left + size * i + size / 2, top + size * len(ys) + 16, _e(xv), "middle"))
    svg.append(_text(left, top + size * len(ys) + 38, f"{_e(x)} →") + "</svg>")
    svg.insert(1, _text(left - 6, top - 10, _e(y), "end"))
    note = "<p class='muted'>Each cell: the mean over the other swept params and structures.</p>"
    return f"<h2>Heatmap of {_e(metric)}</h2>{note}" + "".join(svg)


def _text(x: float, y: float, body: str, anchor: str = "start") -> str:
    return f"<text x='{x}' y='{y}' text-anchor='{anchor}'>{body}</text>"


def _axis(values: Any) -> list[str]:
    unique = set(values)

    def order(text: str) -> tuple[int, float, str]:
        loaded = json.loads(text)
        return (0, float(loaded), "") if isinstance(loaded, int | float) else (1, 0.0, text)

    return sorted(unique, key=order)


def _histogram(values: Sequence[float | None], metric: str) -> str:
    found = [v for v in values if v is not None]
    if not found:
        return ""
    lo, hi = min(found), max(found)
    bins = max(1, min(30, int(math.sqrt(len(found))) + 1))
    width = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in found:
        counts[min(bins - 1, int((v - lo) / width))] += 1
    top = max(counts)
    w, h, bar = 600, 160, 600 / bins
    svg = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h + 30}' font-size='11'>"]
    for i, n in enumerate(counts):
        height = h * n / top
        svg.append(
            f"<rect x='{i * bar:.1f}' y='{h - height:.1f}' width='{bar - 1:.1f}' "
            f"height='{height:.1f}' fill='#4a6fa5'>"
            f"<title>{lo + i * width:.4g} – {lo + (i + 1) * width:.4g}: {n}</title></rect>"
        )
    svg.append(_text(0, h + 16, f"{lo:.4g}") + _text(w, h + 16, f"{hi:.4g}", "end") + "</svg>")
    return f"<h2>Distribution of {_e(metric)} ({len(found)} variants)</h2>" + "".join(svg)


def _table(rows: Sequence[dict[str, Any]], what: str) -> str:
    header, body = result_table(rows)
    skip = {header.index("key"), header.index("trades_sha256")}
    head = "".join(f"<th>{_e(h)}</th>" for i, h in enumerate(header) if i not in skip)
    lines = []
    for cells in body:
        status = cells[header.index("status")]
        cls = " class='bad'" if status in ("error", "invalid") else ""
        tds = "".join(f"<td>{_e(c)}</td>" for i, c in enumerate(cells) if i not in skip)
        lines.append(f"<tr{cls}>{tds}</tr>")
    return (
        f"<h2>Variants: {_e(what)}</h2><p class='muted'>Click a column header to sort.</p>"
        f"<div class='scroll'><table class='sortable'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(lines)}</tbody></table></div>"
    )


def _walkforward(data: Mapping[str, Any], metric: str) -> list[str]:
    windows = data.get("windows") or []
    keys = ("window", "in_sample", "out_of_sample", "chosen", "is_metric", "oos_metric")
    rows = [
        "<tr>" + "".join(f"<td>{_e(w.get(k, ''))}</td>" for k in (*keys, "oos_trades")) + "</tr>"
        for w in windows
    ]
    names = ["window", "in-sample", "out-of-sample", "chosen variant", f"IS {metric}"]
    names += [f"OOS {metric}", "OOS trades"]
    head = "".join(f"<th>{_e(h)}</th>" for h in names)
    parts = [
        "<h2>Walk-forward: in-sample vs out-of-sample</h2>",
        f"<table class='sortable'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>",
    ]
    summary = data.get("summary") or {}
    if summary:
        items = "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in summary.items())
        parts.append(f"<ul>{items}</ul>")
    curve = data.get("equity") or []
    if curve:
        parts.append("<h2>Stitched out-of-sample equity</h2>" + _line(curve))
    return parts


def _line(points: Sequence[Sequence[Any]]) -> str:
    values = [float(p[1]) for p in points]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    w, h = 900, 220
    step = w / max(1, len(values) - 1)
    path = " ".join(f"{'M' if i == 0 else 'L'}{i * step:.1f},{h - (v - lo) / span * h:.1f}"
                    for i, v in enumerate(values))  # fmt: skip
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h + 30}' font-size='11'>"
        f"<path d='{path}' fill='none' stroke='#2f6f3e' stroke-width='1.5'/>"
        f"<text x='0' y='{h + 16}'>{_e(points[0][0])}</text>"
        f"<text x='{w}' y='{h + 16}' text-anchor='end'>{_e(points[-1][0])}</text>"
        f"<text x='4' y='12'>{hi:,.2f}</text><text x='4' y='{h - 4}'>{lo:,.2f}</text></svg>"
    )
