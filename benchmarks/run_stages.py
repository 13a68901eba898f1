"""CPU of each stage of a whole ``stc run`` (issue 23's whole-process target): the
stage table of docs/performance.md, "Session 16, wholerun"::

    .venv/bin/python benchmarks/backtesting_whole.py --write 1000000 /tmp/1m.csv
    .venv/bin/python benchmarks/run_stages.py /tmp/1m.csv --repeat 3
    .venv/bin/python benchmarks/run_stages.py /tmp/1m.csv --engine fast

Each repetition is a fresh process (``--child``) that imports what a run imports, one
group at a time, then calls ``stc.commands.cli.main(["run", BLUEPRINT, "--data", CSV,
"--quiet", ...])`` with the stages' functions wrapped by a ``time.process_time()``
counter (no profiler: the engine's per-bar path is untouched; the wrapped functions are
called a few times a run, except the journal's ``write``, once a flow, and trades.csv's
row writer, once a trade). Times are inclusive: an indented stage is part of the one
above it. The last lines are the exit handlers (the compile cache's write) and the
process total from ``getrusage`` of the child (interpreter start and shutdown included,
as ``/usr/bin/time`` counts them). CPU time throughout, never wall time; medians of the
repetitions.

The data stream (CSV → ``Bar``s) runs inside the engine's loop, a bar at a time as the
engine pulls it; ``benchmarks/run_stream.py`` measures it apart.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

IMPORTS = (
    ("import stc.commands.cli", "stc.commands.cli"),
    ("import stc.commands.run (the compiler's pipeline)", "stc.commands.run"),
    ("import stc.runtime.api (the runtime, numpy)", "stc.runtime.api"),
    ("import stc.runtime.report", "stc.runtime.report"),
)
"""What ``stc run`` imports on its way, in its order, timed one group at a time."""

STAGES: tuple[tuple[str, str, str, int], ...] = (
    # (module, attribute (Class.method allowed), label, depth)
    ("stc.commands.run", "compile_path", "compile (cache hit)", 0),
    ("stc.commands.run", "_data_misfit", "data fit, before the folder", 0),
    ("stc.commands.run", "_prepare_run_dir", "run folder: wiring map + diagram", 0),
    ("stc.commands.report", "wiring_svg", "wiring diagram (dot)", 1),
    ("stc.runtime.api", "check_plan_data", "data fit (both calls)", 0),
    ("stc.runtime.api", "run", "api.run", 0),
    ("stc.runtime.api", "check_data_fit", "data fit in api.run", 1),
    ("stc.runtime.api", "check_volume", "volume check", 1),
    ("stc.runtime.api", "count_rows", "count_rows", 1),
    ("stc.runtime.api", "open_journal", "open journal", 1),
    ("stc.runtime.api", "Engine", "Engine() (workers, plugins)", 1),
    ("stc.runtime.api", "run_with_hand_over", "engine loop (data stream included)", 1),
    ("stc.runtime.journal", "Journal.write", "journal writes (a flow each)", 2),
    ("stc.runtime.api", "TradeRows.write", "trades.csv rows", 2),
    ("stc.runtime.journal", "Journal.flush", "journal flushes", 2),
    ("stc.runtime.journal", "Journal.check_replayed", "journal check", 1),
    ("stc.runtime.journal", "Journal.close", "journal close (every call)", 1),
    ("stc.commands.run", "_write_report", "report", 0),
    ("stc.runtime.report.load", "scan_trades", "scan_trades", 1),
    ("stc.runtime.report.load", "read_chains", "read_chains", 1),
    ("stc.runtime.report.load", "find_prices", "find_prices (price pass)", 1),
    ("stc.runtime.report.page", "render", "render", 1),
    ("stc.runtime.report.page", "write_atomically", "write report.html", 1),
    ("stc.commands.run", "_print_summary", "summary", 0),
)

Timings = dict[str, float]


def _wrap(owner: Any, name: str, label: str, spent: Timings) -> None:
    inner = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.process_time() - start

    setattr(owner, name, timed)


def child(data: str, blueprint: str, engine: str, result_file: str) -> None:
    """One run: time the imports, wrap the stages, run ``stc run``, write the timings."""
    spent: Timings = {"interpreter start": time.process_time()}

    def report() -> None:  # registered first: runs after every other exit handler
        spent["exit handlers (compile cache write)"] = time.process_time() - exit_start
        Path(result_file).write_text(json.dumps(spent), encoding="utf-8")

    atexit.register(report)
    for label, module in IMPORTS:
        start = time.process_time()
        importlib.import_module(module)
        spent[label] = time.process_time() - start
    for module, attribute, label, _ in STAGES:
        owner: Any = importlib.import_module(module)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        _wrap(owner, name, label, spent)
    from stc.commands.cli import main

    with tempfile.TemporaryDirectory() as out:
        start = time.process_time()
        code = main(["run", blueprint, "--data", data, "--quiet", "--out", out,
                     "--engine", engine])  # fmt: skip
        spent["stc run (cli.main)"] = time.process_time() - start
        gc.freeze()  # as the console script does
    if code != 0:
        raise SystemExit(f"stc run exited {code}")
    exit_start = time.process_time()


def _repetition(data: Path, blueprint: Path, engine: str) -> Timings:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, __file__, "--child", str(data), "--blueprint", str(blueprint),
             "--engine", engine, "--result", result.name],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent: Timings = json.loads(Path(result.name).read_text(encoding="utf-8"))
    spent["process total (user + sys)"] = (
        after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    )
    return spent


def _rows() -> list[tuple[str, int]]:
    rows = [("interpreter start", 0)] + [(label, 0) for label, _ in IMPORTS]
    rows.append(("stc run (cli.main)", 0))
    rows += [(label, depth + 1) for _, _, label, depth in STAGES]
    rows += [("exit handlers (compile cache write)", 0), ("process total (user + sys)", 0)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--blueprint", type=Path, default=ROOT / "blueprints/ema_trend.yaml")
    parser.add_argument("--engine", choices=("incremental", "fast"), default="incremental")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(str(args.data), str(args.blueprint), args.engine, args.result)
        return
    runs = [_repetition(args.data, args.blueprint, args.engine) for _ in range(args.repeat)]
    print(f"{args.blueprint.name} over {args.data} ({args.engine}), CPU seconds, "
          f"median of {len(runs)}")  # fmt: skip
    print("| stage | CPU s |\n|---|---:|")
    for label, depth in _rows():
        values = [r[label] for r in runs if label in r]
        shown = f"{statistics.median(values):.3f}" if values else "—"
        print(f"| {'↳ ' * min(depth, 1)}{'  ' * max(depth - 1, 0)}{label} | {shown} |")


if __name__ == "__main__":
    main()
