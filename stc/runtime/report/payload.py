"""The data the report's script draws, as one JSON document embedded in the page.

The page's charts (lightweight-charts, vendored) and its trades table (paged in the
browser) are built from this document: candles and volume, the equity and buy-and-hold
lines, the drawdown, the recorded signal values, one row per trade and the causality
chains that are embedded. Every series is already bounded (``decimate``), numbers are
rounded to what a chart can show (prices to 10 significant digits) and the JSON is
written with sorted keys and no spaces, so identical runs give identical bytes.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from stc.runtime.report.decimate import Point
from stc.runtime.report.load import RunData

TRADE_FIELDS = (
    "trade_id", "direction", "entry_time", "entry_price", "size", "exit_time", "exit_price",
    "exit_reason", "fees", "pnl",
)  # fmt: skip
"""The trades.csv columns each row of the table carries, in column order."""


def _r(value: float) -> float:
    """A float at 10 significant digits (plenty for a chart, a third of the bytes)."""
    return float(f"{value:.10g}")


def line(points: Sequence[Point]) -> list[list[float]]:
    """``[[unix seconds, value], ...]`` with strictly increasing times."""
    out: list[list[float]] = []
    for point in points:
        stamp = int(point.time)
        if (out and stamp <= out[-1][0]) or not math.isfinite(point.value):
            continue  # the chart needs unique, ascending times and finite values
        out.append([stamp, _r(point.value)])
    return out


def drawdown(points: Sequence[Point]) -> list[list[float]]:
    """Drawdown below the running peak of the drawn equity (the exact maximum drawdown
    is among these: its peak and trough are always kept points)."""
    peak = float("-inf")
    out = []
    for stamp, value in line(points):
        peak = max(peak, value)
        out.append([stamp, _r(value / peak - 1.0) if peak > 0 else 0.0])
    return out


def _in_range(values: Sequence[tuple[float, float]], low: float, high: float) -> bool:
    """Whether a signal's values live on the price scale (not an oscillator or a count)."""
    span = high - low
    return all(low - span <= v <= high + span for _, v in values)


MAX_SIGNAL_SERIES = 8
"""Most recorded signal series drawn on the price chart."""


def signals(run: RunData) -> dict[str, list[list[float]]]:
    """The recorded signal values that belong on the price chart, one point per drawn
    candle at most (the last value recorded within it), so they stay bounded too."""
    if run.prices is None or not run.prices.candles:
        return {}
    candles = run.prices.candles
    starts = [c.time for c in candles]
    low, high = min(c.low for c in candles), max(c.high for c in candles)
    out: dict[str, list[list[float]]] = {}
    for name, values in sorted(run.signal_values.items()):
        if len(out) == MAX_SIGNAL_SERIES or not _in_range(values, low, high):
            continue
        per_candle: dict[float, float] = {}
        for stamp, value in values:
            per_candle[starts[max(bisect.bisect_right(starts, stamp) - 1, 0)]] = value
        out[name] = [[int(t), _r(v)] for t, v in sorted(per_candle.items())]
    return out


def trade_rows(run: RunData) -> tuple[list[list[str | int]], list[str]]:
    """One row per trade: the ``TRADE_FIELDS`` as written, then the index of its chain's
    workers in the second list (each distinct set once: 10k trades share a handful)."""
    rows: list[list[str | int]] = []
    sets: dict[str, int] = {}
    for trade in run.trades:
        chain = run.chains.get(trade.get("trade_id", ""))
        workers = " ".join(chain.workers) if chain else ""
        index = sets.setdefault(workers, len(sets))
        rows.append([*(trade.get(key, "") for key in TRADE_FIELDS), index])
    return rows, list(sets)


def build(run: RunData, chain_html: Callable[[str], str]) -> dict[str, Any]:
    """The document; ``chain_html(trade_id)`` renders an embedded chain."""
    prices = run.prices
    candles = []
    if prices is not None:
        candles = [
            [int(c.time), _r(c.open), _r(c.high), _r(c.low), _r(c.close), _r(c.volume)]
            for c in prices.candles
        ]
    rows, workers = trade_rows(run)
    return {
        "candles": candles,
        "candle_bars": prices.candle_width if prices else 0,
        "equity": line(run.equity),
        "buy_hold": line(prices.buy_hold) if prices else [],
        "drawdown": drawdown(run.equity),
        "signals": signals(run),
        "trades": rows,
        "workers": workers,
        "chains": {tid: chain_html(tid) for tid in sorted(run.chains)},
        "chains_total": len(run.trades),
    }


def to_json(document: dict[str, Any]) -> str:
    """Compact, deterministic JSON safe inside ``<script>``: no ``</`` can close the
    element and no ``<!--`` can open the parser's escaped state (both escaped in-string)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")
