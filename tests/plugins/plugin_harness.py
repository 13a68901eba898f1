"""Helpers that drive reference plugins with real TradingContexts.

Bars come from the repo's copy of EURUSD 1h (``data/EURUSD_1h.csv``) or from small
hand-made sequences; each bar is appended to a bounded OHLCVWindow, the context's tick
is begun, and the context workers run in order (their DTOs provided), exactly as the
engine's phase 1a does.
"""

from __future__ import annotations

import csv
import inspect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml

from stc.compiler.validate import apply_defaults
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.ledger import LedgerSnapshot, PositionView
from stc.runtime.dtos.market import Bar, OHLCVWindow, TradingContext
from stc.runtime.workers import ContextWorker, Worker

W = TypeVar("W", bound=Worker)

DATA = Path(__file__).parents[2] / "data"
START = datetime(2024, 1, 1, tzinfo=UTC)


def load_bars(limit: int | None = None) -> list[Bar]:
    """EURUSD 1h bars, oldest first (naive timestamps taken as UTC)."""
    bars: list[Bar] = []
    with (DATA / "EURUSD_1h.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            stamp = datetime.fromisoformat(row[""]).replace(tzinfo=UTC)
            bars.append(
                Bar(
                    stamp,
                    float(row["Open"]),
                    float(row["High"]),
                    float(row["Low"]),
                    float(row["Close"]),
                    float(row["Volume"]),
                )
            )
            if limit is not None and len(bars) >= limit:
                break
    return bars


def make_bars(rows: Sequence[tuple[float, ...]], volume: float = 100.0) -> list[Bar]:
    """Hourly bars from (open, high, low, close[, volume]) tuples."""
    out = []
    for i, row in enumerate(rows):
        vol = row[4] if len(row) > 4 else volume
        out.append(Bar(START + timedelta(hours=i), row[0], row[1], row[2], row[3], vol))
    return out


def hl_bars(
    rows: Sequence[tuple[float, float]], closes: Sequence[float] | None = None
) -> list[Bar]:
    """Bars from (high, low) pairs; close = midpoint unless given, open = close."""
    out = []
    for i, (high, low) in enumerate(rows):
        close = closes[i] if closes is not None else (high + low) / 2
        out.append(Bar(START + timedelta(hours=i), close, high, low, close, 100.0))
    return out


def new_context(symbol: str = "EURUSD", capacity: int = 300) -> TradingContext:
    """A context with one bounded 1h window."""
    return TradingContext(symbol, {"1h": OHLCVWindow("1h", capacity)})


def bind(worker: Worker, context: TradingContext, worker_id: str = "w") -> Worker:
    """Bind like the platform does at bootstrap (shared id factory per test)."""
    worker.bind(worker_id, IdFactory(), context=context)
    return worker


def ticks(
    bars: Iterable[Bar], context: TradingContext, chain: Sequence[ContextWorker] = ()
) -> Iterator[Bar]:
    """Advance ``context`` bar by bar, running ``chain`` (phase 1a); yields each bar
    after the chain ran so the caller can invoke the worker under test."""
    window = context.window()
    for bar in bars:
        window.append(bar)
        context.begin_tick(bar)
        for worker in chain:
            dto = worker.on_tick(context)
            if dto is not None:
                context.provide(dto)
        yield bar


class FakeLedger:
    """The two ``LedgerView`` methods, backed by fixed data (for planner tests)."""

    def __init__(
        self,
        *,
        equity: str = "10000",
        returns: tuple[float, ...] = (),
        positions: tuple[PositionView, ...] = (),
        when: datetime = datetime(2024, 3, 1, 12, 0, tzinfo=UTC),
    ) -> None:
        self.equity, self.returns, self.positions = Decimal(equity), returns, positions
        self.when = when

    def snapshot(self) -> LedgerSnapshot:
        """Cash = equity = peak, no P&L, the given open positions."""
        return LedgerSnapshot(
            timestamp=self.when,
            cash=self.equity,
            equity=self.equity,
            peak_equity=self.equity,
            realised_pnl=Decimal(0),
            unrealised_pnl=Decimal(0),
            open_positions=self.positions,
        )

    def closed_trade_returns(self) -> tuple[float, ...]:
        """The given R-multiple returns."""
        return self.returns


def configured(cls: type[W], params: Mapping[str, Any] | None = None) -> W:
    """``cls`` built as the engine builds it from a compiled plan: ``params`` with the
    ``default`` of every absent param of its manifest's ``config_schema`` filled in by
    the compiler's own ``apply_defaults`` (the plugins keep no second copy of them)."""
    manifest = Path(inspect.getfile(cls)).with_name("plugin_manifest.yaml")
    schema = yaml.safe_load(manifest.read_text(encoding="utf-8")).get("config_schema") or {}
    return cls(apply_defaults(dict(params or {}), schema))
