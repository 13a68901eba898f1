"""Peak RSS of reading market data, CSV and Parquet, against the number of rows
(issue 27 item 3: memory flat in the length of the data).

::

    .venv/bin/python benchmarks/data_memory.py                       # 0.1M, 1M, 3M rows
    .venv/bin/python benchmarks/data_memory.py --rows 100000,1000000 --no-run

For each size it writes the synthetic bars of ``benchmarks/bar_rows.py`` as a
standard stc CSV and as Parquet (pyarrow's default row groups), then measures, each
in a fresh process, the peak resident set size (``ru_maxrss`` of that child alone)
and the wall time of:

- ``reader``: ``for bar in iter_bars(path)`` — the data reading part in isolation;
- ``stc run``: ``stc run blueprints/ema_trend.yaml --data PATH --quiet`` (the whole
  process, report included; skipped with ``--no-run``).

Wall times are printed with the load average: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "seconds = time.perf_counter() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(done.returncode, peak, seconds)\n"
)
_READ = (
    "import sys\n"
    "from pathlib import Path\n"
    "from stc.runtime.data import iter_bars\n"
    "print(sum(1 for _ in iter_bars(Path(sys.argv[1]))))\n"
)


def peak_of(command: list[str]) -> tuple[float, float]:
    """Peak RSS (MB) and seconds of ``command`` run as the only child of a watcher."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    code, peak_kb, seconds = done.stdout.split()
    if code != "0":
        raise RuntimeError(f"{command} exited {code}")
    return int(peak_kb) / 1024, float(seconds)


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    """The CSV and the Parquet file of ``rows`` synthetic bars."""
    import pyarrow.csv
    import pyarrow.parquet
    from csv_load import write_csv

    csv_path = write_csv(folder / f"bars_{rows}.csv", rows)
    parquet_path = folder / f"bars_{rows}.parquet"
    options = pyarrow.csv.ConvertOptions(column_types={"time": pyarrow.string()})
    table = pyarrow.csv.read_csv(csv_path, convert_options=options)
    pyarrow.parquet.write_table(table, parquet_path)
    return csv_path, parquet_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="100000,1000000,3000000")
    parser.add_argument("--no-run", action="store_true", help="measure the reader only")
    args = parser.parse_args()
    sizes = [int(text) for text in args.rows.split(",")]
    stc = str(Path(sys.executable).with_name("stc"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| rows | format | reader peak MB | reader s | stc run peak MB | stc run s |")
    print("|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            files = write_files(Path(tmp), rows)
            for path in files:
                reader = peak_of([sys.executable, "-c", _READ, str(path)])
                whole = "| - | -"
                if not args.no_run:
                    out = Path(tmp) / f"run_{rows}_{path.suffix[1:]}"
                    command = [stc, "run", "blueprints/ema_trend.yaml", "--data", str(path),
                               "--quiet", "--out", str(out)]  # fmt: skip
                    peak, seconds = peak_of(command)
                    whole = f"| {peak:.0f} | {seconds:.1f}"
                print(
                    f"| {rows:,} | {path.suffix[1:]} | {reader[0]:.0f} | {reader[1]:.1f} {whole} |",
                    flush=True,
                )
            for path in files:
                path.unlink()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
