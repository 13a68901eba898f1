"""Independent checks of a finished run against the raw bars (issue 19): they read
``journal.sqlite`` and the data file, never the runtime's internals.

- :func:`fills_outside_their_bar`: every fill (entries, exits) lies in its bar's
  ``[low, high]`` (the end-of-data close is the bar's close, also inside);
- :func:`unprotected_stop_touches`: a trade's stop in effect on a bar (its plan's
  stop, replaced by every exit update from the bar after the update's tick) that the
  bar touches, on a bar after the bar of the trade's first fill and before its exit.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from stc.runtime.data import load_bars
from stc.runtime.dtos.market import Bar
from stc.runtime.journal_codec import decoded_dto_rows


@dataclass(frozen=True)
class FillRow:
    """One journaled fill."""

    fill_id: str
    time: datetime
    price: float
    fee: float
    size: float


def _rows(run_dir: Path, dto_type: str) -> list[tuple[str, str, str]]:
    """(dto_id, tick time, JSON) of the ``dto_type`` records, decoded from the journal's
    compact encoding (an ExecutionDirective stores its plans by reference)."""
    with sqlite3.connect(run_dir / "journal.sqlite") as db:
        return [(r[2], r[4], r[6]) for r in decoded_dto_rows(db) if r[3] == dto_type]


def fills(run_dir: Path) -> list[FillRow]:
    """Every fill of the run, in journal order."""
    out = []
    for dto_id, _, text in _rows(run_dir, "Fill"):
        data = json.loads(text)
        out.append(
            FillRow(
                dto_id,
                datetime.fromisoformat(data["timestamp"]),
                float(data["price"]),
                float(data["fee"]),
                float(data["size"]),
            )
        )
    return out


def fills_outside_their_bar(run_dir: Path, bars: list[Bar]) -> list[str]:
    """Fills whose price is outside their bar's range, as readable lines."""
    by_time = {bar.time: bar for bar in bars}
    bad = []
    for fill in fills(run_dir):
        bar = by_time[fill.time]
        if not bar.low - 1e-12 <= fill.price <= bar.high + 1e-12:
            bad.append(f"{fill.fill_id} at {fill.price} outside [{bar.low}, {bar.high}]")
    return bad


def unprotected_stop_touches(run_dir: Path, bars: list[Bar]) -> list[str]:
    """Bars on which an open trade's stop was touched and the trade stayed open."""
    first_fill: dict[str, datetime] = {}
    for fill in fills(run_dir):
        first_fill.setdefault(fill.fill_id.split("/")[0], fill.time)
    stops: dict[str, list[tuple[datetime | None, float | None]]] = {}
    for _, _, text in _rows(run_dir, "ExecutionDirective"):
        data = json.loads(text)
        for trade_id, stop in _directive_trades(run_dir, data):
            stops.setdefault(trade_id, []).append((None, stop))
    for _, tick, text in _rows(run_dir, "ExitPlan"):
        data = json.loads(text)
        if data.get("trade_id") and data["trade_id"] in stops:
            stop = data.get("stop_loss_price")
            stops[data["trade_id"]].append(
                (datetime.fromisoformat(tick), float(stop) if stop is not None else None)
            )
    bad = []
    for trade_id, _, text in _rows(run_dir, "Trade"):
        trade = json.loads(text)
        if trade.get("exit_time") is None or trade_id not in first_fill:
            continue
        exit_time = datetime.fromisoformat(trade["exit_time"])
        long = trade["direction"] == "BUY"
        for bar in bars:
            if not first_fill[trade_id] < bar.time < exit_time:
                continue
            stop = _stop_on(stops.get(trade_id, []), bar.time)
            if stop is not None and (bar.low <= stop if long else bar.high >= stop):
                bad.append(f"{trade_id}: stop {stop} touched at {bar.time.isoformat()}")
    return bad


def _directive_trades(run_dir: Path, directive: dict[str, object]) -> list[tuple[str, float]]:
    """(trade id, planned stop) of the trade an execution directive opened."""
    exe = str(directive["directive_id"])
    plan = directive["exit_plan"]
    assert isinstance(plan, dict)
    stop = plan.get("stop_loss_price")
    with sqlite3.connect(run_dir / "journal.sqlite") as db:
        children = [
            row[0] for row in db.execute("SELECT child FROM links WHERE parent = ?", (exe,))
        ]
    return [(c, float(stop)) for c in children if c.startswith("TRD_") and stop is not None]


def _stop_on(history: list[tuple[datetime | None, float | None]], when: datetime) -> float | None:
    """The stop in effect on the bar at ``when``: the last one set on an earlier tick."""
    stop = None
    for tick, value in history:
        if tick is None or tick < when:
            stop = value
    return stop


def bars_of(path: Path) -> list[Bar]:
    """The bars of a data file."""
    return load_bars(path)
