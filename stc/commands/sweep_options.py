"""The options ``stc sweep`` and ``stc walkforward`` share."""

from __future__ import annotations

import argparse
from pathlib import Path

from stc.commands.options import add_engine, add_platform, add_plugins_dir


def add_sweep_arguments(sub: argparse.ArgumentParser) -> None:
    """The options ``stc sweep`` and ``stc walkforward`` share."""
    sub.add_argument("file", nargs="?", type=Path, metavar="FILE",
                     help="a blueprint (with --param/--variant) or a sweep.yaml")  # fmt: skip
    sub.add_argument("--param", action="append", default=[], metavar="WORKER.PARAM=VALUES",
                     help="a swept param: `worker.param=10,20,30` or `=50:200:50`")  # fmt: skip
    sub.add_argument("--variant", action="append", default=[], metavar="[NAME:]EDIT[;EDIT]",
                     help="structural: `SLOT+=Plugin`, `-ID` or `ID=Plugin`")  # fmt: skip
    sub.add_argument("--data", type=Path, help="OHLCV CSV/Parquet (default: embedded sample)")
    sub.add_argument("--out", type=Path, default=None, metavar="OUT",
                     help="where results.csv, study.sqlite and report.html go")  # fmt: skip
    sub.add_argument("--executor", default=None, metavar="WHERE",
                     help="local (default), dask://HOST:PORT, ray or ray://HOST:PORT")  # fmt: skip
    sub.add_argument("--workers", type=int, default=None, metavar="N",
                     help="local/ray: processes (default: every core)")  # fmt: skip
    sub.add_argument("--resume", type=Path, default=None, metavar="OUT",
                     help="finish a killed sweep from its study file (no FILE needed)")  # fmt: skip
    sub.add_argument("--metric", default=None, help="metric to rank by (default: sharpe)")
    sub.add_argument("--minimize", dest="direction", action="store_const", const="minimize",
                     default=None, help="rank lowest first (e.g. max_drawdown)")  # fmt: skip
    sub.add_argument("--keep-runs", action="store_true",
                     help="keep each variant's full run (journal...) in OUT/runs/")  # fmt: skip
    add_plugins_dir(sub)
    add_platform(sub, "platform.yaml for the blueprint")
    add_engine(sub)
    sub.add_argument("--quiet", action="store_true", help="no progress output")
