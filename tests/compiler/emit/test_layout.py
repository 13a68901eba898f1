"""Issue 21's layout targets, measured on the rendered SVG of every reference blueprint
and of synthetic 50/100/300-worker blueprints:

- aspect ratio (viewBox width / height) between 1:3 and 3:1;
- no two edge labels overlap: every ``<text>`` of an edge or event/DTO hub is a box
  (Helvetica advance widths × font size wide, one font size high, at its x/y and
  text-anchor), and no two boxes intersect (``stc.compiler.emit.svg_metrics``);
- node text at least the legend's font size when the SVG is shown 1,600 px wide: the
  smallest node ``font-size`` × 1600 / viewBox width ≥ the legend's ``font-size``;
- phases are rows in one fixed order (each row cluster starts below the one before).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from benchmarks.synthetic import write_blueprint, write_plugin_root
from stc.compiler.api import compile_blueprint
from stc.compiler.emit.dot import dot_available, render_dot
from stc.compiler.emit.svg_metrics import Box, measure
from stc.compiler.emit.view import ROWS, build_view
from tests.conftest import REFERENCE_STRATEGIES

REPO = Path(__file__).resolve().parents[3]
REFERENCE = [Path(p).name for p in REFERENCE_STRATEGIES]
SIZES = (50, 100, 300)
needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz `dot` is not installed")


@cache
def _synthetic_root() -> Path:
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="stc-layout-"))
    atexit.register(shutil.rmtree, folder, True)
    write_plugin_root(folder)
    for size in SIZES:
        write_blueprint(folder, size)
    return folder


def _compiled(name: str) -> tuple[str, object]:
    if name.startswith("synthetic_"):
        root = _synthetic_root()
        result = compile_blueprint(root / name, plugin_dirs=[root / "synthetic_plugins"])
    else:
        result = compile_blueprint(REPO / "blueprints" / name)
    assert result.ok, result.rendered_diagnostics()
    return render_dot(result.outcome.unit, result.diagnostics), result


@cache
def _svg(name: str) -> str:
    import graphviz

    source, _ = _compiled(name)
    svg: str = graphviz.Source(source).pipe(format="svg", engine="dot").decode("utf-8")
    return svg


ALL = [*REFERENCE, *(f"synthetic_{n}.yaml" for n in SIZES)]


@needs_dot
@pytest.mark.parametrize("name", ALL)
def test_layout_targets(name: str) -> None:
    metrics = measure(_svg(name))
    assert 1 / 3 <= metrics.aspect <= 3, f"{name}: {metrics.width}×{metrics.height}"
    assert metrics.label_boxes, "no edge label measured"
    assert metrics.overlapping_labels() == []
    assert metrics.legend_font > 0
    assert metrics.node_font_at(1600) >= metrics.legend_font, (
        f"{name}: node text {metrics.node_font_at(1600):.1f} px at 1,600 px wide "
        f"< legend {metrics.legend_font}"
    )


@needs_dot
@pytest.mark.parametrize("name", ALL)
def test_phase_rows_come_in_the_fixed_order(name: str) -> None:
    svg = _svg(name)
    tops = []
    for row, _, _ in ROWS:
        found = re.search(
            rf"<title>cluster_{row}</title>\s*<path[^>]* d=\"M[\d.-]+,([\d.-]+)", svg
        ) or re.search(
            rf"<title>cluster_{row}</title>\s*<polygon[^>]* points=\"[\d.-]+,([\d.-]+)", svg
        )
        if found:
            tops.append((row, float(found.group(1))))
    assert len(tops) >= 6, tops
    ys = [y for _, y in tops]
    assert ys == sorted(ys), tops  # SVG y grows downwards: each row below the last


def test_overlap_measure_finds_overlapping_boxes() -> None:
    """The overlap check can fail: two boxes sharing an area are reported."""
    a, b = Box("A", 0, 0, 50, 10), Box("B", 40, 5, 90, 15)
    assert a.overlaps(b) and not a.overlaps(Box("C", 51, 0, 60, 10))


def _view(name: str, *, internals: bool = False):  # type: ignore[no-untyped-def]
    _, result = _compiled(name)
    unit = result.outcome.unit  # type: ignore[attr-defined]
    return build_view(unit, internals=internals)


def test_dto_flow_names_the_provider_of_each_consumer() -> None:
    view = _view("ict_smc.yaml")
    dto = [(e.src, e.dst, e.label) for e in view.edges if e.kind == "dto"]
    assert ("market_structure_detector", "dto:MarketStructure", "") in dto
    assert ("dto:MarketStructure", "fvg_entry_detector", "") in dto
    assert ("dto:MarketStructure", "structure_based_exit", "") in dto
    assert view.nodes["dto:MarketStructure"].label == "MarketStructure"


def test_a_fanned_out_event_is_labelled_once() -> None:
    view = _view("ict_smc.yaml")
    labels = [e.label for e in view.edges if e.label] + [
        n.label for n in view.nodes.values() if n.kind in ("event", "dto_hub")
    ]
    assert len(labels) == len(set(labels))
    assert "event:STRATEGY_DIRECTIVE_ISSUED" in view.nodes
    fanned = [e for e in view.edges if e.src == "event:STRATEGY_DIRECTIVE_ISSUED"]
    assert len(fanned) == 4 and not any(e.label for e in fanned)


def test_internals_are_hidden_unless_asked_for() -> None:
    plain, full = _view("ict_smc.yaml"), _view("ict_smc.yaml", internals=True)
    assert "flow_terminator" not in plain.nodes and "planning_aggregator" not in plain.nodes
    assert not any("_flow_stop" in e.label for e in plain.edges)
    assert "flow_terminator" in full.nodes and "planning_aggregator" in full.nodes
    assert any("_flow_stop" in e.label for e in full.edges)


def test_long_runs_collapse_into_group_nodes_with_their_count() -> None:
    view = _view("synthetic_300.yaml")
    groups = [n for n in view.nodes.values() if n.kind == "group"]
    assert groups
    members = sum(len(n.members) for n in view.nodes.values() if n.kind in ("worker", "group"))
    assert members == 300 + 1  # every worker drawn once (plus the execution handler)
    assert all(n.label.startswith(f"{len(n.members)} × ") for n in groups)


def test_a_missing_provider_is_a_dashed_placeholder() -> None:
    result = compile_blueprint(REPO / "tests/fixtures/stc010_missing_provider.yaml")
    assert result.outcome.unit is not None
    view = build_view(result.outcome.unit, result.diagnostics)
    missing = [n for n in view.nodes.values() if n.kind == "missing"]
    assert missing and missing[0].label.endswith("— no provider")
    assert any(e.src == missing[0].id and e.failing for e in view.edges)
    assert 'style="dashed,rounded"' in render_dot(result.outcome.unit, result.diagnostics)


def _x(svg: str, text: str) -> float:
    found = re.search(rf'x="([\d.]+)"[^>]*>{re.escape(text)}<', svg)
    assert found, text
    return float(found.group(1))


@needs_dot
def test_rows_read_left_to_right_in_their_fixed_order() -> None:
    """The context chain in blueprint order; opportunities ‖ threats; entry ‖ size ‖ exit."""
    svg = _svg("ict_smc.yaml")
    chain = ["1. market_structure_detector", "2. ema_detector", "3. regime"]
    signals = ["fvg_entry_detector", "max_drawdown_monitor"]
    trade = [
        "aggressive_market_entry_planner", "patient_limit_entry_planner", "fixed_risk_sizer",
        "structure_based_exit",
    ]  # fmt: skip
    for names in (chain, signals, trade):
        xs = [_x(svg, name) for name in names]
        assert xs == sorted(xs), names
