"""``stc graph FILE --html``: the wiring SVG in an interactive, self-contained page.

Hovering a worker shows its plugin, version, type, params, requires and provides (a
JSON of the compiled workers from the wiring map is embedded); clicking an edge shows
the fields of its payload DTO (edges are labelled ``EVENT: Dto`` by the DOT emitter;
the fields come from the pydantic models in ``runtime.dtos.PLATFORM_DTOS``).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import sys
from html import escape
from pathlib import Path
from typing import Any

_KEEP = (
    "id", "plugin", "version", "type", "subtype", "params", "requires", "provides",
    "publishes", "trigger", "triggers", "timeframe", "warmup",
)  # fmt: skip


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("runtime.dtos.", "")


def dto_fields(cls: type) -> list[tuple[str, str]]:
    """(name, type) of every field of a DTO class: pydantic, dataclass or slots."""
    model_fields = getattr(cls, "model_fields", None)
    if isinstance(model_fields, dict):
        return [(name, _type_name(info.annotation)) for name, info in model_fields.items()]
    if dataclasses.is_dataclass(cls):
        return [(f.name, _type_name(f.type)) for f in dataclasses.fields(cls)]
    hints = getattr(vars(cls).get("__init__"), "__annotations__", None) or _source_hints(cls)
    slots = getattr(cls, "__slots__", ())
    names = [n for n in hints if n != "return"] or list(slots)
    return [(name, _type_name(hints.get(name, ""))) for name in names]


def _source_hints(cls: type) -> dict[str, str]:
    """``__init__``'s annotations read from the class's source file: a class compiled
    by mypyc (the runtime's hot path, see runtime/_native.py) keeps no annotations, but
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
    from runtime.dtos import PLATFORM_DTOS

    return {name: dto_fields(cls) for name, cls in sorted(PLATFORM_DTOS.items())}


def workers_json(wiring: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The compiled workers by id, with the keys a reader wants on hover."""
    out: dict[str, dict[str, Any]] = {}
    for worker in (wiring or {}).get("workers") or ():
        if isinstance(worker, dict) and "id" in worker:
            out[str(worker["id"])] = {k: worker[k] for k in _KEEP if k in worker}
    return out


def _script_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str).replace("</", "<\\/")


def render_graph_page(svg: str, wiring: dict[str, Any] | None, title: str = "") -> str:
    """The page: the SVG, the embedded worker and DTO data, a tooltip and a side panel."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    name = title or str((wiring or {}).get("strategy") or "wiring")
    data = {"workers": workers_json(wiring), "dtos": platform_dto_fields()}
    return "\n".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            f"<title>{escape(name)} · stc wiring</title><style>{_CSS}</style></head><body>",
            f"<header><h1>{escape(name)}</h1><p>hover a worker for its plugin, params, "
            "requires and provides; click an edge for its payload's fields · "
            '<button type="button" id="fit">fit to width</button></p></header>',
            f'<main><div id="graph">{body}</div><aside id="panel"><p class="mut">'
            "click an edge</p></aside></main>",
            '<div id="tip" hidden></div>',
            f'<script type="application/json" id="stc-graph-data">{_script_json(data)}</script>',
            f"<script>{_JS}</script></body></html>\n",
        ]
    )


_CSS = """
body{margin:0;padding:16px 24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
Helvetica,Arial,sans-serif;color:#111827;background:#f9fafb}
h1{font-size:20px;margin:0}header p{color:#6b7280;margin:2px 0 12px;font-size:12px}
main{display:flex;gap:12px;align-items:flex-start}
#graph{flex:1;overflow:auto;background:#fff;border:1px solid #e5e7eb;border-radius:8px;
max-height:85vh}
#graph svg{display:block}#graph.fit svg{width:100%;height:auto}
button{font:inherit;font-size:12px;border:1px solid #e5e7eb;border-radius:4px;
background:#fff;cursor:pointer;padding:1px 8px}
#panel{width:300px;flex:none;background:#fff;border:1px solid #e5e7eb;border-radius:8px;
padding:10px 12px;font-size:13px;position:sticky;top:8px}
#panel h2{font-size:14px;margin:0 0 6px}#panel code{font-size:12px}
#panel ul{margin:4px 0;padding-left:18px}.mut{color:#6b7280}
g.node{cursor:help}g.edge,g.node.event{cursor:pointer}
g.edge:hover path,g.edge.sel path{stroke:#f59e0b;stroke-width:3px}
g.edge.sel text{fill:#b45309;font-weight:bold}
g.node:hover polygon,g.node:hover path,g.node:hover ellipse{stroke:#2563eb;stroke-width:3px}
#tip{position:fixed;z-index:9;max-width:420px;background:#111827;color:#f9fafb;
border-radius:6px;padding:8px 10px;font-size:12px;pointer-events:none;
box-shadow:0 4px 14px rgba(0,0,0,.25)}
#tip b{color:#fde68a}#tip pre{margin:4px 0 0;white-space:pre-wrap;
font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
"""

_JS = """
(function(){
'use strict';
var data=JSON.parse(document.getElementById('stc-graph-data').textContent);
var tip=document.getElementById('tip'),panel=document.getElementById('panel');
var fit=document.getElementById('fit'),graph=document.getElementById('graph');
fit.addEventListener('click',function(){var on=graph.classList.toggle('fit');
  fit.textContent=on?'actual size':'fit to width';});
function esc(s){return String(s).replace(/[&<>"']/g,function(c){
  return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
function list(v){return v&&v.length?esc(v.join(', ')):'—';}
function workerHtml(id,w){
  if(!w)return '<b>'+esc(id)+'</b><br>platform component';
  return '<b>'+esc(id)+'</b> · '+esc(w.plugin||'')+' '+esc(w.version||'')+'<br>'+
    esc(w.type||'')+(w.subtype?' · '+esc(w.subtype):'')+
    '<br>requires: '+list(w.requires)+'<br>provides: '+list(w.provides)+
    '<pre>params: '+esc(JSON.stringify(w.params||{},null,1))+'</pre>';}
document.querySelectorAll('g.node').forEach(function(n){
  var t=n.querySelector('title');if(!t)return;var id=t.textContent.trim();
  n.addEventListener('mouseenter',function(){tip.innerHTML=workerHtml(id,data.workers[id]);
    tip.hidden=false;});
  n.addEventListener('mousemove',function(e){tip.style.left=(e.clientX+14)+'px';
    tip.style.top=(e.clientY+14)+'px';});
  n.addEventListener('mouseleave',function(){tip.hidden=true;});});
document.querySelectorAll('g.edge,g.node.event').forEach(function(e){
  e.addEventListener('click',function(){
    document.querySelectorAll('g.edge.sel').forEach(function(x){x.classList.remove('sel');});
    e.classList.add('sel');
    var lines=Array.prototype.map.call(e.querySelectorAll('text'),function(t){
      return t.textContent.trim();});
    var event=lines[0]||'',dto=lines[1]||'';
    var fields=data.dtos[dto],t=e.querySelector('title');
    var html='<h2>'+esc(event||'edge')+'</h2><p class="mut">'+
      esc(t?t.textContent.replace('->',' → '):'')+'</p>';
    if(fields){html+='<p>payload <b>'+esc(dto)+'</b></p><ul class="fields">'+
      fields.map(function(f){return '<li><code>'+esc(f[0])+'</code> <span class="mut">'+
        esc(f[1])+'</span></li>';}).join('')+'</ul>';}
    else{html+='<p class="mut">payload '+esc(dto||'unknown')+
      ': not a platform DTO</p>';}
    panel.innerHTML=html;});});
})();
"""
