"""Read a run directory into what the report draws: metrics, trades, chains, prices.

Everything comes from the files ``stc.runtime.api.run`` writes (``metrics.json``,
``trades.csv``, ``journal.sqlite``, ``wiring_map.yaml``) plus the market data, which
the run directory does not copy: it is found as ``data`` (when given), else the
plan's ``data_source``, else the bundled data set — and used only when it covers the
trades. Without prices the equity is drawn from the realised P&L at each exit.

Nothing here holds the run's bars: the market data is streamed once through
:mod:`stc.runtime.report.prices`, and the series the page draws are bounded summaries
(:mod:`stc.runtime.report.decimate`). Causality chains are read for at most
``MAX_CHAINS`` trades and faults for at most ``MAX_FAULTS``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stc.runtime.artefacts import ArtefactError
from stc.runtime.journal import Journal, JournalError
from stc.runtime.journal_explain import CHAIN_KEYS
from stc.runtime.report.columns import summarise_blocks, summarise_columns
from stc.runtime.report.decimate import ExtremeDecimator, Point
from stc.runtime.report.prices import OpenTrade, PriceSummary, summarise, to_float
from stc.runtime.report.spill import PriceSpill
from stc.runtime.report.trades import scan_trades, short_reason

MAX_CHAINS = 200
"""Most trades whose causality chain the page embeds (see :func:`chain_selection`)."""
MAX_FAULTS = 500
"""Most faults the page lists (the count is always the full one)."""
MAX_SIGNAL_POINTS = 20_000
"""Most recorded signal values drawn on the price chart."""


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
    trades: list[dict[str, str]]  # the rows shown: all, or a bounded selection
    chains: dict[str, Chain]
    strategy: str = ""
    symbol: str = ""
    prices: PriceSummary | None = None
    data_path: Path | None = None
    equity: list[Point] = field(default_factory=list)
    faults: list[tuple[str, str, str]] = field(default_factory=list)  # worker, time, error
    fault_count: int = 0
    signal_values: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    trade_count: int = 0  # every trade of trades.csv


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
        raise ArtefactError(f"{path}: not the JSON stc writes ({short_reason(exc)})") from None
    if not isinstance(loaded, dict):
        raise ArtefactError(f"{path}: not the JSON stc writes (not an object)")
    return dict(loaded)


def chain_selection(trades: Sequence[dict[str, str]], limit: int = MAX_CHAINS) -> list[str]:
    """The trades whose chains the page embeds: all of them up to ``limit``; past it the
    first and last quarter-limit in time and the quarter-limit best and worst by P&L —
    the trades a reader opens first. The others name ``stc explain`` instead."""
    ids = [t.get("trade_id", "") for t in trades]
    if len(ids) <= limit:
        return ids
    quarter = limit // 4
    by_pnl = sorted(range(len(trades)), key=lambda i: to_float(trades[i].get("pnl")))
    picked = {*range(quarter), *range(len(ids) - quarter, len(ids))}
    picked |= {*by_pnl[:quarter], *by_pnl[-quarter:]}
    return [ids[i] for i in sorted(picked)]


def read_chains(
    run_dir: Path, trade_ids: Sequence[str]
) -> tuple[dict[str, Chain], list[Any], int, dict[str, list[tuple[float, float]]]]:
    """The chains of ``trade_ids``, the first faults, their count and the recorded
    numeric values of the signals (see :func:`signal_values`), from ``journal.sqlite``."""
    path = run_dir / "journal.sqlite"
    if not path.is_file():  # every chain is said to be missing
        return {tid: Chain(tid, "", ()) for tid in trade_ids}, [], 0, {}
    try:
        journal = Journal(path, create=False)
    except sqlite3.Error as exc:
        raise ArtefactError(f"{path}: not a run journal ({short_reason(exc)})") from None
    try:
        fills = journal.children_of(list(trade_ids))
        chains = {tid: trade_chain(journal, tid, fills.get(tid, ())) for tid in trade_ids}
        db = journal._db
        faults = list(db.execute(
            "SELECT worker, tick_time, error FROM faults ORDER BY seq LIMIT ?", (MAX_FAULTS,)
        ))  # fmt: skip
        count = int(db.execute("SELECT count(*) FROM faults").fetchone()[0])
        values = signal_values(db)
    except (sqlite3.Error, JournalError, ValueError) as exc:  # garbage, or no tables of ours
        raise ArtefactError(f"{path}: not a run journal ({short_reason(exc)})") from None
    finally:
        journal._db.close()
    return chains, faults, count, values


def signal_values(db: sqlite3.Connection) -> dict[str, list[tuple[float, float]]]:
    """``worker.key`` → (time, value) of every numeric metadata value of the recorded
    opportunity signals (e.g. ``ema_cross_detector.fast_ema``).

    The journal records what the workers computed only where a flow happened (a signal):
    context outputs are not journalled bar by bar, so these points are the indicator
    values the report can show — at the signal ticks, at most ``MAX_SIGNAL_POINTS``.
    """
    out: dict[str, list[tuple[float, float]]] = {}
    rows = db.execute(
        "SELECT tick_time, worker, json FROM dtos WHERE type = 'OpportunitySignal' "
        "ORDER BY seq LIMIT ?",
        (MAX_SIGNAL_POINTS,),
    )
    for tick, worker, text in rows:
        when = parse_time(str(tick))
        loaded = json.loads(text) if text else {}
        metadata = loaded.get("metadata") if isinstance(loaded, dict) else None
        if when is None or not isinstance(metadata, dict):
            continue
        for key, value in sorted(metadata.items()):
            if isinstance(value, int | float) and not isinstance(value, bool):
                out.setdefault(f"{worker}.{key}", []).append((when.timestamp(), float(value)))
    return out


def trade_chain(journal: Journal, trade_id: str, children: Sequence[str] | None = None) -> Chain:
    """tick → context → opportunities/threats → directive → plans → execution → fills.

    Follows the same links as ``stc.runtime.journal.explain`` (trade → its execution
    directive → the directive's ``CausalityChain``; fills are the trade's children,
    ``children`` when the caller read them already: :meth:`Journal.children_of`).
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
    for child in journal.children(trade_id) if children is None else children:
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
    """strategy, symbol and data_source of the run's wiring map (empty if absent).
    Read with libyaml when it is installed, as the runtime reads the same file
    (:mod:`stc.runtime.plan.load`): 3 ms instead of 20 for ema_trend's map."""
    path = run_dir / "wiring_map.yaml"
    if not path.is_file():
        return {}
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (yaml.YAMLError, ValueError):  # ValueError: not UTF-8 (the header is optional)
        return {}
    return dict(loaded) if isinstance(loaded, dict) else {}


def find_prices(
    run_dir: Path,
    header: dict[str, Any],
    data: Path | None,
    opened: list[OpenTrade],
    start: float,
    spill: PriceSpill | None = None,
) -> tuple[PriceSummary | None, Path | None]:
    """One pass over the run's market data, when it can be found and covers the trades:
    over ``spill``, the bars the run kept as it read them, when they are those of the
    file found (:meth:`PriceSpill.holds`), else over the file itself."""
    from stc.runtime.data import DataError, iter_bars
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
        kept = None
        if spill is not None and spill.holds(candidate):  # the run's own read of it
            kept = summarise_blocks(spill.np, spill.blocks(), opened, start)
        try:  # columns when the columnar reader takes the file; else the run's bars,
            # had it skipped any, streamed as rows
            summary = (
                kept
                or summarise_columns(candidate, opened, start)
                or summarise(iter_bars(candidate, "skip", []), opened, start)
            )
        except (DataError, OSError, ValueError):
            continue
        if summary is not None and summary.covers(opened):
            return summary, candidate
    return None, None


def equity_from_trades(opened: list[OpenTrade], start: float) -> list[Point]:
    """Realised equity after each exit (no prices: the curve steps at the exits)."""
    closed = sorted((t.exit, t.pnl) for t in opened if t.exit != float("inf"))
    line = ExtremeDecimator()
    if opened:
        line.push(min(opened[0].entry, closed[0][0]) if closed else opened[0].entry, start)
    running = start
    for when, pnl in closed:
        running += pnl
        line.push(when, running)
    return line.points()


def load_run(
    run_dir: Path, *, data: Path | None = None, spill: PriceSpill | None = None
) -> RunData:
    """Read everything the report needs from ``run_dir`` (the prices from ``spill``
    when it holds the data file's bars: :func:`find_prices`)."""
    run_dir = Path(run_dir)
    metrics = read_metrics(run_dir)
    scan = scan_trades(run_dir)
    trades = scan.shown
    chains, faults, fault_count, values = read_chains(run_dir, chain_selection(trades))
    header = read_plan_header(run_dir)
    start = to_float(str(metrics.get("starting_capital", "")), 10_000.0)
    prices, data_path = find_prices(run_dir, header, data, scan.opened, start, spill)
    equity = prices.equity if prices else equity_from_trades(scan.opened, start)
    symbol = str(header.get("symbol") or (scan.first or {}).get("symbol", ""))
    return RunData(
        run_dir, metrics, trades, chains, str(header.get("strategy") or ""), symbol, prices,
        data_path, equity, faults, fault_count, values, scan.count,
    )  # fmt: skip
