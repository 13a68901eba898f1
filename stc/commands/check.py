"""``stc check``: report every problem of every file (``--fix``/``--diff``: apply or
show the machine-applicable fixes first)."""

from __future__ import annotations

import argparse
import sys

from stc.commands.options import Commands, add_inputs
from stc.commands.outcomes import EXIT_USAGE, compile_all, conclude, missing_inputs


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``check`` sub-command's arguments."""
    sub = commands.add_parser("check", help="check files and report every problem")
    add_inputs(sub)
    sub.add_argument("--format", choices=("human", "json", "sarif"), default="human")
    sub.add_argument("--fix", action="store_true", help="apply machine-applicable fixes in place")
    sub.add_argument("--unsafe-fixes", action="store_true", help="with --fix: maybe-incorrect too")
    sub.add_argument("--diff", action="store_true", help="show what --fix would change")
    sub.add_argument(
        "--engine-plan", action="store_true",
        help="also print, per worker, whether the fast engine batches it and why not",
    )  # fmt: skip
    return sub


def run(args: argparse.Namespace) -> int:
    """Check the files; exit 1 when any diagnostic is an error."""
    if missing_inputs(args.files):
        return EXIT_USAGE
    if args.engine_plan and (args.fix or args.diff or args.format != "human"):
        sys.stderr.write("error: --engine-plan prints text: use it without --fix, --diff "
                         "and --format json/sarif\n")  # fmt: skip
        return EXIT_USAGE
    if args.fix or args.diff:
        from stc.commands.fix import fix_then_check

        return fix_then_check(args)
    outcomes, session = compile_all(args, emit=False)
    code = conclude(outcomes, session, args)
    if args.engine_plan:
        from stc.commands.engine_plan import write_engine_plans

        write_engine_plans(outcomes, sys.stdout)
    return code
