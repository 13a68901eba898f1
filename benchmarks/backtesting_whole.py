"""backtesting.py's whole process on a CSV: the anchor of issue 23's whole-process
target (``stc run blueprints/ema_trend.yaml --data X --quiet`` >= 3x this).

The same EMA(20/50) long-only cross as ``blueprints/ema_trend.yaml`` and
``benchmarks/runtime_throughput.run_backtesting_py``, but as a user runs it: a fresh
process that imports backtesting.py, reads the CSV with ``pandas.read_csv``, runs the
backtest and prints its statistics. Time it from outside, pairing it with ``stc run``
on the same file (any whole-process timer; ``/usr/bin/time -v`` gives the peak RSS)::

    .venv/bin/python benchmarks/backtesting_whole.py BARS.csv
    .venv/bin/stc run blueprints/ema_trend.yaml --data BARS.csv --quiet --out RUNDIR

``--write N BARS.csv`` writes the benchmark file first: ``N`` seeded hourly bars
(``benchmarks/csv_load.write_csv``: the standard stc CSV, 5-decimal prices).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def ema_cross_strategy() -> Any:
    """backtesting.py's ``Strategy`` of ema_trend: long on the EMA(20) crossing above
    EMA(50), flat on the cross back (also what ``runtime_throughput.py`` times)."""
    import pandas as pd
    from backtesting import Strategy
    from backtesting.lib import crossover

    def ema(values: Any, span: int) -> Any:
        return pd.Series(values).ewm(span=span, adjust=False).mean()

    class EmaCross(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            self.fast = self.I(ema, self.data.Close, 20)
            self.slow = self.I(ema, self.data.Close, 50)

        def next(self) -> None:
            if crossover(self.fast, self.slow) and not self.position:
                self.buy()
            elif crossover(self.slow, self.fast) and self.position:
                self.position.close()

    return EmaCross


def backtest(path: Path) -> Any:
    """Read ``path`` and run the EMA cross; backtesting.py's statistics."""
    import pandas as pd
    from backtesting import Backtest

    frame = pd.read_csv(path, index_col=0, parse_dates=True)
    frame.columns = [c.capitalize() for c in frame.columns]
    return Backtest(frame, ema_cross_strategy(), cash=1_000_000, finalize_trades=True).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--write", type=int, metavar="N", help="first write N bars to CSV")
    args = parser.parse_args()
    if args.write:
        sys.path.insert(0, str(HERE))
        from csv_load import write_csv

        write_csv(args.csv, args.write)
        return
    stats = backtest(args.csv)
    print(f"bars {len(stats['_equity_curve'])}, trades {stats['# Trades']}")


if __name__ == "__main__":
    main()
