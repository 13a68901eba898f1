"""The fast engine's batch part: a higher timeframe's closed bars by the resampler pass
(every tick pushed through ``Resampler``) against ``resample_columns.closed_columns``
(numpy over the tick columns), in CPU seconds (``time.process_time``, best of
``--rounds``), checking that both give the same bars bit for bit (session 14).

    python benchmarks/higher_bars_cpu.py --bars 100000 --timeframes 4h 1d
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runtime_throughput as rt

from stc.runtime.batch import BarArrays
from stc.runtime.batched import closed_frame, higher_bars
from stc.runtime.resample_columns import closed_columns

COLUMNS = ("time", "open", "high", "low", "close", "volume")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeframes", nargs="+", default=["4h", "1d"])
    args = parser.parse_args()
    bars = list(rt.synthetic_bars(args.bars))
    arrays = BarArrays.from_bars(bars, "1h")
    print("| bars | timeframe | Resampler pass s | numpy s | closed_frame of a list s | same |")
    print("|---:|---|---:|---:|---:|---|")
    for tf in args.timeframes:
        old_s = new_s = list_s = float("inf")
        for _ in range(args.rounds):
            start = time.process_time()
            closed, ticks = higher_bars(bars, tf, "1h")
            old = BarArrays.from_bars(closed, tf)
            old_s = min(old_s, time.process_time() - start)
            start = time.process_time()
            found = closed_columns(arrays, tf, "1h")
            new_s = min(new_s, time.process_time() - start)
            start = time.process_time()
            closed_frame(bars, arrays, tf, "1h")
            list_s = min(list_s, time.process_time() - start)
        assert found is not None
        new, release = found
        same = release.tolist() == ticks and all(
            np.array_equal(getattr(old, c).view(np.int64), getattr(new, c).view(np.int64))
            for c in COLUMNS
        )
        print(f"| {args.bars:,} | {tf} | {old_s:.4f} | {new_s:.4f} | {list_s:.4f} | {same} |")


if __name__ == "__main__":
    main()
