"""Compile cost of an operation against its number of strategy links (issue 27).

Why: an operation linking many strategies took ~34 s to compile: plugin discovery ran
once per link. Each link is now compiled against one shared discovery, so the cost is
linear in links with a small slope. This writes operations of N links (all to
ema_trend on the bundled data) and times ``stc check`` in-process, best of ``--reps``.

Usage: ``.venv/bin/python benchmarks/operation_scaling.py [--links 10 50 200] [--reps 3]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def operation_text(links: int) -> str:
    """An operation of ``links`` links to ``bp.yaml`` over ``data.csv``."""
    head = (
        "operation_version: 1\n"
        "data_sources:\n  main: {path: data.csv, symbol: EURUSD, timeframe: 1h}\n"
        "strategy_links:\n"
    )
    return head + "  - {blueprint: bp.yaml, data_source: main}\n" * links


def time_check(folder: Path, links: int, reps: int) -> float:
    """Best wall time of ``stc check op.yaml`` (in-process, no on-disk cache)."""
    from stc.commands.cli import main

    (folder / "op.yaml").write_text(operation_text(links), encoding="utf-8")
    best = float("inf")
    for _ in range(reps):
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", str(folder / "op.yaml")])
        best = min(best, time.perf_counter() - started)
        assert code == 0, f"the operation of {links} links does not check clean"
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--links", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ["STC_NO_CACHE"] = "1"
    folder = Path(tempfile.mkdtemp(prefix="stc-operation-scaling-"))
    try:
        shutil.copy(REPO / "blueprints" / "ema_trend.yaml", folder / "bp.yaml")
        shutil.copy(REPO / "data" / "EURUSD_1h.csv", folder / "data.csv")
        time_check(folder, 1, 1)  # imports and first discovery out of the measurement
        print("| links | stc check (s) | ms per link |\n|---:|---:|---:|")
        for links in args.links:
            seconds = time_check(folder, links, args.reps)
            print(f"| {links} | {seconds:.2f} | {seconds / links * 1000:.1f} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
