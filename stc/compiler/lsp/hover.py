"""Hover: a plugin's manifest summary, a param's schema, an event's payload, a DTO's
fields — each rendered from the same sources the compiler checks against."""

from __future__ import annotations

import json
from typing import Any

from stc.compiler.lsp.analysis import Analysis
from stc.compiler.lsp.completion import known_events
from stc.compiler.lsp.symbols import Symbol, dto_fields, find_dto, symbol_at
from stc.compiler.plugin_info import _bounds, format_show
from stc.compiler.sources import Mark
from stc.compiler.unit import CompileUnit


def hover(analysis: Analysis, path: str, line: int, column: int) -> tuple[str, Mark] | None:
    """Markdown for the symbol at 0-based (line, column), and the span it covers."""
    loaded = analysis.parsed(path)
    if loaded is None or loaded.data is None:
        return None
    symbol = symbol_at(loaded.data, line, column)
    if symbol is None:
        return None
    text = _markdown(analysis, path, symbol)
    return (text, symbol.mark) if text else None


def _markdown(analysis: Analysis, path: str, symbol: Symbol) -> str | None:
    registry = analysis.registry()
    if symbol.kind == "plugin":
        record = registry.get(symbol.name)
        return f"```text\n{format_show(record)}```" if record else None
    if symbol.kind == "param":
        record = registry.get(symbol.plugin or "")
        schema = record.manifest.config_schema.get("properties", {}) if record else {}
        spec = schema.get(symbol.name) if isinstance(schema, dict) else None
        return _param(symbol.name, symbol.plugin or "", spec) if isinstance(spec, dict) else None
    unit = _unit(analysis, path)
    if symbol.kind == "event":
        payload = known_events(analysis, path, registry).get(symbol.name)
        if payload is None:
            return None
        return f"**event** `{symbol.name}` — payload `{payload}`\n\n{_fields(payload, unit)}"
    if symbol.kind == "dto":
        return f"**DTO** `{symbol.name}`\n\n{_fields(symbol.name, unit)}"
    if symbol.kind == "worker" and unit is not None:
        worker = unit.worker(symbol.name)
        return f"**worker** `{symbol.name}` — plugin `{worker.plugin}`" if worker else None
    return None


def _unit(analysis: Analysis, path: str) -> CompileUnit | None:
    """The last checked unit of ``path`` (a hover never triggers a check of its own)."""
    result = analysis.results.get(analysis.owner_of.get(path, path))
    return result.unit_for(path) if result is not None else None


def _param(name: str, plugin: str, spec: dict[str, Any]) -> str:
    default = json.dumps(spec["default"]) if "default" in spec else "(required)"
    lines = [
        f"**param** `{name}` of `{plugin}`: `{spec.get('type', 'any')}` = `{default}`"
        f"{_bounds(spec)}",
    ]
    if spec.get("description"):
        lines.append(str(spec["description"]))
    lines.append("```json\n" + json.dumps(spec, indent=2, sort_keys=True) + "\n```")
    return "\n\n".join(lines)


def _fields(dto: str, unit: CompileUnit | None) -> str:
    cls = find_dto(dto, unit)
    if cls is None:
        return "_(class not found among the shared DTOs and this unit's plugins)_"
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    rows = "\n".join(f"    {name}: {kind}" for name, kind in dto_fields(cls))
    return f"{doc}\n\n```python\nclass {cls.__name__}:\n{rows or '    ...'}\n```"
