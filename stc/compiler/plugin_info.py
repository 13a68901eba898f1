"""``stc plugins [list|show NAME]``: what plugins exist and what each one takes."""

from __future__ import annotations

import json
from typing import Any

from stc.compiler.model.manifest import PluginManifest
from stc.compiler.registry import PluginRecord, PluginRegistry

TYPE_ORDER = (
    "context_worker", "opportunity_worker", "threat_worker", "strategy_planner",
    "entry_planner", "size_planner", "exit_planner", "routing_planner", "execution_handler",
)  # fmt: skip


def format_list(registry: PluginRegistry) -> str:
    """A table: name, type, subtype, version, description."""
    records = sorted(
        registry.plugins.values(),
        key=lambda r: (TYPE_ORDER.index(r.manifest.identification.type), r.name),
    )
    width = max((len(r.name) for r in records), default=4)
    lines = [f"{'NAME':<{width}}  {'TYPE':<18}  {'SUBTYPE':<24}  VERSION"]
    for record in records:
        ident = record.manifest.identification
        lines.append(
            f"{record.name:<{width}}  {ident.type:<18}  {ident.subtype:<24}  {ident.version}"
        )
    lines.append(f"\n{len(records)} plugins")
    return "\n".join(lines) + "\n"


def format_show(record: PluginRecord) -> str:
    """The manifest as a reader wants it: identity, DTOs, factors, params, warm-up."""
    manifest = record.manifest
    ident, deps = manifest.identification, manifest.dependencies
    lines = [
        f"{ident.name} {ident.version} — {ident.type} / {ident.subtype}",
        f"  {ident.description}" if ident.description else "",
        f"  manifest:   {record.display_file}",
        f"  entrypoint: {manifest.entrypoint}",
        f"  requires:   {', '.join(deps.requires_dtos) or '-'}",
        f"  provides:   {', '.join(deps.provides_dtos) or '-'}",
        f"  factors:    {_factors(manifest) or '-'}",
        f"  publishes:  {', '.join(f'{p.event}: {p.payload}' for p in deps.publishes) or '-'}",
        f"  warm-up:    {manifest.warmup.bars} bars",
        f"  capabilities: {json.dumps(manifest.capabilities.model_dump(), sort_keys=True)}",
        "  params:",
    ]
    lines += _param_lines(manifest.config_schema)
    return "\n".join(line for line in lines if line) + "\n"


def _factors(manifest: PluginManifest) -> str:
    return ", ".join(f"{f.name} ({f.polarity})" for f in manifest.dependencies.provides_factors)


def _param_lines(schema: dict[str, Any]) -> list[str]:
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        return ["    (none)"]
    out = []
    for name, spec in properties.items():
        bounds = _bounds(spec)
        default = json.dumps(spec.get("default")) if "default" in spec else "(required)"
        out.append(f"    {name}: {spec.get('type', 'any')} = {default}{bounds}")
        if spec.get("description"):
            out.append(f"        {spec['description']}")
    return out


def _bounds(spec: dict[str, Any]) -> str:
    if spec.get("type") == "array" and isinstance(spec.get("items"), dict):
        inner = _bounds(spec["items"])
        return f"  items{inner}" if inner else ""
    parts = []
    for key, symbol in (
        ("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<"),
    ):  # fmt: skip
        if key in spec:
            parts.append(f"{symbol} {spec[key]}")
    if "enum" in spec:
        parts.append("one of " + ", ".join(json.dumps(v) for v in spec["enum"]))
    return f"  ({', '.join(parts)})" if parts else ""
