"""Instructions a row of each CSV reader, counted by valgrind (issue 23).

Wall time on the shared 2-core VM drifts too much for A/B comparisons of a reader, so
this counts instructions: ``valgrind --tool=callgrind`` runs one process per reader
and size, reading a standard stc CSV of ``SMALL`` and of ``LARGE`` rows
(``benchmarks/csv_load.write_csv``: seeded hourly bars, 5-decimal prices), and the
difference divided by ``LARGE - SMALL`` is the cost of one row with every fixed cost
(imports, numpy's start-up) cancelled out. Readers:

- ``rows``: ``iter_bars`` (the row reader: a validated ``Bar`` per row);
- ``columns``: ``read_bar_arrays`` (the columnar fast path: six numpy columns);
- ``columns+bars``: the columns, then ``bars_from_arrays`` (what ``stc run`` feeds an
  engine that takes only Bars);
- ``pandas``: ``pandas.read_csv(path, parse_dates=["time"])``.

Usage: ``python benchmarks/csv_instructions.py [--readers rows columns] [--pure]``
(``--pure`` sets STC_PURE_PYTHON=1; needs ``valgrind``; ~1 min per reader).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL, LARGE = 20_000, 100_000
READERS = ("rows", "columns", "columns+bars", "pandas")


def one(path: Path, reader: str) -> int:
    """The measured process: read ``path`` with ``reader``; the number of rows."""
    sys.path.insert(0, str(REPO))
    if reader == "rows":
        from stc.runtime.data import iter_bars

        return sum(1 for _ in iter_bars(path))
    if reader == "pandas":
        import pandas as pd

        return len(pd.read_csv(path, parse_dates=["time"]))
    from stc.runtime.data_columns import bars_from_arrays, read_bar_arrays

    arrays = read_bar_arrays(path)
    assert arrays is not None, "the fast path refused the benchmark file"
    if reader == "columns":
        return len(arrays)
    return sum(1 for _ in bars_from_arrays(arrays))


def instructions(path: Path, reader: str, pure: bool) -> int:
    """Instructions of one process reading ``path`` (callgrind's total)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.pop("STC_PURE_PYTHON", None)
    if pure:
        env["STC_PURE_PYTHON"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
             sys.executable, __file__, "--child", str(path), "--reader", reader],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
    match = re.search(r"Collected : (\d+)", done.stderr)
    assert match, done.stderr[-2000:]
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", nargs="+", choices=READERS, default=list(READERS))
    parser.add_argument("--pure", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reader", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        one(args.child, args.reader)
        return
    sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]
    from csv_load import write_csv

    import stc.runtime

    build = "pure" if args.pure else stc.runtime.native_status()
    print(f"build: {build}; rows {SMALL:,} and {LARGE:,}")
    print("| reader | instructions a row |")
    print("|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        small = write_csv(Path(tmp) / "small.csv", SMALL)
        large = write_csv(Path(tmp) / "large.csv", LARGE)
        for reader in args.readers:
            counts = [instructions(p, reader, args.pure) for p in (small, large)]
            print(f"| {reader} | {(counts[1] - counts[0]) / (LARGE - SMALL):,.0f} |")


if __name__ == "__main__":
    main()
