"""Instructions per bar of ``ema_trend`` through the engine, counted by valgrind.

Wall time on the shared 2-core VM drifts by ±30 % within minutes (and the VM's speed
per instruction changed by 1.7× within one session), so A/B comparisons of the runtime
use instruction counts: ``valgrind --tool=callgrind`` runs the same script with 5,000
and 25,000 seeded bars, and the difference divided by 20,000 is the cost of one bar
with every fixed cost (imports, bootstrap, schema builds) cancelled out. Bars are
generated in memory first; a ``gen`` run measures that generation alone, so the
engine's share is the difference.

Usage: ``python benchmarks/runtime_instructions.py [--modes gen none journal fast]
[--pure]`` (needs ``valgrind``; ~1 min per mode). ``fast`` is ``journal`` in the fast
engine. ``--pure`` sets STC_PURE_PYTHON=1.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL, LARGE = 5_000, 25_000


def one(n: int, mode: str, wiring: Path) -> None:
    """The measured process: generate ``n`` bars, then run the engine (``mode``)."""
    sys.path.insert(0, str(REPO))
    import yaml

    from stc.runtime.dtos.market import Bar
    from stc.runtime.engine import Engine
    from stc.runtime.journal import Journal
    from stc.runtime.plan import load_plan

    rng, price, start = random.Random(7), 1.1, datetime(2020, 1, 1, tzinfo=UTC)
    bars = []
    for i in range(n):
        o = price
        c = o * (1 + rng.gauss(0, 0.002))
        h = max(o, c) * (1 + abs(rng.gauss(0, 0.001)))
        lo = min(o, c) * (1 - abs(rng.gauss(0, 0.001)))
        when = start + timedelta(hours=i)
        bars.append(Bar(when, round(o, 6), round(h, 6), round(lo, 6), round(c, 6), 100.0))
        price = c
    plan = load_plan(yaml.safe_load(wiring.read_text(encoding="utf-8")))
    if mode == "gen":
        return
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp) / "j.sqlite") if mode in ("journal", "fast") else None
        Engine(
            plan, bars, journal=journal, engine="fast" if mode == "fast" else "incremental"
        ).run()
        if journal is not None:
            journal.close()


def count(n: int, mode: str, wiring: Path, pure: bool) -> int:
    """Instructions of one ``--one`` process under callgrind."""
    env = {k: v for k, v in os.environ.items() if k != "STC_PURE_PYTHON"}
    if pure:
        env["STC_PURE_PYTHON"] = "1"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         __file__, "--one", str(n), mode, str(wiring)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["gen", "none", "journal"])
    parser.add_argument("--pure", action="store_true", help="run with STC_PURE_PYTHON=1")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(int(args.one[0]), args.one[1], Path(args.one[2]))
        return
    sys.path.insert(0, str(REPO))
    from stc.compiler import compile_blueprint

    with tempfile.TemporaryDirectory() as tmp:
        wiring = Path(tmp) / "wiring_map.yaml"
        wiring.write_text(compile_blueprint(REPO / "blueprints/ema_trend.yaml").wiring_map)
        per_bar = {}
        for mode in args.modes:
            small, large = (
                count(SMALL, mode, wiring, args.pure),
                count(LARGE, mode, wiring, args.pure),
            )
            per_bar[mode] = (large - small) // (LARGE - SMALL)
    gen = per_bar.get("gen", 0)
    print(
        f"| mode | instructions/bar | minus generation |  ({'pure' if args.pure else 'as built'})"
    )
    print("|---|---:|---:|")
    for mode, value in per_bar.items():
        print(f"| {mode} | {value:,} | {value - gen:,} |")


if __name__ == "__main__":
    main()
