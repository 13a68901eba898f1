"""``stc explain TRADE_ID``: the causality chain of one trade from the run's journal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stc.commands.options import Commands
from stc.commands.outcomes import EXIT_ERRORS, EXIT_OK, EXIT_USAGE


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``explain`` sub-command's arguments."""
    sub = commands.add_parser("explain", help="print a trade's causality chain")
    sub.add_argument("trade_id", metavar="TRADE_ID")
    sub.add_argument(
        "--out", type=Path, default=Path("runs/latest"), metavar="RUNDIR",
        help="the run directory whose journal.sqlite holds the trade (default: runs/latest)",
    )  # fmt: skip
    return sub


def run(args: argparse.Namespace) -> int:
    """Print the chain. An unknown trade id is exit 1; a journal that is missing,
    unreadable or damaged is an I/O error (exit 2). ``explain`` raises only those two
    kinds for any file."""
    from stc.runtime.api import JournalError, UnknownTradeError, explain

    journal = args.out / "journal.sqlite"
    if not journal.is_file():
        sys.stderr.write(f"error: no journal at {journal}; run `stc run ... --out DIR` first\n")
        return EXIT_USAGE
    try:
        sys.stdout.write(explain(args.out, args.trade_id))
    except UnknownTradeError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERRORS
    except JournalError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    return EXIT_OK
