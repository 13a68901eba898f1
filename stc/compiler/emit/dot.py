"""Emit the wiring diagram as Graphviz DOT (and SVG/PNG when ``dot`` is installed).

Layout decisions (docs/decisions.md, issue 21), so the diagram reads at 5 and at 300
workers: top to bottom, one row (cluster) per phase in the fixed order of
``stc.compiler.emit.view.ROWS``, each row held between invisible anchors so no phase moves
between blueprints; the parallel groups side by side inside their row in their fixed
order (told apart by colour), wrapped into lines past ``ONE_LINE`` nodes; a
fanned-out event drawn once (an event hub node); the DTO flow from
context workers to their consumers as dashed blue edges labelled with the DTO; the
context chain as dotted unlabelled edges. What is drawn is decided by
``stc.compiler.emit.view``; this module only writes it. On a failed compile the nodes a
diagnostic is about are red with the diagnostic codes on them.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.emit.view import (
    TYPE_COLORS,
    View,
    ViewEdge,
    ViewNode,
    build_view,
    wrap_width,
)
from stc.compiler.unit import CompileUnit

PLATFORM_COLOR = "#f3f4f6"
ERROR_COLOR = "#dc2626"
DTO_COLOR = "#2563eb"
NODE_FONT = "16"
LEGEND_FONT = "10"
"""Node text is drawn larger than the legend and the edge labels: the layout test
checks node text against the legend's size at 1,600 px wide."""


def render_dot(
    unit: CompileUnit | None, diagnostics: Sequence[Diagnostic] = (), *, internals: bool = False
) -> str:
    """The DOT source; ``diagnostics`` with ``subjects`` highlight their nodes; platform
    internals (flow terminator, the plan-aggregation role) only with ``internals``.

    Written directly (one escape function, no per-attribute quoting objects): the text
    is byte-identical for identical input.
    """
    title = "stc wiring" if unit is None else f"{unit.blueprint.name} — {unit.mode} mode"
    out = [f"digraph stc {{\n\tgraph [{_attrs(_graph_attrs(title))}]\n"]
    out.append(f"\tnode [{_attrs(NODE_DEFAULTS)}]\n\tedge [{_attrs(EDGE_DEFAULTS)}]\n")
    if unit is None:
        out.append(f"\tempty [label={_quote('nothing to draw: the blueprint did not load')}]\n")
    else:
        render_view(out, build_view(unit, diagnostics, internals=internals))
    out.append("}\n")
    return "".join(out)


def render_view(out: list[str], view: View) -> None:
    """Append the rows, the hubs, the edges and the legend of ``view`` to ``out``."""
    anchors = [f"row:{row}" for row, _, _ in view.rows]
    for index, (row, title, groups) in enumerate(view.rows):
        _add_row(out, view, row, title, groups)
        below = anchors[index + 1] if index + 1 < len(anchors) else None
        for _, nodes in groups:
            for node in nodes:  # held between this row's anchor and the next row's
                out.append(f"\t{_quote(anchors[index])} -> {_quote(node)} [style=invis]\n")
                if below:
                    out.append(f"\t{_quote(node)} -> {_quote(below)} [style=invis]\n")
    for hub in view.nodes.values():
        if hub.kind in ("event", "dto_hub"):
            out.append(f"\t{_quote(hub.id)} [{_attrs(_hub_attrs(hub))}]\n")
    for index, edge in enumerate(view.edges):
        attrs = _attrs(_edge_attrs(edge, index))
        out.append(f"\t{_quote(edge.src)} -> {_quote(edge.dst)} [{attrs}]\n")
    _add_legend(out, view, anchors[0] if anchors else None)


NODE_DEFAULTS = {
    "shape": "box",
    "style": "rounded,filled",
    "fontname": "Helvetica",
    "fontsize": NODE_FONT,
}
EDGE_DEFAULTS = {"fontname": "Helvetica", "fontsize": LEGEND_FONT, "color": "#6b7280"}


@lru_cache(maxsize=65536)
def _quote(text: str) -> str:
    """A DOT double-quoted string (backslashes, quotes and newlines escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(attrs: dict[str, str]) -> str:
    return " ".join(f"{key}={_quote(value)}" for key, value in attrs.items())


def _graph_attrs(title: str) -> dict[str, str]:
    return {
        "rankdir": "TB",
        "label": title,
        "labelloc": "t",
        "fontname": "Helvetica",
        "fontsize": "16",
        "compound": "true",
        "newrank": "true",
        "remincross": "false",  # its last pass over the whole graph reorders flat lines
        "nodesep": "0.3",
        "ranksep": "0.35",
    }


def _add_row(
    out: list[str], view: View, row: str, title: str, groups: list[tuple[str, list[str]]]
) -> None:
    """One row cluster. Its parallel groups sit side by side in their fixed order
    (entry ‖ size ‖ exit) without boxes of their own: Graphviz orders the nodes of one
    cluster by a flat invisible chain, but not sub-clusters (measured: they came out
    size, exit, entry), so the groups are told apart by colour and order."""
    out.append(f"\tsubgraph cluster_{row} {{\n")
    style = {
        "label": title, "style": "rounded,dashed", "color": "#9ca3af", "fontsize": "12",
        "id": f"row-{row}", "class": "row",
    }  # fmt: skip
    out.append(f"\t\tgraph [{_attrs(style)}]\n")
    out.append(f'\t\t{_quote("row:" + row)} [shape=point style=invis width=0 height=0 label=""]\n')
    wrap = wrap_width(len(groups), sum(len(nodes) for _, nodes in groups))
    lines: list[list[str]] = []
    for _, nodes in groups:
        for node in nodes:
            out.append(f"\t\t{_quote(node)} [{_attrs(_node_attrs(view.nodes[node]))}]\n")
        for start in range(0, len(nodes), wrap):
            if start:  # the next line of this group under its previous line
                above, first = _quote(nodes[start - wrap]), _quote(nodes[start])
                out.append(f"\t\t{above} -> {first} [style=invis]\n")
            index = start // wrap
            lines += [[] for _ in range(index + 1 - len(lines))]
            lines[index] += nodes[start : start + wrap]
    for line in lines:  # each line left to right: the groups in order, blueprint order
        if len(line) > 1:
            out.append(f"\t\t{{rank=same {' -> '.join(map(_quote, line))} [style=invis]}}\n")
    out.append("\t}\n")


def _node_attrs(node: ViewNode) -> dict[str, str]:
    attrs = {"label": node.label, "class": node.kind, "id": svg_id(node.id)}
    if node.kind == "missing":
        attrs.update(style="dashed,rounded", color=ERROR_COLOR, fontcolor=ERROR_COLOR)
        return attrs
    attrs["fillcolor"] = TYPE_COLORS.get(node.worker_type, PLATFORM_COLOR)
    if node.kind == "platform":
        attrs["shape"] = "cylinder" if node.id == "platform" else "box3d"
    if node.kind == "group":
        attrs["style"] = "rounded,filled,bold"
        attrs["peripheries"] = "2"
    if node.codes:
        attrs["label"] = node.label + "\n" + " ".join(node.codes)
        attrs.update(color=ERROR_COLOR, penwidth="2.5", fontcolor=ERROR_COLOR)
    return attrs


def svg_id(node: str) -> str:
    """The SVG element id of a node: ``n-`` and the id with ``:`` as ``-``."""
    return "n-" + node.replace(":", "-")


def _hub_attrs(node: ViewNode) -> dict[str, str]:
    attrs = {
        "label": node.label, "class": node.kind, "id": svg_id(node.id),
        "fontsize": LEGEND_FONT, "shape": "box", "style": "rounded", "height": "0.2",
        "margin": "0.06,0.02", "color": "#9ca3af",
    }  # fmt: skip
    if node.kind == "dto_hub":
        attrs.update(shape="note", style="", color=DTO_COLOR, fontcolor=DTO_COLOR)
    return attrs


def _edge_attrs(edge: ViewEdge, index: int) -> dict[str, str]:
    """The edge's style; its SVG id ``e<index>`` is its position in ``view.edges``."""
    attrs: dict[str, str] = {"class": edge.kind, "id": f"e{index}"}
    if edge.label:
        attrs["label"] = edge.label
    if not edge.constraint:
        attrs["constraint"] = "false"
    if edge.kind == "dto":
        attrs.update(style="dashed", color=DTO_COLOR, fontcolor=DTO_COLOR, arrowhead="empty")
    elif edge.kind == "chain":
        attrs.update(style="dotted", color="#9ca3af", arrowsize="0.6")
    if edge.failing:
        attrs.update(color=ERROR_COLOR, fontcolor=ERROR_COLOR, penwidth="2")
    return attrs


def _add_legend(out: list[str], view: View, top: str | None) -> None:
    if not view.legend:
        return
    cells = "".join(
        f'<TR><TD BGCOLOR="{TYPE_COLORS[t]}">{t}</TD><TD>{s}</TD></TR>' for t, s in view.legend
    )
    edges = (
        "<TR><TD>───▶</TD><TD>event (label: EVENT, payload DTO)</TD></TR>"
        f'<TR><TD><FONT COLOR="{DTO_COLOR}">- - -▷</FONT></TD><TD>DTO data flow</TD></TR>'
        "<TR><TD>· · ·▶</TD><TD>context chain order</TD></TR>"
    )
    table = (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        f'<TR><TD COLSPAN="2"><B>legend: type · subtype</B></TD></TR>{cells}{edges}</TABLE>'
    )
    out.append(
        f'\tlegend [label=<{table}> shape=plaintext style="" class=legend fontsize={LEGEND_FONT}]\n'
    )
    if top:
        out.append(f"\t{_quote(top)} -> legend [style=invis]\n")


def dot_available() -> bool:
    """True when the Graphviz ``dot`` binary is on PATH."""
    return shutil.which("dot") is not None


def render_image(dot_source: str, target: Path) -> Path:
    """Render ``dot_source`` to ``target`` (``.svg`` or ``.png``) with the dot binary.

    Output is made deterministic: the SVG comment carrying Graphviz's version and
    the generated title are the only machine-dependent parts and are left as dot
    writes them (the DOT source is the artefact that snapshots compare).
    """
    from stc.compiler.emit.graphviz_run import render
    from stc.runtime.artefacts import write_atomically

    image = render(dot_source, target.suffix.lstrip("."))  # GraphvizFailed: one line
    write_atomically(target, image)
    return target
