"""CPU rows/s of the default run's data stream: the row reader wrapped in the price-scale
guard (what ``stc run`` streamed until session 15) against ``data_blocks.run_bars``
(column blocks, the row reader after the first block they refuse), and the same with
the report's price spill as its tap. Alternating, ``--repeat`` rounds, medians::

    .venv/bin/python benchmarks/backtesting_whole.py --write 1000000 /tmp/1m.csv
    .venv/bin/python benchmarks/run_stream.py /tmp/1m.csv --repeat 3

Every stream is drained (one ``Bar`` a row, as the engine pulls them); CPU time
(``time.process_time``), not wall time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from stc.runtime import native_status
from stc.runtime.data import iter_bars
from stc.runtime.data_blocks import run_bars
from stc.runtime.dtos.market import Bar
from stc.runtime.price_scale import within_price_scale
from stc.runtime.report.spill import PriceSpill


def rows(path: Path) -> Iterator[Bar]:
    return within_price_scale(iter_bars(path, "error", [], str(path)), str(path))


def blocks(path: Path) -> Iterator[Bar]:
    return run_bars(path, "error", [], str(path), None)


def blocks_spilled(path: Path) -> Iterator[Bar]:
    spill = PriceSpill.create()
    assert spill is not None
    spill.start(path)
    yield from run_bars(path, "error", [], str(path), None, spill)
    spill.discard()


STREAMS: dict[str, Callable[[Path], Iterator[Bar]]] = {
    "row reader + price-scale guard": rows,
    "run_bars (column blocks)": blocks,
    "run_bars + price spill": blocks_spilled,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"build: {native_status()}")
    seconds: dict[str, list[float]] = {name: [] for name in STREAMS}
    count = 0
    for _ in range(args.repeat):
        for name, stream in STREAMS.items():
            start = time.process_time()
            count = sum(1 for _ in stream(args.data))
            seconds[name].append(time.process_time() - start)
    for name, spent in seconds.items():
        median = statistics.median(spent)
        print(f"{name:34s} {count:,} rows  {median:.3f} s CPU  {count / median / 1e6:.2f}M rows/s")


if __name__ == "__main__":
    main()
