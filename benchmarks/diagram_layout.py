"""Layout numbers of the wiring diagram (issue 21) for docs/performance.md, and the
pictures of docs/images/.

For every reference blueprint and synthetic 50/100/300-worker blueprints: the SVG's
size and aspect ratio, edge labels measured and overlapping (from the SVG's label
boxes, ``stc.compiler.emit.svg_metrics``), the smallest node text in px when the SVG is
shown 1,600 px wide against the legend's font size, and the time of ``dot``.

    .venv/bin/python benchmarks/diagram_layout.py [--pictures docs/images]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from benchmarks.synthetic import write_blueprint, write_plugin_root  # noqa: E402
from stc.compiler.api import compile_blueprint  # noqa: E402
from stc.compiler.emit.dot import render_dot  # noqa: E402
from stc.compiler.emit.svg_metrics import measure  # noqa: E402

REFERENCE = (
    "ema_trend.yaml", "ict_smc.yaml", "direct_planning.yaml", "managed_trend.yaml",
    "dca_weekly.operation.yaml",
)  # fmt: skip
PICTURES = {"ict_smc": "wiring_ict_smc", "synthetic_300": "wiring_synthetic_300"}


def main() -> None:
    """Print the table; with ``--pictures DIR`` also write the two pictures there."""
    import graphviz

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pictures", type=Path, help="write SVG+PNG of ict_smc and 300")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="stc-layout-"))
    root = write_plugin_root(folder)
    cases = [(PROJECT / "blueprints" / name, []) for name in REFERENCE]
    cases += [(write_blueprint(folder, n), [root]) for n in (50, 100, 300)]
    print(
        "| blueprint | workers | SVG (pt) | aspect | labels | overlaps | node px @1600 "
        "| legend px | dot s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for path, dirs in cases:
        result = compile_blueprint(path, plugin_dirs=dirs)
        unit = result.outcome.unit
        assert unit is not None
        source = render_dot(unit, result.diagnostics)
        start = time.perf_counter()
        svg = graphviz.Source(source).pipe(format="svg", engine="dot").decode("utf-8")
        seconds = time.perf_counter() - start
        m = measure(svg)
        name = path.name.removesuffix(".yaml")
        print(
            f"| {name} | {len(unit.workers)} | {m.width:.0f}×{m.height:.0f} | {m.aspect:.2f} | "
            f"{len(m.label_boxes)} | {len(m.overlapping_labels())} | "
            f"{m.node_font_at(1600):.1f} | {m.legend_font:g} | {seconds:.2f} |"
        )
        picture = PICTURES.get(name)
        if args.pictures and picture:
            args.pictures.mkdir(parents=True, exist_ok=True)
            (args.pictures / f"{picture}.svg").write_text(svg, encoding="utf-8")
            png = graphviz.Source(source).pipe(format="png", engine="dot", renderer="cairo")
            (args.pictures / f"{picture}.png").write_bytes(png)


if __name__ == "__main__":
    main()
