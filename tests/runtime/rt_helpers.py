"""Shared helpers of the runtime tests: fixtures, data, wiring-map edits."""

from __future__ import annotations

import copy
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.market import Bar
from stc.runtime.dtos.plans import EntryPlan, ExecutionDirective, ExitPlan, RoutingPlan, SizePlan

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
PLUGIN_ROOTS = (HERE / "test_plugins",)
REPO = HERE.parent.parent
EURUSD = REPO / "data" / "EURUSD_1h.csv"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def stc(*args: str) -> subprocess.CompletedProcess[str]:
    """``stc ARGS`` in a fresh process (the console script's code path), from the repo."""
    return subprocess.run(
        [sys.executable, "-m", "stc.commands.cli", *args],
        cwd=REPO, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip


def wiring(name: str) -> dict[str, Any]:
    """A fresh copy of a fixture wiring map as a dict."""
    return copy.deepcopy(yaml.safe_load((FIXTURES / f"{name}.yaml").read_text()))


def add_worker(plan: dict[str, Any], worker: dict[str, Any]) -> None:
    """Insert a worker before the execution handler."""
    plan["workers"].insert(len(plan["workers"]) - 1, worker)


def subscribe(plan: dict[str, Any], event: str, worker: str, method: str) -> None:
    """Append a subscriber to ``event`` (creating the wiring when absent)."""
    for wiring_ in plan["event_wirings"]:
        if wiring_["event"] == event:
            wiring_["subscribers"].append({"worker": worker, "method": method})
            return
    plan["event_wirings"].append(
        {
            "event": event,
            "payload": "",
            "publishers": [],
            "subscribers": [{"worker": worker, "method": method}],
        }
    )


def plugin_worker(wid: str, folder: str, cls: str, wtype: str, **extra: Any) -> dict[str, Any]:
    """A root-origin worker entry for a test plugin."""
    return {
        "id": wid,
        "plugin": cls,
        "version": "1.0.0",
        "type": wtype,
        "subtype": "x",
        "source": {"origin": "root", "module": "worker", "class": cls, "folder": folder},
        "params": extra.pop("params", {}),
        "warmup": 0,
        "timeframe": "1h",
        **extra,
    }


def bars_from(rows: list[tuple[float, float, float, float]], start: datetime = T0) -> list[Bar]:
    """Hourly bars (open, high, low, close) starting at ``start``."""
    return [
        Bar(start + timedelta(hours=i), o, h, lo, c, 100.0) for i, (o, h, lo, c) in enumerate(rows)
    ]


def random_future(after: Bar, count: int, seed: int) -> list[Bar]:
    """``count`` hourly bars after ``after`` on a seeded random walk with wild moves:
    a future that no decision before it may depend on (no-look-ahead properties)."""
    import random

    rng, price, out = random.Random(seed), float(after.close), []
    for i in range(1, count + 1):
        open_ = price
        price = max(open_ * (1 + rng.gauss(0, 0.01)), 1e-6)
        high = max(open_, price) * (1 + abs(rng.gauss(0, 0.005)))
        low = min(open_, price) * (1 - abs(rng.gauss(0, 0.005)))
        out.append(Bar(after.time + timedelta(hours=i), open_, high, low, price, 1000.0))
    return out


def directive(
    *,
    direction: str = "BUY",
    order_type: str = "MARKET",
    limit: str | None = None,
    stop_price: str | None = None,
    size: str = "10",
    stop: str = "90",
    target: str | None = "120",
    timing: str = "IMMEDIATE",
    tif: str = "GTC",
    slices: int = 1,
    iceberg: str | None = None,
    layers: tuple[str, ...] = (),
) -> ExecutionDirective:
    """An ExecutionDirective for fill-model tests (ids are well-formed constants)."""
    stamp = T0
    return ExecutionDirective(
        directive_id="EXE_20240101_000000_00009",
        timestamp=stamp,
        causality=CausalityChain(tick_time=stamp),
        entry_plan=EntryPlan(
            plan_id="ENT_20240101_000000_00001", symbol="X", direction=direction,
            order_type=order_type, limit_price=Decimal(limit) if limit else None,
            stop_price=Decimal(stop_price) if stop_price else None,
            layers=tuple(Decimal(x) for x in layers),
        ),
        size_plan=SizePlan(
            plan_id="SIZ_20240101_000000_00002", position_size=Decimal(size),
            position_value=Decimal(0), risk_amount=Decimal(0),
        ),
        exit_plan=ExitPlan(
            plan_id="EXT_20240101_000000_00003", stop_loss_price=Decimal(stop),
            take_profit_price=Decimal(target) if target else None,
        ),
        routing_plan=RoutingPlan(
            plan_id="ROU_20240101_000000_00004", timing=timing, time_in_force=tif,
            max_slippage_pct=Decimal("0.01"), slices=slices,
            iceberg_preference=Decimal(iceberg) if iceberg else None,
        ),
    )  # fmt: skip


def raw_sql(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """``sql``'s rows straight from the SQLite file at ``path`` (under the Journal API)."""
    with sqlite3.connect(path) as db:
        return list(db.execute(sql, args))
