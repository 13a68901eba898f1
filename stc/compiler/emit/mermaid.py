"""Emit the wiring as a Mermaid flowchart (``stc graph --format mermaid`` or
``-o wiring.mmd``): GitHub renders it in Markdown, so a pull request shows the wiring.

The same view as the Graphviz diagram (``stc.compiler.emit.view``): phases as subgraphs
in the fixed row order (held top to bottom by invisible ``~~~`` links between them),
parallel groups as nested subgraphs, event labels on edges (a fanned-out event drawn
once, as a hub node), the DTO flow as dotted edges labelled with the DTO, failing
nodes in red, missing providers dashed. Mermaid refuses diagrams over 500 edges or
50,000 characters (its ``maxEdges``/``maxTextSize`` defaults): the view is collapsed
harder (fewer nodes per group) until the text fits.
"""

from __future__ import annotations

from collections.abc import Sequence

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.emit.view import (
    COLLAPSE_ABOVE,
    PARALLEL_ROWS,
    SLOT_TITLES,
    TYPE_COLORS,
    View,
    build_view,
)
from stc.compiler.unit import CompileUnit

MAX_EDGES = 500
MAX_TEXT = 50_000
CLASSES = (
    "  classDef worker fill:#dbeafe,stroke:#1e3a8a,color:#111827",
    "  classDef group fill:#e0e7ff,stroke:#1e3a8a,stroke-width:3px,color:#111827",
    "  classDef platform fill:#f3f4f6,stroke:#6b7280,color:#111827",
    "  classDef event fill:#ffffff,stroke:#9ca3af,color:#374151,font-size:11px",
    "  classDef dto_hub fill:#eff6ff,stroke:#2563eb,color:#1d4ed8,font-size:11px",
    "  classDef missing fill:#ffffff,stroke:#dc2626,stroke-dasharray:5 4,color:#dc2626",
    "  classDef error stroke:#dc2626,stroke-width:3px,color:#991b1b",
)


def render_mermaid(
    unit: CompileUnit | None, diagnostics: Sequence[Diagnostic] = (), *, internals: bool = False
) -> str:
    """The Mermaid source, within Mermaid's edge and text limits."""
    if unit is None:
        return 'flowchart TB\n  empty["nothing to draw: the blueprint did not load"]\n'
    text = ""
    for limit in (COLLAPSE_ABOVE, 4, 2, 1):
        view = build_view(unit, diagnostics, internals=internals, collapse_above=limit)
        text = mermaid_of_view(view)
        if len(view.edges) + len(view.rows) <= MAX_EDGES and len(text) <= MAX_TEXT:
            break
    return text


def mermaid_of_view(view: View) -> str:
    """Subgraphs per row, nodes, edges and styles of ``view``."""
    ids = {node: f"n{i}" for i, node in enumerate(view.nodes)}
    out = ["---", f"title: {_text(view.title)}", "---", "flowchart TB"]
    for row, title, groups in view.rows:
        out.append(f'  subgraph row_{row}["{_text(title)}"]')
        for slot, nodes in groups:
            nested = row in PARALLEL_ROWS
            indent = "    " if not nested else "      "
            if nested:
                label = SLOT_TITLES.get(slot, slot.replace("_", " "))
                out.append(f'    subgraph row_{row}_{slot}["{_text(label)}"]')
            out += [f"{indent}{_node(ids[n], view, n)}" for n in nodes]
            if nested:
                out.append("    end")
        out.append("  end")
    out += [f"  {_node(ids[n], view, n)}" for n, v in view.nodes.items() if not v.row]
    links = [
        f"  row_{a} ~~~ row_{b}"
        for (a, _, _), (b, _, _) in zip(view.rows, view.rows[1:], strict=False)
    ]
    out += links
    dto_links = []
    for index, edge in enumerate(view.edges, start=len(links)):
        src, dst = ids[edge.src], ids[edge.dst]
        label = f'|"{_text(edge.label)}"|' if edge.label else ""
        arrow = "-.->" if edge.kind in ("dto", "chain") else "-->"
        out.append(f"  {src} {arrow}{label} {dst}")
        if edge.kind == "dto":
            dto_links.append(str(index))
    out += CLASSES
    out += [f"  style {ids[n]} fill:{TYPE_COLORS[kind]}" for n, kind in _typed(view)]
    failing = [ids[n] for n, v in view.nodes.items() if v.codes]
    if failing:
        out.append(f"  class {','.join(failing)} error")
    if dto_links:
        out.append(f"  linkStyle {','.join(dto_links)} stroke:#2563eb,color:#1d4ed8")
    return "\n".join(out) + "\n"


def _typed(view: View) -> list[tuple[str, str]]:
    """(node, worker type) of the worker and group nodes whose fill is not the default."""
    return [
        (n, v.worker_type)
        for n, v in view.nodes.items()
        if v.worker_type in TYPE_COLORS and v.kind in ("worker", "group")
    ]


def _node(node_id: str, view: View, node: str) -> str:
    item = view.nodes[node]
    label = item.label + ("\n" + " ".join(item.codes) if item.codes else "")
    text = _text(label)
    if item.kind in ("event", "dto_hub"):
        return f'{node_id}(["{text}"]):::{item.kind}'
    if item.kind == "platform":
        shape = f'[("{text}")]' if node == "platform" else f'[["{text}"]]'
        return f"{node_id}{shape}:::platform"
    return f'{node_id}["{text}"]:::{item.kind}'


def _text(text: str) -> str:
    """A label inside Mermaid double quotes: quotes as entities, newlines as ``<br/>``."""
    return (
        text.replace("&", "&amp;")
        .replace('"', "#quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "<br/>")
    )
