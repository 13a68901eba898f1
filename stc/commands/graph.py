"""``stc graph``: draw the wiring (also of a failing blueprint: failing nodes are
highlighted) as Graphviz source or image, Mermaid, or an interactive page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from stc.commands.options import Commands, add_inputs
from stc.commands.outcomes import (
    EXIT_USAGE,
    all_diagnostics,
    compile_all,
    exit_code,
    missing_inputs,
    report,
)

if TYPE_CHECKING:
    from stc.compiler.diagnostics import Diagnostic
    from stc.compiler.pipeline import CompileOutcome

IMAGE_SUFFIXES = (".dot", ".svg", ".png", ".mmd")
"""What ``stc graph -o`` writes: Graphviz source or image, or Mermaid (``.mmd``)."""


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``graph`` sub-command's arguments."""
    sub = commands.add_parser("graph", help="draw the wiring (also of a failing blueprint)")
    add_inputs(sub, many=False)
    sub.add_argument("-o", "--out", type=Path, metavar="FILE", help=".svg, .png, .dot or .mmd")
    sub.add_argument(
        "--html", action="store_true",
        help="an interactive page (hover a worker, click an edge); -o page.html",
    )  # fmt: skip
    sub.add_argument("--internals", action="store_true", help="also draw platform internals")
    sub.add_argument("--format", choices=("dot", "mermaid"), help="default: by -o's suffix")
    return sub


def run(args: argparse.Namespace) -> int:
    """Draw the first compiled strategy; exit 1 when its diagnostics hold an error."""
    from stc.commands.wrong_kind import refuse_wrong_kinds
    from stc.compiler.emit.dot import dot_available, render_dot, render_image

    if missing_inputs(args.files) or refuse_wrong_kinds(args.files, "graph"):
        return EXIT_USAGE
    if args.out is not None and not args.html and args.out.suffix not in IMAGE_SUFFIXES:
        sys.stderr.write(
            f"error: -o {args.out}: write a .svg, .png, .dot or .mmd file (or --html)\n"
        )
        return EXIT_USAGE
    outcomes, session = compile_all(args)
    diagnostics = all_diagnostics(outcomes, args.strict)
    if diagnostics:
        report(diagnostics, session, "human")
    outcome = next((o for o in outcomes if o.unit is not None), outcomes[0])
    source = render_dot(outcome.unit, diagnostics, internals=args.internals)
    out: Path | None = args.out
    mermaid = args.format == "mermaid" or (out is not None and out.suffix == ".mmd")
    if mermaid and not args.html:
        from stc.compiler.emit.mermaid import render_mermaid

        source = render_mermaid(outcome.unit, diagnostics, internals=args.internals)
    if args.html:
        return _graph_html(outcome, out, diagnostics, args.internals)
    if out is None or out.suffix == ".dot" or mermaid:
        if out is None:
            sys.stdout.write(source)
        else:
            out.write_text(source, encoding="utf-8")
    elif not dot_available():
        sys.stderr.write("error: Graphviz `dot` is not installed; use -o FILE.dot\n")
        return EXIT_USAGE
    else:
        from stc.compiler.emit.graphviz_run import GraphvizFailed

        try:
            render_image(source, out)
        except GraphvizFailed as exc:  # the DOT source is kept beside the image asked for
            out.with_suffix(".dot").write_text(source, encoding="utf-8")
            sys.stderr.write(f"error: {exc}; wrote {out.with_suffix('.dot')} instead\n")
            return EXIT_USAGE
    if out is not None:
        sys.stdout.write(f"wrote {out}\n")
    return exit_code(diagnostics)


def _graph_html(
    outcome: CompileOutcome, out: Path | None, diagnostics: list[Diagnostic], internals: bool
) -> int:
    """``stc graph --html``: the SVG in an interactive page."""
    from stc.compiler.emit.dot import dot_available
    from stc.compiler.html_graph import graph_page

    if not dot_available():
        sys.stderr.write("error: Graphviz `dot` is not installed; --html needs it\n")
        return EXIT_USAGE
    from stc.compiler.emit.graphviz_run import GraphvizFailed

    try:
        page = graph_page(outcome.unit, diagnostics, outcome.wiring_data, internals=internals)
    except GraphvizFailed as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    if out is None:
        sys.stdout.write(page)
        return exit_code(diagnostics)
    out.write_text(page, encoding="utf-8")
    sys.stdout.write(f"wrote {out}\n")
    return exit_code(diagnostics)
