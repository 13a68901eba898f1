"""``stc compile``: write wiring_map.yaml, wiring.dot and wiring.svg per strategy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from stc.commands.options import Commands, add_inputs
from stc.commands.outcomes import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    all_diagnostics,
    compile_all,
    missing_inputs,
    report,
)

if TYPE_CHECKING:
    from stc.compiler.pipeline import CompileOutcome


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``compile`` sub-command's arguments."""
    sub = commands.add_parser("compile", help="compile to wiring_map.yaml, wiring.dot/.svg")
    add_inputs(sub)
    sub.add_argument("-o", "--out", type=Path, required=True, metavar="OUTDIR")
    sub.add_argument("--format", choices=("human", "json", "sarif"), default="human")
    return sub


def run(args: argparse.Namespace) -> int:
    """Compile; with no errors, write each strategy's files (in ``OUTDIR/<strategy>``
    when the inputs hold more than one)."""
    from stc.commands.wrong_kind import refuse_wrong_kinds

    if missing_inputs(args.files) or refuse_wrong_kinds(args.files, "compile"):
        return EXIT_USAGE
    outcomes, session = compile_all(args)
    diagnostics = all_diagnostics(outcomes, args.strict)
    report(diagnostics, session, args.format)
    if any(d.is_error for d in diagnostics):
        return EXIT_ERRORS
    strategies = [o for o in outcomes if o.wiring_data is not None]
    for outcome in strategies:
        assert outcome.wiring_data is not None
        name = str(outcome.wiring_data["strategy"])
        target = args.out if len(strategies) == 1 else args.out / name
        for written in _write_outputs(outcome, target):
            sys.stdout.write(f"wrote {written}\n")
    return EXIT_OK


def _write_outputs(outcome: CompileOutcome, target: Path) -> list[Path]:
    from stc.compiler.emit.dot import dot_available, render_dot, render_image
    from stc.compiler.emit.wiring_map import render_wiring_map
    from stc.runtime.api import write_atomically

    assert outcome.wiring_data is not None
    target.mkdir(parents=True, exist_ok=True)
    written = [target / "wiring_map.yaml", target / "wiring.dot"]
    write_atomically(written[0], render_wiring_map(outcome.wiring_data))
    dot_source = render_dot(outcome.unit, outcome.diagnostics)
    write_atomically(written[1], dot_source)
    if dot_available():
        from stc.compiler.emit.graphviz_run import GraphvizFailed

        try:
            written.append(render_image(dot_source, target / "wiring.svg"))
        except GraphvizFailed as exc:  # the map and the .dot stand: exit 0, with a warning
            sys.stderr.write(f"warning: no wiring.svg: {exc}; wrote wiring.dot only\n")
    else:
        sys.stderr.write("note: Graphviz `dot` not found; wrote wiring.dot only\n")
    return written
