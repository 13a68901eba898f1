"""One blueprint's engine+journal run in CPU seconds on any checkout of stc, old or new:
the "today's figure" anchor of a target filed against an older tree (issue 23's
``ict_smc`` ≥ 3×).

Older trees kept their packages at the top level (``runtime``, ``compiler``) and had no
fast engine; newer ones have ``stc.runtime``/``stc.compiler`` and an ``engine=`` switch.
This script imports whichever layout ``--tree`` has, builds the same seeded bars from
that tree's ``benchmarks/bar_rows.py`` (the generator is unchanged since before issue
23), compiles the blueprint with that tree's compiler, and times ``Engine(...).run()``
with a journal by ``time.process_time`` (bars in memory, numpy imported before the
clock, as ``fast_engine_cpu.py`` does). Run it with the tree's own interpreter, so its
native build (or not) is the one measured:

    /old/tree/.venv/bin/python benchmarks/tree_cpu.py --tree /old/tree \\
        --blueprint blueprints/ict_smc.yaml --bars 100000 --rounds 2 [--engine incremental]

It prints one Markdown row per round's best: tree, commit-free label, mode, CPU
seconds, µs a bar, trades, and which runtime build ran (``native_status``).
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from itertools import starmap
from pathlib import Path
from types import ModuleType
from typing import Any


def layout(tree: Path) -> str:
    """``"stc."`` when the tree has the ``stc`` package, ``""`` for the old top-level one."""
    return "stc." if (tree / "stc" / "runtime").is_dir() else ""


def modules(tree: Path) -> dict[str, ModuleType]:
    """The tree's engine, journal, plan, market DTO, compiler and bar generator modules."""
    sys.path[:0] = [str(tree), str(tree / "benchmarks")]
    prefix = layout(tree)
    names = {"engine": "runtime.engine", "journal": "runtime.journal", "plan": "runtime.plan",
             "market": "runtime.dtos.market", "compiler": "compiler",
             "runtime": "runtime"}  # fmt: skip
    found = {key: importlib.import_module(prefix + name) for key, name in names.items()}
    found["bar_rows"] = importlib.import_module("bar_rows")
    return found


def one_run(
    mods: dict[str, ModuleType], plan: Any, bars: list[Any], engine: str
) -> tuple[float, int]:
    """(CPU seconds, trades) of one engine+journal run over ``bars``."""
    kwargs = {"engine": engine} if engine else {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()
        journal = mods["journal"].Journal(Path(tmp) / "j.sqlite")
        result = mods["engine"].Engine(plan, bars, journal=journal, **kwargs).run()
        journal.close()
        return time.process_time() - start, len(result.trades)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--blueprint", type=Path, default=Path("blueprints/ict_smc.yaml"))
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--engine", default="", help="incremental/fast (newer trees only)")
    args = parser.parse_args()
    import numpy  # noqa: F401  (before the clock, as in fast_engine_cpu.py)
    import yaml

    tree = args.tree.resolve()
    mods = modules(tree)
    wiring = mods["compiler"].compile_blueprint(tree / args.blueprint).wiring_map
    plan = mods["plan"].load_plan(yaml.safe_load(wiring))
    bars = list(starmap(mods["market"].Bar, mods["bar_rows"].synthetic_rows(args.bars, 42)))
    best = min(one_run(mods, plan, bars, args.engine) for _ in range(args.rounds))
    status = getattr(mods["runtime"], "native_status", lambda: "?")()
    head = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    seconds, trades = best
    print(f"| {head} | {args.blueprint.name} | {args.bars:,} | {args.engine or 'default'} "
          f"| {seconds:.2f} | {seconds / args.bars * 1e6:.1f} | {trades} | {status} |")  # fmt: skip


if __name__ == "__main__":
    main()
