"""CSV load speed: stc's reader against ``pandas.read_csv`` and the stdlib ``csv``
module on the same file, in the same process (issue 23: CSV loading at >= 2M rows/s,
or say what bounds it).

::

    .venv/bin/python benchmarks/csv_load.py                  # 1M rows, both builds
    .venv/bin/python benchmarks/csv_load.py --rows 300000 --repeat 5 --build pure

The file is the standard stc CSV (``time,open,high,low,close,volume``, ISO
timestamps, prices with 5 decimals) of ``benchmarks/bar_rows.synthetic_rows``. Each
build (``compiled``: the mypyc hot path; ``pure``: ``STC_PURE_PYTHON=1``) runs in a
subprocess of its own, because the build is chosen at import. In that process, per
round (median of ``--repeat``; the three readers alternate so load on the shared
machine hits them alike):

- ``stc``: ``sum(1 for _ in iter_bars(path))``: parsed and validated ``Bar`` objects,
  streamed (constant memory), with ``file:line`` diagnostics for bad rows;
- ``pandas``: ``pandas.read_csv(path, parse_dates=["time"])`` (C parser, the whole
  file as columns in memory, no validation, timestamps naive);
- ``csv``: ``csv.reader`` with ``datetime.fromisoformat`` and five ``float`` per row,
  nothing checked: the floor of a pure-Python row loop;
- ``columns``: ``read_bar_arrays(path)`` (issue 23): the columnar fast path, six numpy
  columns parsed and validated in bulk (the whole file in memory as 48 bytes a row).

Ratios are stc's rows/s over the other reader's. The load average is printed: the
machine is shared, so compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]


def write_csv(path: Path, rows: int) -> Path:
    """``rows`` synthetic hourly bars as a standard stc CSV."""
    from bar_rows import synthetic_rows

    with path.open("w", newline="") as handle:
        handle.write("time,open,high,low,close,volume\n")
        for t, o, h, lo, c, v in synthetic_rows(rows):
            stamp = t.strftime("%Y-%m-%d %H:%M:%S")
            handle.write(f"{stamp},{o:.5f},{h:.5f},{lo:.5f},{c:.5f},{v:.0f}\n")
    return path


def read_stc(path: Path) -> int:
    from stc.runtime.data import iter_bars

    return sum(1 for _ in iter_bars(path))


def read_pandas(path: Path) -> int:
    import pandas as pd

    return len(pd.read_csv(path, parse_dates=["time"]))


def read_stdlib(path: Path) -> int:
    count = 0
    from_iso = datetime.fromisoformat
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            from_iso(row[0])
            float(row[1]), float(row[2]), float(row[3]), float(row[4]), float(row[5])
            count += 1
    return count


def read_columns(path: Path) -> int:
    from stc.runtime.data_columns import read_bar_arrays

    arrays = read_bar_arrays(path)
    assert arrays is not None, "the fast path refused the benchmark file"
    return len(arrays)


READERS: dict[str, Callable[[Path], int]] = {
    "stc": read_stc,
    "pandas": read_pandas,
    "csv": read_stdlib,
    "columns": read_columns,
}


def measure(path: Path, repeat: int) -> dict[str, float]:
    """Median seconds per reader (run inside the build's own process)."""
    times: dict[str, list[float]] = {name: [] for name in READERS}
    counts = set()
    for _ in range(repeat):
        for name, reader in READERS.items():
            start = time.perf_counter()
            counts.add(reader(path))
            times[name].append(time.perf_counter() - start)
    assert len(counts) == 1, counts  # every reader read every row
    return {name: statistics.median(values) for name, values in times.items()}


def _child(path: Path, repeat: int) -> None:
    import stc.runtime

    result = measure(path, repeat)
    print(json.dumps({"status": stc.runtime.native_status(), "seconds": result}))


def _run_build(build: str, path: Path, repeat: int) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("STC_PURE_PYTHON", None)
    if build == "pure":
        env["STC_PURE_PYTHON"] = "1"
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--repeat", str(repeat)],
        env=env, capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", choices=("compiled", "pure", "both"), default="both")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child, args.repeat)
        return
    builds = ("compiled", "pure") if args.build == "both" else (args.build,)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "bars.csv", args.rows)
        size = path.stat().st_size
        print(f"{args.rows:,} rows, {size / 1e6:.1f} MB; load average before: {load}")
        print(
            "| build | stc rows/s | pandas rows/s | csv rows/s | stc/pandas | stc/csv "
            "| columns rows/s | columns/pandas |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for build in builds:
            result = _run_build(build, path, args.repeat)
            seconds = result["seconds"]
            assert isinstance(seconds, dict)
            rate = {name: args.rows / float(s) for name, s in seconds.items()}
            print(
                f"| {build} ({result['status']}) | {rate['stc']:,.0f} | {rate['pandas']:,.0f} "
                f"| {rate['csv']:,.0f} | {rate['stc'] / rate['pandas']:.2f} "
                f"| {rate['stc'] / rate['csv']:.2f} | {rate['columns']:,.0f} "
                f"| {rate['columns'] / rate['pandas']:.2f} |"
            )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average after: {load}")


if __name__ == "__main__":
    main()
