"""The blueprint schema with each plugin's ``params`` typed (``stc schema
strategy_blueprint --with-plugins``).

Why: the committed ``schemas/strategy_blueprint.schema.json`` cannot know the plugins
a project has, so ``params:`` is any object there and an editor completes nothing.
This schema adds, for every worker entry, an ``if``/``then`` per discovered plugin: if
``plugin`` is that name, ``params`` must match its manifest's ``config_schema`` — the
same JSON Schema the compiler checks ``params`` with (STC006), so an editor completes
the keys, shows their descriptions and defaults, and flags a wrong type as you type.
``plugin`` gets the discovered names as ``examples`` (completion, not a restriction:
an unknown plugin stays the compiler's STC003 with its did-you-mean).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from stc.compiler.registry import PluginRegistry
from stc.compiler.schema_export import schema_for

_DEFS_KEY = "PluginParams"
_PLUGIN_BASE = "https://s1mpletrader.dev/schemas/plugins"


def blueprint_schema_with_plugins(registry: PluginRegistry) -> dict[str, Any]:
    """``strategy_blueprint``'s schema with per-plugin ``params`` (deterministic)."""
    schema = schema_for("strategy_blueprint")
    defs: dict[str, Any] = schema["$defs"]
    names = registry.names()
    rules = [_plugin_rule(name, registry) for name in names]
    defs[_DEFS_KEY] = {
        "description": "params typed by the plugin's config_schema (one if/then per plugin)",
        "allOf": rules,
    }
    for definition in defs.values():
        properties = definition.get("properties", {})
        if "plugin" in properties and "params" in properties:
            properties["plugin"]["examples"] = names
            definition.setdefault("allOf", []).append({"$ref": f"#/$defs/{_DEFS_KEY}"})
    return schema


def _plugin_rule(name: str, registry: PluginRegistry) -> dict[str, Any]:
    """``if plugin == name then params matches the manifest's config_schema``."""
    manifest = registry.plugins[name].manifest
    params = copy.deepcopy(manifest.config_schema)
    params.pop("$schema", None)
    if '"$ref"' in json.dumps(params):  # its own "#/..." refs resolve inside it
        params["$id"] = f"{_PLUGIN_BASE}/{name}.config.schema.json"
    if manifest.identification.description and "description" not in params:
        params["description"] = manifest.identification.description
    return {
        "if": {"properties": {"plugin": {"const": name}}, "required": ["plugin"]},
        "then": {"properties": {"params": params}},
    }


def with_plugins_text(registry: PluginRegistry) -> str:
    """The schema as ``stc schema`` prints it (sorted keys, trailing newline)."""
    return json.dumps(blueprint_schema_with_plugins(registry), indent=2, sort_keys=True) + "\n"
