"""Emit the wiring diagram as Graphviz DOT (and SVG/PNG when ``dot`` is installed).

Layout decisions, so a reader sees the flow at a glance: left to right; one cluster
per phase; the parallel groups (opportunities ‖ threats, entry ‖ size ‖ exit) as
side-by-side sub-clusters; the routing step after its own join node; every edge
labelled ``EVENT: Dto``; a legend of worker types and subtypes. On a failed compile
the nodes a diagnostic is about are drawn red with the diagnostic codes on them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

import graphviz

from compiler.diagnostics import Diagnostic
from compiler.graph import PLANNING_JOIN
from compiler.unit import CompileUnit, WorkerInstance

TYPE_COLORS: dict[str, str] = {
    "context_worker": "#dbeafe",
    "opportunity_worker": "#dcfce7",
    "threat_worker": "#fee2e2",
    "strategy_planner": "#ede9fe",
    "entry_planner": "#fef9c3",
    "size_planner": "#fef9c3",
    "exit_planner": "#fef9c3",
    "routing_planner": "#ffedd5",
    "execution_handler": "#e5e7eb",
}
PLATFORM_COLOR = "#f3f4f6"
ERROR_COLOR = "#dc2626"
COMPONENT_LABELS = {
    "platform": "Platform\n(market data)",
    "ledger": "Ledger",
    "context_aggregator": "ContextAggregator",
    "planning_aggregator": "PlanningAggregator",
    PLANNING_JOIN: "PlanningAggregator\n(entry+size+exit join)",
    "flow_terminator": "FlowTerminator",
}
CLUSTERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("p0", "0 · market data", ("platform",)),
    ("p1", "1 · context", ("context_workers", "context_aggregator")),
    ("p2", "2 · opportunities ‖ threats", ("opportunity_workers", "threat_workers")),
    ("p3", "3 · strategy planning", ("strategy_planner",)),
    ("p4", "4a · trade planning (parallel) → join → routing", ("entry", "size", "exit")),
    ("p4b", "4a/4b · routing after the join, plan aggregation", ("routing",)),
    ("p5", "5 · execution", ("execution", "ledger")),
    ("p6", "6 · finale", ("flow_terminator",)),
)


def render_dot(unit: CompileUnit | None, diagnostics: Sequence[Diagnostic] = ()) -> str:
    """The DOT source; ``diagnostics`` with ``subjects`` highlight their nodes."""
    dot = graphviz.Digraph("stc", graph_attr=_graph_attrs(unit))
    dot.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")
    dot.attr("edge", fontname="Helvetica", fontsize="8", color="#6b7280")
    if unit is None:
        dot.node("empty", "nothing to draw: the blueprint did not load")
        return str(dot.source)
    failing = _codes_by_subject(diagnostics)
    _add_clusters(dot, unit, failing)
    _add_edges(dot, unit, failing)
    _add_legend(dot, unit)
    return str(dot.source)


def _graph_attrs(unit: CompileUnit | None) -> dict[str, str]:
    title = "stc wiring" if unit is None else f"{unit.blueprint.name} — {unit.mode} mode"
    return {
        "rankdir": "LR",
        "label": title,
        "labelloc": "t",
        "fontname": "Helvetica",
        "compound": "true",
        "newrank": "true",
        "nodesep": "0.25",
        "ranksep": "0.6",
    }


def _codes_by_subject(diagnostics: Iterable[Diagnostic]) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for diag in diagnostics:
        if not diag.is_error and diag.severity.value != "warning":
            continue
        for subject in diag.subjects:
            if diag.code not in codes.setdefault(subject, []):
                codes[subject].append(diag.code)
    return codes


def _members(unit: CompileUnit, slot: str) -> list[str]:
    if slot in COMPONENT_LABELS:
        return [slot] if unit.graph.has_node(slot) else []
    return [w.id for w in unit.workers if w.slot == slot and unit.graph.has_node(w.id)]


def _add_clusters(dot: graphviz.Digraph, unit: CompileUnit, failing: dict[str, list[str]]) -> None:
    for name, label, slots in CLUSTERS:
        with dot.subgraph(name=f"cluster_{name}") as phase:
            phase.attr(label=label, style="rounded,dashed", color="#9ca3af", fontsize="11")
            parallel = name in ("p2", "p4")
            for slot in slots:
                members = _members(unit, slot)
                if parallel and members:
                    _add_group(phase, unit, slot, members, failing)
                else:
                    for node in members:
                        _add_node(phase, unit, node, failing)
            if name == "p4":
                _add_node(phase, unit, PLANNING_JOIN, failing)
            if name == "p4b":
                _add_node(phase, unit, "planning_aggregator", failing)


def _add_group(
    parent: graphviz.Digraph,
    unit: CompileUnit,
    slot: str,
    members: list[str],
    failing: dict[str, list[str]],
) -> None:
    """A parallel group: its own sub-cluster, nodes on one rank (side by side)."""
    with parent.subgraph(name=f"cluster_{slot}") as group:
        group.attr(label=slot.replace("_", " "), style="rounded", color="#d1d5db")
        for node in members:
            _add_node(group, unit, node, failing)


def _add_node(
    graph: graphviz.Digraph, unit: CompileUnit, node: str, failing: dict[str, list[str]]
) -> None:
    worker = unit.worker(node)
    label = _worker_label(worker) if worker else COMPONENT_LABELS.get(node, node)
    fill = TYPE_COLORS.get(worker.worker_type, PLATFORM_COLOR) if worker else PLATFORM_COLOR
    attrs = {"fillcolor": fill}
    if worker is None:
        attrs["shape"] = "box3d" if node != "platform" else "cylinder"
    if node in failing:
        label += "\n" + " ".join(failing[node])
        attrs.update(color=ERROR_COLOR, penwidth="2.5", fontcolor=ERROR_COLOR)
    graph.node(node, label, **attrs)


def _worker_label(worker: WorkerInstance) -> str:
    record = worker.record
    subtype = record.manifest.identification.subtype if record else "unresolved"
    extra = ""
    if worker.triggers:
        extra = "\n" + ", ".join(f"{k} {_range(v)}" for k, v in worker.triggers.items())
    elif worker.trigger:
        extra = f"\non {worker.trigger}"
    return f"{worker.id}\n{worker.plugin} · {subtype}{extra}"


def _range(bounds: list[float]) -> str:
    lo, hi = bounds
    return f"[{lo:g}, {hi:g}]" if hi >= 1.0 else f"[{lo:g}, {hi:g})"


def _add_edges(dot: graphviz.Digraph, unit: CompileUnit, failing: dict[str, list[str]]) -> None:
    for src, dst, data in unit.graph.edges(data=True):
        label = "\n".join(f"{event}: {payload}" for event, payload in data["events"])
        attrs = {}
        if src in failing and dst in failing:
            attrs = {"color": ERROR_COLOR, "fontcolor": ERROR_COLOR, "penwidth": "2"}
        dot.edge(src, dst, label, **attrs)


def _add_legend(dot: graphviz.Digraph, unit: CompileUnit) -> None:
    rows = []
    for worker in unit.resolved():
        assert worker.record is not None
        row = (worker.worker_type, worker.record.manifest.identification.subtype)
        if row not in rows:
            rows.append(row)
    if not rows:
        return
    cells = "".join(
        f'<TR><TD BGCOLOR="{TYPE_COLORS[t]}">{t}</TD><TD>{s}</TD></TR>' for t, s in sorted(rows)
    )
    table = (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        f'<TR><TD COLSPAN="2"><B>legend: type · subtype</B></TD></TR>{cells}</TABLE>>'
    )
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="", style="invis")
        legend.node("legend", table, shape="plaintext", style="")


def dot_available() -> bool:
    """True when the Graphviz ``dot`` binary is on PATH."""
    return shutil.which("dot") is not None


def render_image(dot_source: str, target: Path) -> Path:
    """Render ``dot_source`` to ``target`` (``.svg`` or ``.png``) with the dot binary.

    Output is made deterministic: the SVG comment carrying Graphviz's version and
    the generated title are the only machine-dependent parts and are left as dot
    writes them (the DOT source is the artefact that snapshots compare).
    """
    fmt = target.suffix.lstrip(".")
    if fmt not in ("svg", "png"):
        raise ValueError(f"unsupported image format `{fmt}`; use .svg or .png")
    result = subprocess.run(
        ["dot", f"-T{fmt}", "-o", str(target)],
        input=dot_source.encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.decode("utf-8", "replace").strip() or "dot failed")
    return target
