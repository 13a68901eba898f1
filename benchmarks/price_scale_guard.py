"""Cost of the price-scale guard on the bar stream (issue 27), in one process.

Iterates a list of in-memory bars raw and through
``stc.runtime.price_scale.within_price_scale``, alternately, best of ``--reps``, and
prints the difference per bar. Both sides run in the same process one after the other,
so load from other processes hits both alike.

Usage: ``.venv/bin/python benchmarks/price_scale_guard.py [--bars 1000000] [--reps 3]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stc.runtime.dtos.market import Bar
from stc.runtime.price_scale import within_price_scale


def best(fn: Callable[[], None], reps: int) -> float:
    """Fastest of ``reps`` runs (seconds)."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    when = datetime(2020, 1, 1, tzinfo=UTC)
    bars = [Bar(when, 1.1, 1.2, 1.0, 1.15, 10.0) for _ in range(args.bars)]

    def raw() -> None:
        for _ in iter(bars):
            pass

    def guarded() -> None:
        for _ in within_price_scale(iter(bars), "bench"):
            pass

    plain, checked = best(raw, args.reps), best(guarded, args.reps)
    print(
        f"{args.bars:,} bars: raw {plain * 1e3:.0f} ms, guarded {checked * 1e3:.0f} ms, "
        f"+{(checked - plain) * 1e9 / args.bars:.0f} ns a bar "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
