"""Every reference plugin's manifest: valid, fully documented params, and consistent
with its code (entrypoint, handler return annotation, defaults, warm-up)."""

from __future__ import annotations

import ast
import importlib
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from plugin_harness import bind, configured, load_bars, new_context, ticks

from stc.compiler.model.manifest import PluginManifest
from stc.runtime.workers import BASE_CLASSES, ContextWorker, Worker

PLUGINS = Path(__file__).parents[2] / "stc" / "plugins"
MINE = {
    "context_worker": [
        "market_structure_detector",
        "ema_detector",
        "adx_regime_classifier",
        "atr_volatility",
    ],
    "opportunity_worker": [
        "fvg_entry_detector",
        "volume_spike_refiner",
        "divergence_scanner",
        "ema_cross_detector",
    ],
    "threat_worker": [
        "max_drawdown_monitor",
        "correlation_breach_detector",
        "liquidity_crisis_detector",
    ],
}
FOLDERS = [PLUGINS / kind / name for kind, names in MINE.items() for name in names]
HANDLERS = {
    "context_worker": "on_tick",
    "opportunity_worker": "on_context_assessment",
}


def _manifest(folder: Path) -> PluginManifest:
    text = (folder / "plugin_manifest.yaml").read_text()
    return PluginManifest.model_validate(yaml.safe_load(text))


def _worker_class(folder: Path, manifest: PluginManifest) -> type[Worker]:
    module_name, class_name = manifest.entrypoint.split(":")
    package = ".".join(folder.relative_to(PLUGINS.parents[1]).parts)
    cls = getattr(importlib.import_module(f"{package}.{module_name}"), class_name)
    assert isinstance(cls, type) and issubclass(cls, Worker)
    return cls


def _handler(cls: type[Worker], manifest: PluginManifest) -> str:
    if manifest.identification.type == "threat_worker":
        return "on_ledger_update" if hasattr(cls, "on_ledger_update") else "on_tick"
    return HANDLERS[manifest.identification.type]


def _defaults(manifest: PluginManifest) -> dict[str, Any]:
    props = manifest.config_schema.get("properties", {})
    return {name: spec["default"] for name, spec in props.items()}


def warmup_bars(expr: int | str, params: dict[str, Any]) -> int:
    """Evaluate a warm-up expression (params.X, ints, + - * //, max/min/sum)."""
    if isinstance(expr, int):
        return expr

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert node.value.id == "params"
            return params[node.attr]
        if isinstance(node, ast.BinOp):
            ops = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__}
            ops[ast.FloorDiv] = int.__floordiv__
            return ops[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            funcs = {"max": max, "min": min, "sum": sum}
            args = [ev(arg) for arg in node.args]
            return funcs[node.func.id](*args)
        raise AssertionError(f"unsupported warm-up node {ast.dump(node)}")

    return int(ev(ast.parse(expr, mode="eval")))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_manifest_is_valid_and_documented(folder: Path) -> None:
    manifest = _manifest(folder)
    assert manifest.identification.type == folder.parent.name
    schema = manifest.config_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    for name, spec in schema["properties"].items():
        assert spec.get("description"), name
        assert "default" in spec, name
        if spec["type"] in ("integer", "number"):
            assert "minimum" in spec or "exclusiveMinimum" in spec, name
            assert "maximum" in spec, name
        if spec["type"] == "array":
            assert {"minimum", "maximum"} <= set(spec["items"]), name
    jsonschema.Draft202012Validator(schema).validate(_defaults(manifest))
    warmup_bars(manifest.warmup.bars, _defaults(manifest))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_manifest_matches_code(folder: Path) -> None:
    manifest = _manifest(folder)
    cls = _worker_class(folder, manifest)
    assert issubclass(cls, BASE_CLASSES[manifest.identification.type])
    assert cls.__name__ == manifest.identification.name
    handler = getattr(cls, _handler(cls, manifest))
    returned = typing.get_type_hints(handler)["return"]
    names = {arg.__name__ for arg in typing.get_args(returned) if arg is not type(None)}
    assert names == set(manifest.dependencies.provides_dtos)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_defaults_live_in_the_manifest_only(folder: Path) -> None:
    """The compiler hands every param over with the manifest's default applied, so the
    worker keeps no second copy: built without one defaulted param, setup fails."""
    manifest = _manifest(folder)
    cls = _worker_class(folder, manifest)
    defaults = _defaults(manifest)
    cls(defaults)  # complete params: builds
    for name in defaults:
        with pytest.raises(KeyError, match=name):
            cls({k: v for k, v in defaults.items() if k != name})


@pytest.mark.parametrize("folder", FOLDERS[:4], ids=lambda f: f.name)
def test_context_output_valid_exactly_at_warmup(folder: Path) -> None:
    manifest = _manifest(folder)
    cls = _worker_class(folder, manifest)
    needed = warmup_bars(manifest.warmup.bars, _defaults(manifest))
    context = new_context()
    worker = bind(configured(cls), context)
    assert isinstance(worker, ContextWorker)
    factors = {f.name for f in manifest.dependencies.provides_factors}
    ready = []
    for _ in ticks(load_bars(needed + 5), context):
        dto = worker.on_tick(context)
        ready.append(dto is not None and factors <= set(context.factors))
    assert ready[needed - 1] and not any(ready[: needed - 1])
