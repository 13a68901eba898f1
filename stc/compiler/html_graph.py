"""``stc graph FILE --html``: the wiring SVG in an interactive, self-contained page.

What a reader does on it (script: ``html_graph.js``; styles: ``html_graph.css``; both
inlined, nothing loaded from the network): pan and zoom (wheel, drag, keyboard),
search workers, plugins and DTOs, focus a worker (its upstream and downstream stay
lit, the rest dims), collapse and expand phases and parallel groups, open a group
node's members, read a worker's plugin, params (set by the user or defaulted),
requires/provides and warm-up, and an event's payload fields with readable types
(``Decimal > 0 | None``). On a failed compile every diagnostic is listed; clicking
one focuses its worker, or the phase of a blueprint-level problem; missing providers
are dashed placeholder nodes. The data the script reads is ``page_data``'s JSON.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import sys
import types
import typing
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.emit.dot import svg_id
from stc.compiler.emit.view import SLOT_TITLES, View, build_view
from stc.compiler.unit import CompileUnit

_KEEP = (
    "id", "plugin", "version", "type", "subtype", "params", "requires", "provides",
    "publishes", "trigger", "triggers", "timeframe", "warmup",
)  # fmt: skip


def readable_type(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> str:
    """A type as a reader writes it: ``Decimal > 0 | None``, ``list[OpportunitySignal]``,
    ``'BUY' | 'SELL'`` — not pydantic's repr (``Optional[Annotated[decimal.Decimal,
    FieldInfo(...)]]``). ``metadata`` are the field's constraints (``Gt(gt=0)``, ...)."""
    text = _readable(annotation)
    bounds = [c for c in (_constraint(m) for m in metadata) if c]
    lower = next((b for b in bounds if b[0] in ">≥"), None)
    upper = next((b for b in bounds if b[0] in "<≤"), None)
    if lower and upper:  # Decimal in [0, 1]
        left, right = "[" if lower[0] == "≥" else "(", "]" if upper[0] == "≤" else ")"
        rest = [b for b in bounds if b not in (lower, upper)]
        bounds = [f"in {left}{lower[2:]}, {upper[2:]}{right}", *rest]
    return f"{text} {' '.join(bounds)}" if bounds else text


def _readable(annotation: Any) -> str:
    if annotation is None or annotation is type(None):
        return "None"
    if isinstance(annotation, str):
        return _tidy(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return readable_type(args[0], _metadata(args[1:]))
    if origin in (typing.Union, types.UnionType):
        parts = [_readable(a) for a in args if a is not type(None)]
        return " | ".join(parts + (["None"] if type(None) in args else []))
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        inner = ", ".join("..." if a is Ellipsis else _readable(a) for a in args)
        return f"{name}[{inner}]" if args else name
    if isinstance(annotation, type):
        return annotation.__name__
    return _tidy(str(annotation))


def _metadata(items: tuple[Any, ...]) -> list[Any]:
    """Constraints of an ``Annotated``: a pydantic FieldInfo carries them in ``metadata``."""
    found: list[Any] = []
    for item in items:
        found += (
            list(getattr(item, "metadata", None) or ()) if hasattr(item, "metadata") else [item]
        )
    return found


_BOUNDS = (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤"))


def _constraint(item: Any) -> str:
    for name, sign in _BOUNDS:
        value = getattr(item, name, None)
        if value is not None:
            return f"{sign} {value}"
    low, high = getattr(item, "min_length", None), getattr(item, "max_length", None)
    if low is not None and high is not None:
        return f"len {low}..{high}"
    if low is not None:
        return f"len ≥ {low}"
    if high is not None:
        return f"len ≤ {high}"
    return ""


_MODULE_PREFIX = re.compile(r"\b(?:[a-z_][a-z0-9_]*\.)+(?=[A-Za-z_])")


def _tidy(text: str) -> str:
    """A type written as text (source annotations of a compiled class): module prefixes
    dropped (``signals.OpportunitySignal`` → ``OpportunitySignal``), ``Optional[X]`` as
    ``X | None``."""
    text = _MODULE_PREFIX.sub("", text)
    optional = re.fullmatch(r"Optional\[(.*)\]", text)
    return f"{_tidy(optional.group(1))} | None" if optional else text


def dto_fields(cls: type) -> list[tuple[str, str]]:
    """(name, readable type) of every field of a DTO class: pydantic, dataclass or slots."""
    model_fields = getattr(cls, "model_fields", None)
    if isinstance(model_fields, dict):
        return [
            (name, readable_type(info.annotation, info.metadata))
            for name, info in model_fields.items()
        ]
    if dataclasses.is_dataclass(cls):
        return [(f.name, _readable(f.type)) for f in dataclasses.fields(cls)]
    hints = getattr(vars(cls).get("__init__"), "__annotations__", None) or _source_hints(cls)
    slots = getattr(cls, "__slots__", ())
    names = [n for n in hints if n != "return"] or list(slots)
    return [(name, _readable(hints.get(name, ""))) for name in names]


def _source_hints(cls: type) -> dict[str, str]:
    """``__init__``'s annotations read from the class's source file: a class compiled
    by mypyc (the runtime's hot path, see stc/runtime/_native.py) keeps no annotations, but
    its ``.py`` file sits beside the extension. The strings equal those of
    ``from __future__ import annotations``, so both builds render alike."""
    module = sys.modules.get(cls.__module__)
    origin = getattr(module, "__file__", None)
    if not origin:
        return {}
    source = Path(origin).with_name(Path(origin).name.split(".", 1)[0] + ".py")
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    args = item.args.posonlyargs + item.args.args + item.args.kwonlyargs
                    return {a.arg: ast.unparse(a.annotation) for a in args[1:] if a.annotation}
    return {}


def platform_dto_fields() -> dict[str, list[tuple[str, str]]]:
    """Fields of every platform DTO by class name."""
    from stc.runtime.dtos import PLATFORM_DTOS

    return {name: dto_fields(cls) for name, cls in sorted(PLATFORM_DTOS.items())}


def workers_json(wiring: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The compiled workers by id, with the keys a reader wants on hover."""
    out: dict[str, dict[str, Any]] = {}
    for worker in (wiring or {}).get("workers") or ():
        if isinstance(worker, dict) and "id" in worker:
            out[str(worker["id"])] = {k: worker[k] for k in _KEEP if k in worker}
    return out


def unit_workers(unit: CompileUnit) -> dict[str, dict[str, Any]]:
    """Every worker of the unit by id, also on a failed compile (the wiring map exists
    only for a clean one): plugin, type, params with the names the user set, warm-up,
    requires/provides when the plugin resolved."""
    out: dict[str, dict[str, Any]] = {}
    for worker in unit.workers:
        record = worker.record
        deps = record.manifest.dependencies if record else None
        out.setdefault(
            worker.id,
            {
                "id": worker.id, "plugin": worker.plugin, "type": worker.worker_type,
                "version": record.manifest.identification.version if record else "",
                "subtype": record.manifest.identification.subtype if record else "",
                "params": worker.params if record else dict(worker.ref.params),
                "params_set": sorted(worker.ref.params), "warmup": worker.warmup,
                "requires": list(deps.requires_dtos) if deps else [],
                "provides": list(deps.provides_dtos) if deps else [],
                "trigger": worker.trigger, "triggers": worker.triggers,
                "timeframe": worker.timeframe, "resolved": record is not None,
            },
        )  # fmt: skip
    return out


ROW_OF_CODE = {
    "STC021": "routing", "STC022": "routing", "STC023": "trade", "STC040": "trade",
    "STC041": "trade", "STC051": "strategy", "STC060": "aggregation",
    "STC061": "aggregation", "STC070": "market_data",
}  # fmt: skip
"""The phase a blueprint-level diagnostic (one without a worker) is drawn on."""


def page_data(
    view: View | None, unit: CompileUnit | None, diagnostics: Sequence[Diagnostic]
) -> dict[str, Any]:
    """What the page's script reads: nodes, edges (index = SVG ``e<index>``), rows,
    workers, payload fields and the diagnostics with the node or phase each concerns."""
    data: dict[str, Any] = {
        "nodes": {}, "edges": [], "rows": [], "workers": {}, "diagnostics": [],
        "dtos": platform_dto_fields(),
    }  # fmt: skip
    if view is not None and unit is not None:
        data["workers"] = unit_workers(unit)
        data["nodes"] = {
            node.id: {
                "svg": svg_id(node.id), "kind": node.kind, "label": node.label, "row": node.row,
                "group": node.group, "group_title": SLOT_TITLES.get(node.group, node.group),
                "members": list(node.members), "codes": list(node.codes),
            }
            for node in view.nodes.values()
        }  # fmt: skip
        data["edges"] = [[e.src, e.dst, e.kind, e.label] for e in view.edges]
        data["rows"] = [
            [row, title, [n for _, nodes in groups for n in nodes]]
            for row, title, groups in view.rows
        ]
    rows = {row for row, _, _ in (view.rows if view else ())}
    for diag in diagnostics:
        node = next((view.owner[s] for s in diag.subjects if view and s in view.owner), None)
        row = ROW_OF_CODE.get(diag.code)
        data["diagnostics"].append(
            {
                "code": diag.code, "severity": diag.severity.value, "message": diag.message,
                "file": diag.file, "line": diag.line, "column": diag.column, "help": diag.help,
                "node": node, "row": row if row in rows else (None if node else _first(rows, view)),
            }
        )  # fmt: skip
    return data


def _first(rows: set[str], view: View | None) -> str | None:
    return view.rows[0][0] if view and view.rows else None


def _script_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str).replace("</", "<\\/")


def render_graph_page(
    svg: str,
    wiring: dict[str, Any] | None,
    title: str = "",
    *,
    data: dict[str, Any] | None = None,
) -> str:
    """The page: the SVG with pan/zoom, search, focus, collapse, a side panel and the
    diagnostics list; everything inline (no network). ``data`` is ``page_data``'s; the
    workers of ``wiring`` fill in when it is not given."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    name = title or str((wiring or {}).get("strategy") or "wiring")
    if data is None:
        data = page_data(None, None, ())
    if not data["workers"]:
        data["workers"] = workers_json(wiring)
    folder = Path(__file__).parent
    css = (folder / "html_graph.css").read_text(encoding="utf-8")
    script = (folder / "html_graph.js").read_text(encoding="utf-8")
    return "\n".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            f"<title>{escape(name)} · stc wiring</title><style>{css}</style></head><body>",
            f"<header><h1>{escape(name)}</h1>"
            '<input id="search" type="search" placeholder="search worker, plugin or DTO (/)"'
            ' autocomplete="off"><span id="count" class="mut"></span>'
            '<button type="button" id="fit" title="fit (0)">fit</button>'
            '<button type="button" id="zin" title="zoom in (+)">+</button>'
            '<button type="button" id="zout" title="zoom out (−)">−</button>'
            '<button type="button" id="clear" title="Esc">clear focus</button>'
            '<span class="mut keys">wheel/drag or + − 0 and arrows · click a worker to focus'
            "</span></header>",
            f'<main><div id="graph" tabindex="0">{body}</div><aside id="panel">'
            '<section id="diags"></section><section id="detail"><p class="mut">click a '
            'worker, an edge or an event</p></section><section id="phases"></section>'
            "</aside></main>",
            '<div id="tip" hidden></div>',
            f'<script type="application/json" id="stc-graph-data">{_script_json(data)}</script>',
            f"<script>{script}</script></body></html>\n",
        ]
    )


def graph_page(
    unit: CompileUnit | None,
    diagnostics: Sequence[Diagnostic],
    wiring: dict[str, Any] | None,
    *,
    internals: bool = False,
) -> str:
    """``stc graph --html``: lay the view out with Graphviz and wrap it in the page."""
    from stc.compiler.emit.dot import render_dot
    from stc.compiler.emit.graphviz_run import render

    view = build_view(unit, diagnostics, internals=internals) if unit is not None else None
    source = render_dot(unit, diagnostics, internals=internals)
    svg = render(source, "svg").decode("utf-8")  # within Graphviz's time/memory budget
    title = unit.blueprint.name if unit is not None else ""
    return render_graph_page(svg, wiring, title, data=page_data(view, unit, diagnostics))
