"""The report's price pass over columns against the per-bar row stream, in one process.

Issue 23, session 12: ``stc run`` spent as long on its report as on the engine, most of
it reading the CSV again as rows and settling every bar in Python. This builds a run
folder from synthetic files (a seeded random walk and evenly spread round trips:
``tests/runtime/report/synthetic_run.py``; no backtest), then times, alternating, the
price pass over columns (:func:`stc.runtime.report.columns.summarise_columns`) and the
row stream (:func:`stc.runtime.report.prices.summarise` over ``iter_bars``) in CPU
seconds of this process, checks that both give the same summary (``repr``, every float
to the last bit), and times a whole ``write_report``. Prints the load average beside:
CPU seconds on a shared machine still move a little with the load.

    python benchmarks/report_price_pass.py                      # 200k bars, 2k trades
    python benchmarks/report_price_pass.py --bars 1000000 --trades 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stc.runtime.data import iter_bars  # noqa: E402
from stc.runtime.report import write_report  # noqa: E402
from stc.runtime.report.columns import summarise_columns  # noqa: E402
from stc.runtime.report.prices import PriceSummary, summarise  # noqa: E402
from stc.runtime.report.trades import scan_trades  # noqa: E402
from tests.runtime.report.synthetic_run import write_run  # noqa: E402


def cpu(work: Callable[[], object]) -> tuple[float, object]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=200_000)
    parser.add_argument("--trades", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run_dir, data = write_run(Path(folder) / "run", args.bars, args.trades)
        opened = scan_trades(run_dir).opened
        columns_s, rows_s = [], []
        summaries: list[PriceSummary | None] = []
        for _ in range(args.repeat):
            took, summary = cpu(lambda: summarise_columns(data, opened, 10_000.0))
            columns_s.append(took)
            summaries.append(summary)  # type: ignore[arg-type]
            took, summary = cpu(lambda: summarise(iter_bars(data, "skip", []), opened, 10_000.0))
            rows_s.append(took)
            summaries.append(summary)  # type: ignore[arg-type]
        report_s, _ = cpu(lambda: write_report(run_dir, data=data))
        same = len({repr(s) for s in summaries}) == 1 and summaries[0] is not None
        col, row = statistics.median(columns_s), statistics.median(rows_s)
        print(f"{args.bars:,} bars, {len(opened):,} trades, load {os.getloadavg()[0]:.2f}")
        print(f"  price pass over columns  {col:7.3f} s CPU (median of {args.repeat})")
        print(f"  price pass over rows     {row:7.3f} s CPU   ({row / col:.1f}x the columns)")
        print(f"  whole write_report       {report_s:7.3f} s CPU (columns)")
        print(f"  summaries identical      {same}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
