"""Completion: what may be written at the cursor, from the registry and the unit.

Every list comes from the compiler's own tables — the registry's manifests (plugin
names by slot, ``config_schema`` keys, enum values and defaults), the runtime's event
table, the trigger fields of :mod:`stc.compiler.resolve` — so completion offers exactly
what ``stc check`` accepts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from lsprotocol import types as lsp

from stc.compiler.checks.dataflow import PLATFORM_PROVIDED
from stc.compiler.lsp.analysis import Analysis
from stc.compiler.lsp.cursor import TextContext, item_field, text_context
from stc.compiler.model.blueprint import snake_case
from stc.compiler.plugin_info import _bounds
from stc.compiler.registry import PluginRecord, PluginRegistry
from stc.compiler.resolve import TRIGGER_FIELDS
from stc.compiler.unit import SLOT_TYPES
from stc.runtime.events import PLATFORM_EVENTS

TIMEFRAMES = ("1m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d", "1w", "1M")
"""Common timeframes (any ``<n><m|h|d|w|M>`` is valid; these are offered)."""

WORKER_KEYS = {
    "context_workers": ("plugin", "id", "params", "timeframe"),
    "opportunity_workers": ("plugin", "id", "params", "timeframe"),
    "threat_workers": ("plugin", "id", "params", "timeframe", "trigger"),
    "strategy_planner": ("plugin", "id", "params", "timeframe", "trigger"),
    "entry": ("plugin", "id", "params", "timeframe", "triggers"),
    "size": ("plugin", "id", "params", "timeframe", "triggers"),
    "exit": ("plugin", "id", "params", "timeframe", "triggers"),
    "routing": ("plugin", "id", "params", "timeframe", "triggers"),
}
"""Keys of a worker entry per slot (the blueprint model's fields)."""


def complete(
    analysis: Analysis, path: str, lines: list[str], line: int, column: int
) -> list[lsp.CompletionItem]:
    """The completion items at 0-based (line, column) in code points."""
    context = text_context(lines, line, column)
    registry = analysis.registry()
    items = _items(analysis, path, lines, line, column, context, registry)
    word = lsp.Range(
        start=lsp.Position(line=line, character=context.start),
        end=lsp.Position(line=line, character=column),
    )
    for item in items:  # replace the word typed so far, not insert after it
        item.text_edit = lsp.TextEdit(range=word, new_text=item.insert_text or item.label)
    return items


def _items(
    analysis: Analysis,
    path: str,
    lines: list[str],
    line: int,
    column: int,
    context: TextContext,
    registry: PluginRegistry,
) -> list[lsp.CompletionItem]:
    parents, key = context.parents, context.key
    slot = _slot(parents)
    if key == "plugin":
        return _plugins(registry, slot)
    if key in ("trigger", "event"):
        return _events(analysis, path, registry)
    if key in ("timeframe", "timeframes"):
        return [_plain(tf, "timeframe", lsp.CompletionItemKind.Unit) for tf in TIMEFRAMES]
    if key == "worker" and "wiring" in parents:
        return _worker_ids(analysis, path)
    if key in ("requires_dtos", "provides_dtos", "payload"):
        return _dtos(registry)
    if parents and parents[-1] == "params":
        record = _record(registry, lines, line, column)
        if key is None:
            return _param_keys(record)
        return _param_values(record, key)
    if parents and parents[-1] == "triggers" and key is None and slot is not None:
        fields = ("confidence", *TRIGGER_FIELDS.get(slot, ()))
        return [_plain(f, f"{slot} trigger range [lo, hi]", lsp.CompletionItemKind.Field)
                for f in fields]  # fmt: skip
    if key is None and slot is not None and parents[-1] == slot:
        return [_plain(k, f"{slot} worker", lsp.CompletionItemKind.Property)
                for k in WORKER_KEYS[slot]]  # fmt: skip
    return []


def _slot(parents: tuple[str, ...]) -> str | None:
    """The workforce slot the cursor is in (the innermost slot key)."""
    if "workforce" not in parents:
        return None
    return next((p for p in reversed(parents) if p in SLOT_TYPES), None)


def _plain(label: str, detail: str, kind: lsp.CompletionItemKind) -> lsp.CompletionItem:
    return lsp.CompletionItem(label=label, detail=detail, kind=kind)


def _plugins(registry: PluginRegistry, slot: str | None) -> list[lsp.CompletionItem]:
    """Plugins valid for the slot (all of them outside a slot), with type/subtype."""
    wanted = SLOT_TYPES.get(slot or "")
    items = []
    for name in registry.names():
        ident = registry.plugins[name].manifest.identification
        if wanted is not None and ident.type != wanted:
            continue
        items.append(
            lsp.CompletionItem(
                label=name,
                kind=lsp.CompletionItemKind.Class,
                detail=f"{ident.type} · {ident.subtype}",
                documentation=ident.description or None,
                sort_text=name,
            )
        )
    return items


def _record(
    registry: PluginRegistry, lines: list[str], line: int, column: int
) -> PluginRecord | None:
    name = item_field(lines, line, column, "plugin")
    return registry.get(name) if name else None


def _properties(record: PluginRecord | None) -> dict[str, Any]:
    if record is None:
        return {}
    properties = record.manifest.config_schema.get("properties", {})
    return properties if isinstance(properties, dict) else {}


def _param_keys(record: PluginRecord | None) -> list[lsp.CompletionItem]:
    items = []
    for name, spec in _properties(record).items():
        spec = spec if isinstance(spec, dict) else {}
        default = f" = {json.dumps(spec['default'])}" if "default" in spec else " (required)"
        items.append(
            lsp.CompletionItem(
                label=name,
                kind=lsp.CompletionItemKind.Field,
                detail=f"{spec.get('type', 'any')}{default}{_bounds(spec)}",
                documentation=spec.get("description"),
                insert_text=f"{name}: ",
            )
        )
    return items


_ENUM = lsp.CompletionItemKind.EnumMember


def _param_values(record: PluginRecord | None, key: str) -> list[lsp.CompletionItem]:
    spec = _properties(record).get(key)
    if not isinstance(spec, dict):
        return []
    values: list[Any] = list(spec.get("enum", []))
    if not values and spec.get("type") == "boolean":
        values = [True, False]
    if not values and "default" in spec:
        values = [spec["default"]]
    return [
        lsp.CompletionItem(
            label=json.dumps(value) if not isinstance(value, str) else value,
            kind=lsp.CompletionItemKind.EnumMember
            if "enum" in spec
            else lsp.CompletionItemKind.Value,
            detail="default" if value == spec.get("default") else key,
            documentation=spec.get("description"),
        )
        for value in values
    ]


def known_events(analysis: Analysis, path: str, registry: PluginRegistry) -> dict[str, str]:
    """Every event a blueprint may name → its payload DTO: the platform's, the
    operation's schedules and those some discovered plugin publishes."""
    events = dict(PLATFORM_EVENTS)
    for name in registry.names():
        for decl in registry.plugins[name].manifest.dependencies.publishes:
            events.setdefault(decl.event, decl.payload)
    result = analysis.results.get(analysis.owner_of.get(path, path))
    unit = result.unit_for(path) if result else None
    if unit is not None:
        for event, payload in unit.event_payloads.items():
            events.setdefault(event, payload)
    return {e: p for e, p in events.items() if not e.startswith("_")}


def _events(analysis: Analysis, path: str, registry: PluginRegistry) -> list[lsp.CompletionItem]:
    return [
        lsp.CompletionItem(label=e, kind=lsp.CompletionItemKind.Event, detail=f"payload {p}")
        for e, p in sorted(known_events(analysis, path, registry).items())
    ]


def _worker_ids(analysis: Analysis, path: str) -> list[lsp.CompletionItem]:
    loaded = analysis.parsed(path)
    data = loaded.data if loaded is not None else None
    return [
        lsp.CompletionItem(label=wid, kind=lsp.CompletionItemKind.Variable, detail=plugin)
        for wid, plugin in sorted(dict(worker_ids(data)).items())
    ]


def worker_ids(data: Any) -> Iterable[tuple[str, str]]:
    """(id, plugin) of every worker written in a parsed blueprint (defaults included)."""
    workforce = data.get("workforce") if isinstance(data, dict) else None
    if not isinstance(workforce, dict):
        return
    slots: list[Any] = []
    for key, value in workforce.items():
        if key == "planning_workers" and isinstance(value, dict):
            slots.extend(value.values())
        else:
            slots.append(value)
    for slot in slots:
        for ref in slot if isinstance(slot, list) else [slot]:
            if isinstance(ref, dict) and isinstance(ref.get("plugin"), str):
                explicit = ref.get("id")
                yield (
                    (explicit if isinstance(explicit, str) else snake_case(ref["plugin"])),
                    ref["plugin"],
                )


def _dtos(registry: PluginRegistry) -> list[lsp.CompletionItem]:
    producers: dict[str, list[str]] = {dto: ["platform"] for dto in PLATFORM_PROVIDED}
    for name in registry.names():
        deps = registry.plugins[name].manifest.dependencies
        for dto in [*deps.provides_dtos, *(p.payload for p in deps.publishes)]:
            producers.setdefault(dto, []).append(name)
    return [
        lsp.CompletionItem(
            label=dto, kind=lsp.CompletionItemKind.Struct, detail="from " + ", ".join(who[:3])
        )
        for dto, who in sorted(producers.items())
    ]
