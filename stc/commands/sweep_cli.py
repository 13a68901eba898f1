"""The ``stc sweep`` and ``stc walkforward`` parsers (cheap to import: the commands
load their modules only when run, so ``stc check``'s cold start does not grow)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeAlias

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_sweep(commands: Commands) -> None:
    """``stc sweep``."""
    sub = commands.add_parser("sweep", help="run a blueprint over a space of params/variants")
    add_sweep_arguments(sub)
    sub.set_defaults(handler=_sweep)


def add_walkforward(commands: Commands) -> None:
    """``stc walkforward``."""
    sub = commands.add_parser(
        "walkforward", help="optimise in-sample, evaluate out-of-sample, window by window"
    )
    add_sweep_arguments(sub)
    sub.add_argument("--in-sample", type=int, default=None, metavar="BARS",
                     help="bars of each in-sample window")  # fmt: skip
    sub.add_argument("--out-of-sample", type=int, default=None, metavar="BARS",
                     help="bars of each out-of-sample window")  # fmt: skip
    sub.add_argument("--step", type=int, default=None, metavar="BARS",
                     help="bars between window starts (default: --out-of-sample)")  # fmt: skip
    sub.add_argument("--anchored", action="store_true", default=None,
                     help="every in-sample window starts at the first bar")  # fmt: skip
    sub.set_defaults(handler=_walkforward)


def _sweep(args: argparse.Namespace) -> int:
    from stc.commands.sweep import sweep_command

    return sweep_command(args)


def _walkforward(args: argparse.Namespace) -> int:
    from stc.commands.walkforward import walkforward_command

    return walkforward_command(args)


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
    sub.add_argument("--plugins-dir", action="append", type=Path, default=[], metavar="DIR",
                     help="an extra plugin root (repeatable)")  # fmt: skip
    sub.add_argument("--platform", type=Path, help="platform.yaml for the blueprint")
    sub.add_argument("--quiet", action="store_true", help="no progress output")
