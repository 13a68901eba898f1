"""A synthetic run folder (bars CSV, trades.csv, metrics.json) for report scaling tests.

Builds what a long backtest would leave behind without running one: a seeded hourly
random walk and ``trades`` round trips spread evenly over it, each entered and exited
at a bar's close with its P&L consistent with its prices.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

TRADE_COLUMNS = (
    "trade_id", "symbol", "direction", "entry_time", "entry_price", "size", "exit_time",
    "exit_price", "exit_reason", "fees", "pnl", "execution_directive_id",
)  # fmt: skip


def write_run(folder: Path, bars: int, trades: int, seed: int = 3) -> tuple[Path, Path]:
    """(run folder, data CSV) of ``bars`` hourly bars and ``trades`` closed trades."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "bars.csv"
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    closes: list[float] = []
    price = 1.1
    with data.open("w", encoding="utf-8") as out:
        out.write("time,open,high,low,close,volume\n")
        for i in range(bars):
            opened = price
            price *= 1.0 + rng.gauss(0.0, 0.0015)
            wiggle = abs(rng.gauss(0.0, 0.0008)) * opened
            high, low = max(opened, price) + wiggle, min(opened, price) - wiggle
            when = start + timedelta(hours=i)
            out.write(f"{when:%Y-%m-%d %H:%M:%S},{opened:.6f},{high:.6f},{low:.6f},{price:.6f},")
            out.write(f"{rng.randint(50, 150)}\n")
            closes.append(round(price, 6))
    _write_trades(folder, closes, start, trades)
    metrics = {"starting_capital": 10_000.0, "bars": bars, "trades": trades}
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return folder, data


def _write_trades(folder: Path, closes: list[float], start: datetime, count: int) -> None:
    step = max(len(closes) // max(count, 1), 2)
    with (folder / "trades.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TRADE_COLUMNS)
        for k in range(count):
            i0 = k * step
            i1 = min(i0 + step // 2 + 1, len(closes) - 1)
            if i0 >= len(closes) - 1:
                break
            sell = k % 3 == 2
            size, fees = 1000.0, 0.02
            move = closes[i1] - closes[i0]
            pnl = (-move if sell else move) * size - fees
            writer.writerow([
                f"TRD_{k:06d}", "EURUSD", "SELL" if sell else "BUY",
                (start + timedelta(hours=i0)).isoformat(), closes[i0], size,
                (start + timedelta(hours=i1)).isoformat(), closes[i1], "SIGNAL", fees,
                f"{pnl:.10f}", "",
            ])  # fmt: skip
