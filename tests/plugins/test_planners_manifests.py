"""Every planner manifest validates, documents and bounds its params, and matches its class."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from stc.compiler.model.manifest import PluginManifest
from stc.runtime.workers import BASE_CLASSES, Worker

PLUGINS = Path(__file__).resolve().parents[2] / "stc" / "plugins"
PLANNER_TYPES = (
    "strategy_planner",
    "entry_planner",
    "size_planner",
    "exit_planner",
    "routing_planner",
)
EXPECTED = {
    "strategy_planner": {"adaptive_momentum_planner", "dca_planner", "trailing_stop_planner"},
    "entry_planner": {
        "aggressive_market_entry_planner",
        "patient_limit_entry_planner",
        "layered_entry_planner",
    },
    "size_planner": {"fixed_risk_sizer", "kelly_criterion_sizer", "aggressive_sizer"},
    "exit_planner": {"fixed_rr_exit_planner", "structure_based_exit", "aggressive_exit_planner"},
    "routing_planner": {"market_order_router", "twap_router", "iceberg_router"},
}
HANDLERS = {
    "entry_planner": ("on_strategy_directive",),
    "size_planner": ("on_strategy_directive",),
    "exit_planner": ("on_strategy_directive",),
    "routing_planner": ("on_routing_request",),
    "strategy_planner": ("on_swot", "on_schedule", "on_position_update"),
}
FOLDERS = sorted(
    PLUGINS / worker_type / name for worker_type, names in EXPECTED.items() for name in names
)


def _manifest(folder: Path) -> PluginManifest:
    text = (folder / "plugin_manifest.yaml").read_text(encoding="utf-8")
    return PluginManifest.model_validate(yaml.safe_load(text))


def _worker_class(folder: Path, manifest: PluginManifest) -> type[Worker]:
    module_name, class_name = manifest.entrypoint.split(":")
    package = f"stc.plugins.{folder.parent.name}.{folder.name}"
    module = importlib.import_module(f"{package}.{module_name}")
    cls = getattr(module, class_name)
    assert isinstance(cls, type) and issubclass(cls, Worker)
    return cls


def _defaults(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: spec["default"] for key, spec in schema.get("properties", {}).items()}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_manifest_validates_and_schema_is_strict(folder: Path) -> None:
    manifest = _manifest(folder)
    schema = manifest.config_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    for key, spec in schema["properties"].items():
        assert "default" in spec and spec.get("description"), key
        if spec["type"] in ("number", "integer") or "number" in spec["type"]:
            assert "minimum" in spec or "exclusiveMinimum" in spec, key
            assert "maximum" in spec or "exclusiveMaximum" in spec, key
    jsonschema.Draft202012Validator(schema).validate(_defaults(schema))
    assert manifest.identification.type == folder.parent.name


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_entrypoint_class_and_handler_annotation(folder: Path) -> None:
    manifest = _manifest(folder)
    worker_type = manifest.identification.type
    cls = _worker_class(folder, manifest)
    assert issubclass(cls, BASE_CLASSES[worker_type])
    assert cls.__name__ == manifest.identification.name
    handlers = [h for h in HANDLERS[worker_type] if callable(getattr(cls, h, None))]
    assert len(handlers) == 1, handlers
    annotation = str(inspect.signature(getattr(cls, handlers[0])).return_annotation)
    provided = manifest.dependencies.provides_dtos
    assert len(provided) == 1
    if "DispositionEnvelope" in annotation:
        assert [p.payload for p in manifest.dependencies.publishes] == provided
    else:
        assert provided[0] in annotation


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_defaults_live_in_the_manifest_only(folder: Path) -> None:
    """The compiler hands every param over with the manifest's default applied, so the
    worker keeps no second copy: built without one defaulted param, setup fails."""
    manifest = _manifest(folder)
    cls = _worker_class(folder, manifest)
    defaults = _defaults(manifest.config_schema)
    cls(defaults)  # complete params: builds
    for name in defaults:
        with pytest.raises(KeyError, match=name):
            cls({k: v for k, v in defaults.items() if k != name})


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_ledger_capability_declared_iff_used(folder: Path) -> None:
    manifest = _manifest(folder)
    cls = _worker_class(folder, manifest)
    own_code = [c for c in cls.__mro__ if c.__module__.startswith("stc.plugins.")]  # + shared bases
    uses_ledger = any("self.ledger" in inspect.getsource(c) for c in own_code)
    assert (manifest.capabilities.ledger == "read") == uses_ledger


def test_all_planner_folders_are_covered() -> None:
    for worker_type in PLANNER_TYPES:
        found = {p.parent.name for p in (PLUGINS / worker_type).glob("*/plugin_manifest.yaml")}
        assert EXPECTED[worker_type] <= found
