"""One variant in, one result row out: the pure task every executor runs.

Why a task carries a compiled plan (plain data) and a data path rather than bars: the
plan is a few kB to ship to any worker; the bars are read once per worker *process*
(``sweep_bars`` keeps them) and reused by every variant that process runs, whoever
scheduled it. The row depends only on the task: the random seed is derived from the
variant's key, never from the worker or the order, so 1 process, N processes, Dask
and Ray give byte-identical rows.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import random
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stc.runtime.dtos.market import Bar
from stc.runtime.run_result import EngineMode

THREAD_VARIABLES = (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS",
)  # fmt: skip
"""Thread pools of numeric libraries: one thread per process, the pool gives the cores."""


@dataclass(frozen=True)
class VariantTask:
    """Everything a worker needs to run one variant (picklable, plain data)."""

    key: str
    """The variant's stable key: its identity in results.csv and the seed's source."""
    plan: Mapping[str, Any]
    """The compiled wiring map as plain data."""
    data: str
    """The OHLCV file (an absolute path every worker can read)."""
    start: str | None = None
    """Walk-forward: the first bar time (ISO) of the window, inclusive."""
    end: str | None = None
    """Walk-forward: the end (ISO) of the window, exclusive."""
    keep_dir: str | None = None
    """``--keep-runs``: write the full run (journal, trades.csv) into this folder."""
    plugin_roots: tuple[str, ...] = ()
    curve: bool = False
    """Return the (sampled) equity curve and the trades, for walk-forward stitching."""
    engine: EngineMode = "incremental"
    """Which engine runs the variant (both give the same row; issue 23)."""


@dataclass(frozen=True)
class VariantResult:
    """The row of one variant: status, metrics, trade count and trades' sha256."""

    key: str
    status: str  # ok | faulted | error
    metrics: dict[str, Any] = field(default_factory=dict)
    trades_sha256: str = ""
    error: str = ""
    equity: tuple[tuple[str, float], ...] = ()
    trades_csv: str = ""


def seed_for(key: str) -> int:
    """The random seed of a variant: from its key only (never the worker or order)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def pin_threads() -> None:
    """One BLAS/OpenMP thread per process (a pool initializer and the task's first act):
    N processes each spawning N threads would oversubscribe the cores."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"


_BARS: dict[tuple[str, int, int], list[Bar]] = {}
"""Bars by (path, mtime, size): read once per worker process, shared by its variants."""


_TIMES: dict[int, list[datetime]] = {}
"""The times of the cached bars (by the list's id): a window is two bisections."""


def sweep_bars(path: str) -> list[Bar]:
    """The bars of the data file at ``path``, loaded once per process and file version
    (a walk-forward also reads the bar times from them to cut its windows)."""
    from stc.runtime.data import load_bars

    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _BARS:
        _BARS.clear()  # one data set at a time: a worker's memory stays one file's bars
        _TIMES.clear()  # (keyed by id: a new list may reuse a freed one's)
        _BARS[key] = load_bars(Path(path))
    return _BARS[key]


def window(bars: Sequence[Bar], start: str | None, end: str | None) -> Sequence[Bar]:
    """The bars with ``start <= time < end`` (ISO times; None = open)."""
    if not (start or end):
        return bars
    cached = any(held is bars for held in _BARS.values())
    times = _TIMES.get(id(bars)) if cached else None
    if times is None:
        times = [b.time for b in bars]
        if cached:
            _TIMES.clear()
            _TIMES[id(bars)] = times
    lo = bisect.bisect_left(times, datetime.fromisoformat(start)) if start else 0
    hi = bisect.bisect_left(times, datetime.fromisoformat(end)) if end else len(bars)
    return bars[lo:hi]


def run_variant(task: VariantTask) -> VariantResult:
    """Run one variant; any failure (plugin, data, plan) becomes an ``error`` row."""
    pin_threads()
    random.seed(seed_for(task.key))
    try:
        return _run(task)
    except Exception as exc:  # recorded in the row: one variant never stops the sweep
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" ({Path(last[0].filename).name}:{last[0].lineno})" if last else ""
        return VariantResult(task.key, "error", error=f"{type(exc).__name__}: {exc}{where}")


def _run(task: VariantTask) -> VariantResult:
    from stc.runtime.api import run, trades_csv_text
    from stc.runtime.engine import Engine
    from stc.runtime.fast_fallback import run_with_hand_over
    from stc.runtime.metrics import compute_metrics
    from stc.runtime.plan import load_plan

    bars = window(sweep_bars(task.data), task.start, task.end)
    if not bars:
        raise ValueError(f"no bars in [{task.start}, {task.end})")
    roots = [Path(r) for r in task.plugin_roots]
    if task.keep_dir is not None:  # the full run, journal included (slower)
        kept = run(dict(task.plan), data=Path(task.data), out_dir=Path(task.keep_dir),
                   plugin_roots=roots, engine=task.engine,
                   ) if not (task.start or task.end) else None  # fmt: skip
        if kept is not None:
            return _row(task, kept.metrics, trades_csv_text(kept.trades), kept.equity_curve, bars)
    plan = load_plan(dict(task.plan))
    first = Engine(plan, bars, plugin_roots=roots, total_bars=len(bars), engine=task.engine)
    # a fault the fast engine cannot match: the incremental run's result
    result, _ = run_with_hand_over(
        first, lambda: Engine(plan, bars, plugin_roots=roots, total_bars=len(bars)), None
    )
    metrics = compute_metrics(
        result.equity_curve, result.times, result.trades, result.starting_capital,
        result.exposed_bars, len(result.faults), gaps=result.gaps,
        bad_bars_skipped=result.bad_bars_skipped,
    )  # fmt: skip
    return _row(task, metrics, trades_csv_text(result.trades), result.equity_curve, bars)


CURVE_POINTS = 400
"""Equity points a walk-forward task returns (evenly sampled, last bar included)."""


def _row(
    task: VariantTask,
    metrics: dict[str, Any],
    trades: str,
    equity: Sequence[float],
    bars: Sequence[Bar],
) -> VariantResult:
    digest = hashlib.sha256(trades.encode("utf-8")).hexdigest()
    status = "faulted" if metrics.get("faults") else "ok"
    if not task.curve:
        return VariantResult(task.key, status, metrics, digest)
    n = min(len(equity), len(bars))
    step = max(1, n // CURVE_POINTS)
    picks = [*range(0, n, step)]
    if n and picks[-1] != n - 1:
        picks.append(n - 1)
    curve = tuple((bars[i].time.isoformat(), float(equity[i])) for i in picks)
    return VariantResult(task.key, status, metrics, digest, equity=curve, trades_csv=trades)
