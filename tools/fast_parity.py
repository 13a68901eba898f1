"""Quick parity check of the fast engine against the incremental one (issue 23).

Every reference blueprint (``blueprints/*.yaml``; not dca_weekly, whose schedule needs
its operation and runs every bar anyway) runs on each real data set of the shared data
folder (``data/EURUSD_1h.csv`` without it) in both modes, with the bars in memory
(the fast engine needs them ahead); the two runs' trades.csv text, metrics.json text
and every journal row (every table, rowid order, ids included) must be equal. The
plan's timeframes are mapped onto the data's (1h → the data's bar, the higher one by
``HIGHER``), so each blueprint runs on every file.

    python -m tools.fast_parity            # one line per run; exit 1 on a difference

The parity suite (tests/integration) is the full contract; this is the engineer's check.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent.parent / "shared" / "data"
DATA = sorted(SHARED.glob("*.csv")) if SHARED.is_dir() else [REPO / "data" / "EURUSD_1h.csv"]
HIGHER = {"1h": "4h", "1d": "1w", "1M": "3M"}


def plans() -> Iterator[tuple[str, Any]]:
    """(name, plan) of every reference strategy."""
    from stc.compiler.api import compile_blueprint

    for path in sorted((REPO / "blueprints").glob("*.yaml")):
        if path.name.startswith("dca_weekly"):  # its schedule needs the operation's link
            continue
        yield path.name, compile_blueprint(path).plan


def on_timeframe(plan: Any, tick: str) -> Any:
    """``plan`` moved onto the data's tick timeframe (its higher one: ``HIGHER``)."""
    moved = {plan.timeframes[0]: tick}
    if len(plan.timeframes) > 1:
        moved[plan.timeframes[1]] = HIGHER[tick]
    workers = tuple(
        w.model_copy(update={"timeframe": moved.get(w.timeframe, w.timeframe)})
        for w in plan.workers
    )
    timeframes = tuple(moved.get(t, t) for t in plan.timeframes)
    return plan.model_copy(update={"timeframes": timeframes, "workers": workers})


def journal_rows(path: Path) -> list[tuple[str, tuple[Any, ...]]]:
    """Every row of every table, tables by name, rows in insertion order (``links``
    read through its view: format 2 folds the links onto the ``dtos`` rows, which
    therefore carry them too)."""
    query = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute(query)]
        return [
            (t, tuple(row))
            for t in tables
            for row in db.execute(f'SELECT * FROM "{t}" ORDER BY {_ORDER.get(t, "rowid")}')
        ]


_ORDER = {"links": "seq"}
"""Row order of a view (no rowid)."""


def run_once(plan: Any, bars: list[Any], mode: str, folder: Path) -> dict[str, Any]:
    """One run; its trades.csv text, metrics.json text, journal rows, skipped bars."""
    from stc.runtime.api import _with_handler, trades_csv_text
    from stc.runtime.engine import Engine
    from stc.runtime.journal import Journal

    folder.mkdir(parents=True, exist_ok=True)
    journal = Journal(folder / "journal.sqlite")
    engine = Engine(_with_handler(plan, "backtest"), bars, journal=journal, engine=mode)  # type: ignore[arg-type]
    result = engine.run()
    journal.close()
    assert result.metrics is not None
    metrics = result.metrics.metrics(
        result.times, result.exposed_bars, len(result.faults),
        gaps=result.gaps, bad_bars_skipped=result.bad_bars_skipped,
    )  # fmt: skip
    return {
        "trades.csv": trades_csv_text(result.trades),
        "metrics.json": json.dumps(metrics, indent=2, sort_keys=True),
        "journal rows": journal_rows(folder / "journal.sqlite"),
        "skipped": engine.fast.skipped_bars if engine.fast is not None else 0,
        "why": engine.fast.skipper.why_not() if engine.fast is not None else "streamed",
        "trades": len(result.trades),
    }


def main() -> int:
    from stc.runtime.data import load_bars

    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for data in DATA:
            bars = load_bars(data)
            tick = data.stem.rsplit("_", 1)[-1]
            for name, plan in plans():
                moved = on_timeframe(plan, tick)
                base = Path(tmp) / f"{data.stem}-{name}"
                slow = run_once(moved, bars, "incremental", base / "incremental")
                fast = run_once(moved, bars, "fast", base / "fast")
                differs = [k for k in ("trades.csv", "metrics.json", "journal rows")
                           if slow[k] != fast[k]]  # fmt: skip
                failed += bool(differs)
                print(f"{'DIFF ' + ','.join(differs) if differs else 'equal'}  {data.name:16} "
                      f"{name:28} trades {fast['trades']:4}  rows {len(fast['journal rows']):6}  "
                      f"skipped {fast['skipped']:5}/{len(bars)}  {fast['why'] or ''}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
