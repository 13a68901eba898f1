"""Read a run directory into what the report draws: metrics, trades, chains, prices.

Everything comes from the files ``stc.runtime.api.run`` writes (``metrics.json``,
``trades.csv``, ``journal.sqlite``, ``wiring_map.yaml``) plus the market data, which
the run directory does not copy: it is found as ``data`` (when given), else the
plan's ``data_source``, else the bundled data set — and used only when it covers the
trades. Without prices the equity is drawn from the realised P&L at each exit.
"""

from __future__ import annotations

import bisect
import csv
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stc.runtime.artefacts import ArtefactError
from stc.runtime.dtos.market import Bar
from stc.runtime.journal import Journal, JournalError

CHAIN_KEYS: tuple[tuple[str, str], ...] = (
    ("strategy_directive_id", "directive"),
    ("entry_plan_id", "entry plan"),
    ("size_plan_id", "size plan"),
    ("exit_plan_id", "exit plan"),
    ("routing_plan_id", "routing plan"),
    ("execution_directive_id", "execution"),
)


@dataclass(frozen=True)
class Step:
    """One link of a trade's causality chain."""

    label: str
    dto_id: str
    dto_type: str = ""
    worker: str = ""
    tick_time: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chain:
    """A trade's causality chain, tick to exit, in reading order."""

    trade_id: str
    tick_time: str
    steps: tuple[Step, ...]

    @property
    def workers(self) -> tuple[str, ...]:
        """The worker ids on the chain, first appearance first."""
        seen: dict[str, None] = {}
        for step in self.steps:
            if step.worker:
                seen.setdefault(step.worker, None)
            for factor in step.fields.get("contributing_factors") or ():
                if isinstance(factor, dict) and factor.get("worker_id"):
                    seen.setdefault(str(factor["worker_id"]), None)
        return tuple(seen)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every DTO id on the chain."""
        return tuple(step.dto_id for step in self.steps)


@dataclass
class RunData:
    """What the report shows, read from one run directory."""

    run_dir: Path
    metrics: dict[str, Any]
    trades: list[dict[str, str]]
    chains: dict[str, Chain]
    strategy: str = ""
    symbol: str = ""
    bars: list[Bar] | None = None
    data_path: Path | None = None
    equity: list[tuple[datetime, float]] = field(default_factory=list)
    faults: list[tuple[str, str, str]] = field(default_factory=list)  # worker, time, error


def parse_time(text: str) -> datetime | None:
    """An ISO timestamp from trades.csv or the journal, None when empty or bad."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def read_metrics(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "metrics.json"
    if not path.is_file():
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError: truncated or binary
        raise ArtefactError(f"{path}: not the JSON stc writes ({_reason(exc)})") from None
    if not isinstance(loaded, dict):
        raise ArtefactError(f"{path}: not the JSON stc writes (not an object)")
    return dict(loaded)


def read_trades(run_dir: Path) -> list[dict[str, str]]:
    path = run_dir / "trades.csv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        try:
            return [dict(row) for row in reader]
        except (ValueError, csv.Error) as exc:  # binary text, a field past csv's limit
            line = reader.reader.line_num  # DictReader.line_num lags a row behind
            where = f"{path}:{line}" if line else str(path)
            raise ArtefactError(f"{where}: not the CSV stc writes ({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    """One short line from a decoding or parsing error."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text at byte {exc.start}"
    return " ".join(str(exc).split())[:120]


def read_chains(run_dir: Path, trade_ids: Sequence[str]) -> tuple[dict[str, Chain], list[Any]]:
    """Every trade's chain and the run's faults, from ``journal.sqlite``."""
    path = run_dir / "journal.sqlite"
    if not path.is_file():
        return {}, []
    try:
        journal = Journal(path, create=False)
    except sqlite3.Error as exc:
        raise ArtefactError(f"{path}: not a run journal ({_reason(exc)})") from None
    try:
        chains = {tid: trade_chain(journal, tid) for tid in trade_ids}
        faults = [(r[2], r[3], r[4]) for r in journal.rows("faults")]
    except (sqlite3.Error, JournalError, ValueError) as exc:  # garbage, or no tables of ours
        raise ArtefactError(f"{path}: not a run journal ({_reason(exc)})") from None
    finally:
        journal._db.close()
    return chains, faults


def trade_chain(journal: Journal, trade_id: str) -> Chain:
    """tick → context → opportunities/threats → directive → plans → execution → fills.

    Follows the same links as ``stc.runtime.journal.explain`` (trade → its execution
    directive → the directive's ``CausalityChain``; fills are the trade's children).
    """
    trade = journal.dto(trade_id)
    if trade is None:
        return Chain(trade_id, "", ())
    steps: list[Step] = []
    tick = ""
    exe_id = trade[3].get("execution_directive_id")
    exe = journal.dto(exe_id) if exe_id else None
    if exe is not None:
        causality = exe[3].get("causality") or {}
        tick = str(causality.get("tick_time") or exe[1])
        ctx = causality.get("context_assessment_id")
        if ctx:
            steps.append(_step(journal, ctx, "context"))
        for key, label in (("opportunity_ids", "opportunity"), ("threat_ids", "threat")):
            for sid in causality.get(key) or ():
                steps.append(_step(journal, sid, label))
        for key, label in CHAIN_KEYS:
            if causality.get(key):
                steps.append(_step(journal, causality[key], label))
    for child in journal.children(trade_id):
        found = journal.dto(child)
        if found is not None and found[0] == "Fill":
            steps.append(Step("fill", child, found[0], found[2], found[1], found[3]))
    steps.append(Step("trade", trade_id, trade[0], trade[2], trade[1], trade[3]))
    return Chain(trade_id, tick, tuple(steps))


def _step(journal: Journal, dto_id: str, label: str) -> Step:
    found = journal.dto(dto_id)
    if found is None:
        return Step(label, dto_id)
    return Step(label, dto_id, found[0], found[2], found[1], found[3])


def read_plan_header(run_dir: Path) -> dict[str, Any]:
    """strategy, symbol and data_source of the run's wiring map (empty if absent)."""
    path = run_dir / "wiring_map.yaml"
    if not path.is_file():
        return {}
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError):  # ValueError: not UTF-8 (the header is optional)
        return {}
    return dict(loaded) if isinstance(loaded, dict) else {}


def find_bars(
    run_dir: Path, header: dict[str, Any], data: Path | None, trades: list[dict[str, str]]
) -> tuple[list[Bar] | None, Path | None]:
    """The run's market data, when it can be found and covers the trades."""
    from stc.runtime.data import DataError, load_bars
    from stc.runtime.resources import default_data_path

    candidates: list[Path] = []
    if data is not None:
        candidates.append(Path(data))
    source = header.get("data_source") or {}
    named = source.get("path") or source.get("file") if isinstance(source, dict) else None
    if named:
        named_path = Path(str(named))
        candidates += (
            [named_path]
            if named_path.is_absolute()
            else [run_dir / named_path, Path.cwd() / named_path]
        )
    candidates.append(default_data_path())
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            bars = load_bars(candidate, "skip", [])  # the run's bars, had it skipped any
        except (DataError, OSError, ValueError):
            continue
        if bars and _covers(bars, trades):
            return bars, candidate
    return None, None


def _covers(bars: list[Bar], trades: list[dict[str, str]]) -> bool:
    first, last = bars[0].time, bars[-1].time
    for trade in trades:
        for key in ("entry_time", "exit_time"):
            when = parse_time(trade.get(key, ""))
            if when is not None and not first <= when <= last:
                return False
    return True


def _float(text: str | None, default: float = 0.0) -> float:
    try:
        return float(text) if text not in (None, "") else default
    except ValueError:
        return default


def equity_from_bars(
    bars: list[Bar], trades: list[dict[str, str]], start: float
) -> list[tuple[datetime, float]]:
    """Equity marked at every close: realised P&L plus open trades at the close.

    A trade is open from the bar holding its entry until the bar holding its exit
    (where its net P&L is realised); the entry half of its fees is charged while open.
    This rebuilds the engine's curve from trades.csv (exact up to partial fills).
    """
    times = [b.time for b in bars]
    n = len(bars)
    realised = [0.0] * (n + 1)
    unrealised = [0.0] * n
    for trade in trades:
        entry = parse_time(trade.get("entry_time", ""))
        if entry is None:
            continue
        exit_ = parse_time(trade.get("exit_time", ""))
        i0 = max(bisect.bisect_right(times, entry) - 1, 0)
        i1 = n if exit_ is None else max(bisect.bisect_right(times, exit_) - 1, 0)
        sign = -1.0 if trade.get("direction") == "SELL" else 1.0
        price, size = _float(trade.get("entry_price")), _float(trade.get("size"))
        entry_fee = _float(trade.get("fees")) / 2
        for i in range(i0, min(i1, n)):
            unrealised[i] += sign * (bars[i].close - price) * size - entry_fee
        if exit_ is not None and i1 < n:
            realised[i1] += _float(trade.get("pnl"))
    out: list[tuple[datetime, float]] = []
    running = start
    for i, bar in enumerate(bars):
        running += realised[i]
        out.append((bar.time, running + unrealised[i]))
    return out


def equity_from_trades(trades: list[dict[str, str]], start: float) -> list[tuple[datetime, float]]:
    """Realised equity after each exit (no prices: the curve steps at the exits)."""
    closed = []
    for trade in trades:
        when = parse_time(trade.get("exit_time", ""))
        if when is not None:
            closed.append((when, _float(trade.get("pnl"))))
    closed.sort(key=lambda item: item[0])
    out: list[tuple[datetime, float]] = []
    first = parse_time(trades[0].get("entry_time", "")) if trades else None
    if first is not None:
        out.append((min(first, closed[0][0]) if closed else first, start))
    running = start
    for when, pnl in closed:
        running += pnl
        out.append((when, running))
    return out


def load_run(run_dir: Path, *, data: Path | None = None) -> RunData:
    """Read everything the report needs from ``run_dir``."""
    run_dir = Path(run_dir)
    metrics = read_metrics(run_dir)
    trades = read_trades(run_dir)
    chains, faults = read_chains(run_dir, [t.get("trade_id", "") for t in trades])
    header = read_plan_header(run_dir)
    bars, data_path = find_bars(run_dir, header, data, trades)
    start = _float(str(metrics.get("starting_capital", "")), 10_000.0)
    equity = equity_from_bars(bars, trades, start) if bars else equity_from_trades(trades, start)
    symbol = str(header.get("symbol") or (trades[0].get("symbol", "") if trades else ""))
    return RunData(
        run_dir, metrics, trades, chains, str(header.get("strategy") or ""), symbol, bars,
        data_path, equity, faults,
    )  # fmt: skip
