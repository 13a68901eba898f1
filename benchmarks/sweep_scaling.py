"""Sweep scaling: a 64-variant sweep of ema_trend over 100k bars on every executor.

Measures, in one run on this machine:

- wall time of the 64 variants on a local pool of 1 and of N processes (pool start-up
  included: it is part of what a user waits for) and the parallel efficiency
  ``T1 / (N * TN)``;
- the same tasks on a dask.distributed LocalCluster (N worker processes, one thread
  each, on 127.0.0.1) and on a local Ray (``num_cpus=N``), cluster start-up excluded
  (a user's cluster is already running), and their overhead over the local pool;
- the per-variant fixed cost: the compile of a param-only variant (the shared
  structure patched), the dispatch of a trivial task through the pool and back, and
  the study commit + results.csv row of one result.

Every executor must give the same result rows (asserted), as the tests do.

Usage: ``python benchmarks/sweep_scaling.py [--bars 100000] [--workers 2] [--skip-dask]
[--skip-ray]``. Prints a markdown table (docs/performance.md holds a copy).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bar_rows import synthetic_rows

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stc.commands.sweep import COMMIT_ROWS  # noqa: E402
from stc.compiler.pipeline import Session  # noqa: E402
from stc.compiler.sweep_compile import compile_variants  # noqa: E402
from stc.compiler.sweep_space import command_line_space, expand  # noqa: E402
from stc.runtime.sweep.executors import LocalExecutor, make_executor  # noqa: E402
from stc.runtime.sweep.results import result_table  # noqa: E402
from stc.runtime.sweep.study import Study  # noqa: E402
from stc.runtime.sweep.task import VariantResult, VariantTask  # noqa: E402

BLUEPRINT = REPO / "blueprints" / "ema_trend.yaml"
SPACE = ["ema_cross_detector.fast=5:40:5", "ema_cross_detector.slow=50:190:20"]  # 8 x 8


def write_bars(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("time,open,high,low,close,volume\n")
        for t, o, h, low, c, v in synthetic_rows(n):
            out.write(f"{t:%Y-%m-%d %H:%M:%S},{o!r},{h!r},{low!r},{c!r},{v!r}\n")


def compiled_tasks(data: Path) -> tuple[list[VariantTask], float, float]:
    """The 64 tasks; (tasks, seconds to compile all, seconds to compile the base alone)."""
    space, _, problems = command_line_space(SPACE, [])
    assert not problems
    variants = expand(space)
    assert len(variants) == 64
    session = Session()
    compile_variants(BLUEPRINT, str(BLUEPRINT), variants, session)  # warm: imports, caches
    one = every = float("inf")
    for _ in range(5):  # best of 5 (a busy machine only ever adds time)
        start = time.perf_counter()
        compile_variants(BLUEPRINT, str(BLUEPRINT), variants[:1], session)
        one = min(one, time.perf_counter() - start)
        start = time.perf_counter()
        compiled = compile_variants(BLUEPRINT, str(BLUEPRINT), variants, session)
        every = min(every, time.perf_counter() - start)
    tasks = [VariantTask(v.key, compiled.plans[v.key], str(data)) for v in variants]
    return tasks, every, one


def timed(executor: Any, tasks: list[VariantTask], started: float) -> tuple[float, list[Any]]:
    try:
        results = sorted(executor.map_unordered(tasks), key=lambda r: r.key)
    finally:
        executor.close()
    return time.perf_counter() - started, results


def local(tasks: list[VariantTask], workers: int) -> tuple[float, list[Any]]:
    start = time.perf_counter()
    return timed(LocalExecutor(workers), tasks, start)


def dask(tasks: list[VariantTask], workers: int) -> tuple[float, list[Any]]:
    from distributed import LocalCluster

    options = {"threads_per_worker": 1, "processes": True, "host": "127.0.0.1"}
    with LocalCluster(
        n_workers=workers, dashboard_address=None, silence_logs=40, **options
    ) as cluster:
        start = time.perf_counter()
        return timed(make_executor(f"dask://{cluster.scheduler_address}"), tasks, start)


def ray(tasks: list[VariantTask], workers: int) -> tuple[float, list[Any]]:
    import ray as ray_module

    ray_module.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        start = time.perf_counter()
        return timed(make_executor("ray"), tasks, start)
    finally:
        ray_module.shutdown()


def dispatch_cost(data: Path, tasks: list[VariantTask], n: int = 200) -> float:
    """Seconds per trivial task (a 2-bar window) through a warm 1-process pool."""
    first = sorted(Path(data).read_text().splitlines()[1:3])
    start_time, end_time = (line.split(",")[0].replace(" ", "T") for line in first)
    tiny = [VariantTask(f"{i}", tasks[0].plan, tasks[0].data, start=start_time, end=end_time)
            for i in range(n)]  # fmt: skip
    pool = LocalExecutor(1)
    try:
        list(pool.map_unordered(tiny[:4]))  # warm: the process is up, the bars loaded
        start = time.perf_counter()
        list(pool.map_unordered(tiny))
        return (time.perf_counter() - start) / n
    finally:
        pool.close()


def row_cost(folder: Path, n: int = 2000) -> float:
    """Seconds to commit one result to the study and render its results.csv row."""
    study = Study(folder / "bench.sqlite")
    study.add_variants((i, f"k{i}", "base", "{}", "pending") for i in range(n))
    metrics = {f"m{i}": 0.123456789 * i for i in range(20)}
    results = [VariantResult(f"k{i}", "ok", metrics, "0" * 64) for i in range(n)]
    start = time.perf_counter()
    for i in range(0, n, COMMIT_ROWS):  # as the sweep commits: batches of COMMIT_ROWS
        study.record_many(results[i : i + COMMIT_ROWS])
    result_table(study.rows())
    study.close()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--fixed-only", action="store_true", help="only the per-variant costs")
    args = parser.parse_args()
    n = args.workers
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bars.csv"
        write_bars(data, args.bars)
        tasks, compile_all, compile_one = compiled_tasks(data)
        if args.fixed_only:
            fixed(
                compile_all,
                compile_one,
                len(tasks),
                dispatch_cost(data, tasks),
                row_cost(Path(tmp)),
            )
            return
        rows: list[tuple[str, float, list[Any]]] = []
        t1, reference = local(tasks, 1)
        rows.append(("local, 1 process", t1, reference))
        tn, found = local(tasks, n)
        rows.append((f"local, {n} processes", tn, found))
        if not args.skip_dask:
            rows.append((f"dask LocalCluster, {n} workers", *dask(tasks, n)))
        if not args.skip_ray:
            rows.append((f"ray local, num_cpus={n}", *ray(tasks, n)))
        for name, _, results in rows:
            assert results == reference, f"{name}: results differ from the 1-process run"
        dispatch = dispatch_cost(data, tasks)
        commit = row_cost(Path(tmp))
    load = os.getloadavg()[0]
    print(
        f"{len(tasks)} variants of ema_trend over {args.bars:,} bars, {n} workers, "
        f"{os.cpu_count()} cores, load average {load:.1f}\n"
    )
    print("| executor | wall (s) | s / variant | vs local pool (same workers) |")
    print("|---|---:|---:|---:|")
    for name, seconds, _ in rows:
        versus = "" if name.startswith("local") else f"{(seconds / tn - 1) * 100:+.1f} %"
        print(f"| {name} | {seconds:.2f} | {seconds / len(tasks):.3f} | {versus} |")
    print(f"\nparallel efficiency T1 / ({n} x T{n}) = {t1 / (n * tn):.3f}")
    print(f"identical rows on every executor: yes ({len(reference)} variants)")
    fixed(compile_all, compile_one, len(tasks), dispatch, commit)


def fixed(compile_all: float, compile_one: float, n: int, dispatch: float, commit: float) -> None:
    """Print the per-variant fixed costs."""
    patch = (compile_all - compile_one) / (n - 1)
    print(f"\nper-variant fixed cost (load average {os.getloadavg()[0]:.1f}):")
    print(f"- compile of a param-only variant (patch + schema check): {patch * 1e6:.0f} µs")
    print(f"  (the structure's full compile, once per structure: {compile_one * 1e3:.1f} ms)")
    print("- a trivial task (2-bar window: plan load, engine bootstrap, run, row) through")
    print(f"  a warm 1-process pool and back: {dispatch * 1e6:.0f} µs")
    print(f"- study commit (batches of {COMMIT_ROWS}) + results.csv row: {commit * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
