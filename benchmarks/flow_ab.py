"""A/B of a round-trip trade's flows between two checkouts, alternated in one session.

On the shared VM a figure measured an hour apart from another says little: other jobs
stretch even CPU time 2–3×. This runs ``ema_trend`` with its journal on the seeded
bars and on the rising bars (no signal: the per-tick path) from checkout A, then from
checkout B, ``--reps`` times alternated; each run is a fresh process (its own imports
and build mode) that keeps the best of 3 runs in it, timed with the CPU clock. It
prints, per checkout, the best whole run, the best per-tick run and their difference
per round-trip trade (the flows, as ``flow_cost.py`` defines them).

Usage: ``python benchmarks/flow_ab.py A_DIR B_DIR [--bars 30000] [--reps 4]`` (checkouts
made with ``git archive REV | tar -x -C DIR``; ``STC_PURE_PYTHON=1`` applies to both).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

_CHILD = r"""
import sys, tempfile, time
root, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path[:0] = [root, root + "/benchmarks"]
from itertools import starmap
from pathlib import Path
from bar_rows import rising_rows
from runtime_throughput import ema_plan, synthetic_bars
import stc.runtime as runtime
from stc.runtime.dtos.market import Bar
from stc.runtime.engine import Engine
from stc.runtime.journal import Journal
bars = list(starmap(Bar, rising_rows(n)) if kind == "rising" else synthetic_bars(n))
best, trades = float("inf"), 0
for _ in range(3):
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()
        journal = Journal(Path(tmp) / "j.sqlite")
        result = Engine(ema_plan(), bars, journal=journal).run()
        journal.close()
        best = min(best, time.process_time() - start)
        trades = len(result.trades)
print(best, trades, runtime.native_status())
"""


def one(root: str, bars: int, kind: str) -> tuple[float, int, str]:
    """(best CPU seconds, trades, build mode) of one fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, root, str(bars), kind],
        capture_output=True, text=True, check=True,
    ).stdout.split(maxsplit=2)  # fmt: skip
    return float(out[0]), int(out[1]), out[2].strip()


def main() -> None:
    """Alternate the checkouts and print each one's flows per trade."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs=2)
    parser.add_argument("--bars", type=int, default=30_000)
    parser.add_argument("--reps", type=int, default=4)
    args = parser.parse_args()
    times: dict[tuple[str, str], list[float]] = {}
    trades, mode = 0, ""
    for _ in range(args.reps):
        for root in args.roots:
            for kind in ("seeded", "rising"):
                seconds, count, mode = one(root, args.bars, kind)
                times.setdefault((root, kind), []).append(seconds)
                trades = count if kind == "seeded" else trades
    print(f"{args.bars:,} bars, {trades} round-trip trades, {mode}, CPU clock\n")
    print("| checkout | whole run (s) | per-tick path (s) | flows, µs a trade |")
    print("|---|---:|---:|---:|")
    for root in args.roots:
        whole, quiet = min(times[(root, "seeded")]), min(times[(root, "rising")])
        flows = (whole - quiet) / max(trades, 1) * 1e6
        print(f"| {root} | {whole:.3f} | {quiet:.3f} | {flows:,.0f} |")


if __name__ == "__main__":
    main()
