"""``stc report RUNDIR``: (re)build a run's ``report.html``; the wiring SVG for it.

The report itself is written by ``stc.runtime.report`` (the runtime never imports the
compiler); the compiler's part is the wiring diagram, rendered to SVG text here and
handed over.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stc.commands.options import Commands, add_platform, add_plugins_dir
from stc.compiler.pipeline import CompileOutcome, Session, compile_path


def wiring_svg(outcome: CompileOutcome) -> str | None:
    """The compiled wiring as SVG text, or None without Graphviz ``dot``."""
    from stc.compiler.emit.dot import dot_available, render_dot

    if outcome.unit is None or not dot_available():
        return None
    from stc.compiler.emit.graphviz_run import GraphvizFailed, render

    try:
        image = render(render_dot(outcome.unit, []), "svg")
    except GraphvizFailed as exc:
        sys.stderr.write(f"warning: no wiring diagram: {exc}\n")
        return None
    return image.decode("utf-8")


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``report`` sub-command's arguments."""
    sub = commands.add_parser("report", help="(re)build a run's report.html")
    sub.add_argument("rundir", type=Path, metavar="RUNDIR")
    sub.add_argument("--blueprint", type=Path, help="redraw the wiring diagram from this file")
    sub.add_argument("--data", type=Path, help="the run's OHLCV data (for the price chart)")
    sub.add_argument("--title", default="", help="the page title (default: the strategy)")
    add_plugins_dir(sub, described=False)
    add_platform(sub, "platform.yaml for --blueprint")
    return sub


def run(args: argparse.Namespace) -> int:
    """Rebuild ``RUNDIR/report.html``; ``--blueprint`` redraws the wiring diagram."""
    from stc.runtime.api import write_report

    run_dir: Path = args.rundir
    if not run_dir.is_dir() or not (
        (run_dir / "metrics.json").is_file() or (run_dir / "trades.csv").is_file()
    ):
        sys.stderr.write(f"error: {run_dir} is not a run directory (no metrics.json)\n")
        return 2
    svg = None
    blueprint: Path | None = args.blueprint
    if blueprint is not None:
        if not blueprint.is_file():
            sys.stderr.write(f"error: no such file: {blueprint}\n")
            return 2
        session = Session(plugin_dirs=list(args.plugins_dir), platform_file=args.platform)
        outcomes = compile_path(blueprint, str(blueprint), session)
        drawn = next((o for o in outcomes if o.unit is not None), None)
        svg = wiring_svg(drawn) if drawn is not None else None
        if svg is None:
            sys.stderr.write("note: no wiring diagram (Graphviz `dot` missing or no plan)\n")
    path = write_report(run_dir, wiring_svg=svg, title=args.title or "", data=args.data)
    sys.stdout.write(f"wrote {path}\n")
    return 0
