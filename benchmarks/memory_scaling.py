"""Peak RSS of a whole ``stc run`` process (report included) against the length of the data.

Issue 27 item 3 / issue 23: memory must be flat in the length of the data — the 3M-bar
figure within 1.5x the 0.1M one, and under 300 MB at 1M bars. For each size this writes
a seeded random-walk CSV (``benchmarks/bar_rows.py``), runs ``stc run`` in a child
process and reads that child's own peak RSS from ``os.wait4`` (``ru_maxrss``, the same
figure ``/usr/bin/time -v`` prints). Two blueprints: ``ema_trend`` as shipped (EMA 20/50,
few trades) and a busy variant (EMA 2/4) that trades about every 100 bars (~10k trades
at 1M bars). The report's size is printed next to it. Each size runs on the CSV and on
the same rows as Parquet (pyarrow's default row groups, as ``benchmarks/data_memory.py``
writes them); ``--formats csv`` skips the Parquet rows.

    python benchmarks/memory_scaling.py                 # 0.1M, 1M, 3M bars
    python benchmarks/memory_scaling.py --sizes 100000,1000000 --only busy --formats csv
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bar_rows import synthetic_rows  # noqa: E402

BLUEPRINT = REPO / "blueprints" / "ema_trend.yaml"
BUSY = {  # EMA 2/4: a cross every ~100 bars of the random walk
    "params: {periods: [20, 50]}": "params: {periods: [2, 4]}",
    "params: {fast: 20, slow: 50,": "params: {fast: 2, slow: 4,",
}


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("time,open,high,low,close,volume\n")
        for t, o, h, low, c, v in synthetic_rows(n):
            out.write(f"{t:%Y-%m-%d %H:%M:%S},{o:.6f},{h:.6f},{low:.6f},{c:.6f},{v:g}\n")


def write_parquet(csv_path: Path) -> Path:
    """The rows of ``csv_path`` as a Parquet file beside it (times kept as text).

    Written by a child process: Linux counts the parent's high-water RSS in a
    vfork()ed child's ``ru_maxrss`` (the pre-exec address space is the parent's), so
    pyarrow loaded here would inflate every figure measured after it."""
    path = csv_path.with_suffix(".parquet")
    script = (
        "import sys, pyarrow, pyarrow.csv, pyarrow.parquet\n"
        "options = pyarrow.csv.ConvertOptions(column_types={'time': pyarrow.string()})\n"
        "table = pyarrow.csv.read_csv(sys.argv[1], convert_options=options)\n"
        "pyarrow.parquet.write_table(table, sys.argv[2])\n"
    )
    subprocess.run([sys.executable, "-c", script, str(csv_path), str(path)], check=True)
    return path


def busy_blueprint(folder: Path) -> Path:
    text = BLUEPRINT.read_text(encoding="utf-8")
    for old, new in BUSY.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "ema_busy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def peak_rss_mb(args: list[str]) -> float:
    """Run ``args``; the child's peak resident set in MB (Linux: ru_maxrss is in KiB)."""
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    stderr = child.stderr.read().decode() if child.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed ({status}): {stderr[-2000:]}")
    return usage.ru_maxrss / 1024


def trade_count(out: Path) -> int:
    with (out / "trades.csv").open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,3000000")
    parser.add_argument("--only", choices=("ema_trend", "busy"), default=None)
    parser.add_argument("--formats", default="csv,parquet", help="comma-separated: csv, parquet")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="stc-memory-") as tmp:
        work = Path(tmp)
        blueprints = {"ema_trend": BLUEPRINT, "busy": busy_blueprint(work)}
        if args.only:
            blueprints = {args.only: blueprints[args.only]}
        formats = args.formats.split(",")
        print("| blueprint | data | bars | trades | peak RSS of `stc run` | report.html |")
        print("|---|---|---:|---:|---:|---:|")
        first: dict[tuple[str, str], float] = {}
        for n in sizes:
            data = work / f"bars_{n}.csv"
            write_csv(data, n)
            files = {"csv": data}
            if "parquet" in formats:
                files["parquet"] = write_parquet(data)
            for (name, blueprint), fmt in itertools.product(blueprints.items(), formats):
                out = work / f"run_{name}_{fmt}_{n}"
                command = [sys.executable, "-m", "stc.commands.cli", "run", str(blueprint)]
                given = ["--data", str(files[fmt]), "--out", str(out), "--quiet"]
                rss = peak_rss_mb([*command, *given])
                base = first.setdefault((name, fmt), rss)
                size = (out / "report.html").stat().st_size / 1e6
                print(
                    f"| {name} | {fmt} | {n:,} | {trade_count(out):,} | {rss:,.0f} MB "
                    f"({rss / base:.2f}x) | {size:.2f} MB |",
                    flush=True,
                )
            for path in files.values():
                path.unlink()
    print(f"load average: {os.getloadavg()[0]:.1f} (peak RSS does not depend on it)")


if __name__ == "__main__":
    main()
