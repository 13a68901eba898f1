"""Instructions of one round-trip trade's flows (``ema_trend``, journal on), counted by
valgrind: the A/B measure of issue 23's cheap flows, immune to the shared VM's load.

``flow_cost.py`` times the same split (whole run − per-tick path, per trade), but its
wall-time ablations drift by tens of µs a trade when the other engineers' jobs run.
Here ``valgrind --tool=callgrind`` counts four processes on ``--bars`` bars:

- the engine with its journal on the seeded bars (``bar_rows.synthetic_rows``) and on
  the rising bars where the cross never fires (``bar_rows.rising_rows``);
- the same two processes stopping after the bars are built (generation only: the
  seeded walk draws Gaussians, the rising one does not, so it must be subtracted);

(after one uninstrumented process has written the bytecode caches) and prints
``(seeded − its generation) − (rising − its generation)`` divided by the
seeded run's round-trip trades: what one trade's flows (signal, directive, four plans,
execution directive, fills, exit, journal rows, commit) cost in instructions. Imports,
bootstrap and schema builds are the same in all four and cancel out.

Every process first builds the validators and serializers of all platform DTOs
(:func:`warm_schemas`): they are built on first use (``defer_build``), so without this
the seeded run alone paid ~10 ms of one-off pydantic schema building, which a 94-trade
run spread as ~0.5-1 M instructions over every trade (``--cold`` counts it again, as
this script did before session 12).

Usage: ``python benchmarks/flow_instructions.py [--bars 10000] [--pure] [--cold]``
(needs ``valgrind``; ~1 min a process on a quiet machine). ``--pure`` sets
STC_PURE_PYTHON=1.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def warm_schemas() -> int:
    """Build every platform DTO's deferred validator and serializer now; the number of
    models built."""
    from pydantic import BaseModel

    import stc.runtime.dtos
    import stc.runtime.dtos.ledger
    import stc.runtime.envelope  # noqa: F401  (the DTO modules define the classes)

    built, todo = 0, list(BaseModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("stc.") and not cls.__pydantic_complete__:
            cls.model_rebuild()
            built += 1
    return built


def one(n: int, bars_kind: str, run: bool, cold: bool = False, blueprint: str = "") -> None:
    """The measured process: build ``n`` bars, then (``run``) ema_trend with a journal."""
    import tempfile
    from itertools import starmap

    from bar_rows import rising_rows
    from runtime_throughput import ema_plan, synthetic_bars

    from stc.runtime.dtos.market import Bar
    from stc.runtime.engine import Engine
    from stc.runtime.journal import Journal

    plan = ema_plan(Path(blueprint)) if blueprint else ema_plan()
    if not cold:
        warm_schemas()
    rows = starmap(Bar, rising_rows(n)) if bars_kind == "rising" else synthetic_bars(n)
    bars = list(rows)
    if not run:
        return
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp) / "j.sqlite")
        # no plugin-timeout watchdog: its thread wakes by wall time, so under valgrind
        # on a loaded machine it added tens of millions of instructions at random
        result = Engine(plan, bars, journal=journal, plugin_timeout=0).run()
        journal.close()
    print(f"trades={len(result.trades)}")


def count(
    n: int, bars_kind: str, run: bool, pure: bool, cold: bool, blueprint: str = ""
) -> tuple[int, int]:
    """(instructions, trades) of one ``--one`` process under callgrind. The string hash
    seed is fixed (dict and set layouts, hence instruction counts, repeat) and the
    compile cache is off (every process compiles the blueprint the same way)."""
    env = {k: v for k, v in os.environ.items() if k != "STC_PURE_PYTHON"}
    env["PYTHONHASHSEED"] = "0"
    # no compile cache: it lives in the user's cache folder, shared by every checkout,
    # so whether a process hit or missed it (~100-300 M instructions) was up to others
    env["STC_NO_CACHE"] = "1"
    if pure:
        env["STC_PURE_PYTHON"] = "1"
    command = [sys.executable, __file__, "--one", str(n), bars_kind, "run" if run else "gen"]
    command += ["--cold"] if cold else []
    command += ["--blueprint", blueprint] if blueprint else []
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr}")
    trades = re.search(r"trades=(\d+)", done.stdout)
    return int(found.group(1)), int(trades.group(1)) if trades else 0


def main() -> None:
    """Count the four processes and print the per-trade figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=10_000)
    parser.add_argument("--pure", action="store_true", help="run with STC_PURE_PYTHON=1")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="do not build the DTO schemas first (the pre-session-12 count)",
    )
    parser.add_argument(
        "--blueprint", default="", help="another blueprint than ema_trend (e.g. ict_smc)"
    )
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(int(args.one[0]), args.one[1], args.one[2] == "run", args.cold, args.blueprint)
        return
    # once uninstrumented, in both builds: the bytecode caches and the compile cache's
    # entry of the blueprint are written before anything is counted (else the first
    # counted process alone pays for compiling every module, or the blueprint: the
    # compiled build's counts varied by ~100-300 M instructions a process before)
    warm_up = [sys.executable, __file__, "--one", "200", "seeded", "run"]
    warm_up += ["--blueprint", args.blueprint] if args.blueprint else []
    for pure in ("1", "0"):
        subprocess.run(warm_up, check=True, capture_output=True,
                       env={**os.environ, "STC_PURE_PYTHON": pure})  # fmt: skip
    seeded, trades = count(args.bars, "seeded", True, args.pure, args.cold, args.blueprint)
    seeded_gen, _ = count(args.bars, "seeded", False, args.pure, args.cold, args.blueprint)
    rising, _ = count(args.bars, "rising", True, args.pure, args.cold, args.blueprint)
    rising_gen, _ = count(args.bars, "rising", False, args.pure, args.cold, args.blueprint)
    flows = (seeded - seeded_gen) - (rising - rising_gen)
    build = ("pure" if args.pure else "as built") + (", cold schemas" if args.cold else "")
    name = Path(args.blueprint).stem if args.blueprint else "ema_trend"
    print(f"| {name}, {args.bars:,} bars ({build}) | instructions |")
    print("|---|---:|")
    print(f"| seeded run − generation | {seeded - seeded_gen:,} |")
    print(f"| rising run − generation (per-tick path) | {rising - rising_gen:,} |")
    print(f"| flows, {trades} round-trip trades | {flows:,} |")
    print(f"| **flows per round-trip trade** | **{flows // max(trades, 1):,}** |")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    main()
