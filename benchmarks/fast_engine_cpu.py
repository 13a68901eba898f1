"""The fast engine against the incremental one, in CPU seconds, in one process (issue 23).

On a loaded machine wall time swings ±30 % between runs; the CPU time of this process
does not (much), so the modes are compared by ``time.process_time`` over the same bars,
alternating, ``--rounds`` times: ``fast`` (the default engine), ``incremental`` (every
worker on every bar) and ``fast, no skipping`` (batch forms on every bar: what skipping
adds on its own). numpy is imported before the clock, journal included, bars in memory.

    python benchmarks/fast_engine_cpu.py --bars 100000 [--blueprint blueprints/ict_smc.yaml]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runtime_throughput as rt

from stc.runtime import skipping
from stc.runtime.dtos.market import Bar
from stc.runtime.engine import Engine
from stc.runtime.journal import Journal
from stc.runtime.plan import Plan
from stc.runtime.run_result import EngineMode


def cpu_seconds(
    plan: Plan, bars: list[Bar], mode: EngineMode, skip: bool
) -> tuple[float, int, int]:
    """(CPU seconds, trades, skipped bars) of one run."""
    original = skipping.Skipper.next_busy
    if not skip:
        skipping.Skipper.next_busy = lambda self, start, pending_rows: start  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.process_time()
            journal = Journal(Path(tmp) / "j.sqlite")
            engine = Engine(plan, bars, journal=journal, engine=mode)
            result = engine.run()
            journal.close()
            seconds = time.process_time() - start
    finally:
        skipping.Skipper.next_busy = original  # type: ignore[method-assign]
    skipped = engine.fast.skipped_bars if engine.fast is not None else 0
    return seconds, len(result.trades), skipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--blueprint", type=Path, default=rt.EMA_BLUEPRINT)
    args = parser.parse_args()
    import numpy  # noqa: F401  (imported before the clock: not part of either mode)

    plan = rt.ema_plan(args.blueprint)
    bars = list(rt.synthetic_bars(args.bars))
    configs: tuple[tuple[str, EngineMode, bool], ...] = (
        ("fast", "fast", True), ("incremental", "incremental", True),
        ("fast, no skipping", "fast", False),
    )  # fmt: skip
    best: dict[str, tuple[float, int, int]] = {}
    for _ in range(args.rounds):
        for label, mode, skip in configs:
            got = cpu_seconds(plan, bars, mode, skip)
            if label not in best or got[0] < best[label][0]:
                best[label] = got
    print(f"| {args.blueprint.name} | mode | CPU s (best of {args.rounds}) | µs/bar | trades "
          "| skipped bars |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|")
    for label, (seconds, trades, skipped) in best.items():
        print(f"| {args.bars:,} bars | {label} | {seconds:.2f} | {seconds / args.bars * 1e6:.1f} "
              f"| {trades} | {skipped:,} |")  # fmt: skip


if __name__ == "__main__":
    main()
