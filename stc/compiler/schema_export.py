"""JSON Schemas (draft 2020-12) generated from the pydantic format models.

The models are the single source of truth; ``schemas/*.schema.json`` are generated
from them (``make schemas``) and a test fails when the committed files drift.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel

from stc.compiler.model.aggregation import AggregationPolicyFile
from stc.compiler.model.blueprint import StrategyBlueprint
from stc.compiler.model.manifest import PluginManifest
from stc.compiler.model.operation import Operation
from stc.compiler.model.platform import Platform
from stc.compiler.model.sweep import SweepFile
from stc.compiler.resources import schemas_dir
from stc.runtime.plan.model import Plan

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "strategy_blueprint": StrategyBlueprint,
    "plugin_manifest": PluginManifest,
    "operation": Operation,
    "platform": Platform,
    "aggregation_policy": AggregationPolicyFile,
    "wiring_map": Plan,
    "sweep": SweepFile,
}
"""Format name (as ``stc schema NAME`` takes it) → its model."""

_BASE_URL = "https://s1mpletrader.dev/schemas"


def schema_for(name: str) -> dict[str, Any]:
    """The JSON Schema of one format, with ``$schema``/``$id`` set."""
    model = SCHEMA_MODELS[name]
    if name == "wiring_map":
        body = model.model_json_schema(by_alias=True, mode="serialization")
    else:
        body = model.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{_BASE_URL}/{name}.schema.json",
        **body,
    }


def schema_text(name: str) -> str:
    """The schema as the committed file holds it (sorted keys, trailing newline)."""
    return json.dumps(schema_for(name), indent=2, sort_keys=True) + "\n"


def write_all() -> list[str]:
    """Regenerate every committed schema file; return the names written."""
    target = schemas_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in SCHEMA_MODELS:
        (target / f"{name}.schema.json").write_text(schema_text(name), encoding="utf-8")
    return sorted(SCHEMA_MODELS)


if __name__ == "__main__":
    names = write_all()
    sys.stdout.write("wrote " + ", ".join(f"schemas/{n}.schema.json" for n in names) + "\n")
