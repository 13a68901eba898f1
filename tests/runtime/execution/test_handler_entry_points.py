"""Each environment's reference execution handler is registered as an entry point
(``stc.execution_handlers``), not named by a module path inside the runtime."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from pathlib import Path

import yaml

from stc.runtime.api import ENVIRONMENTS, HANDLER_ENTRY_POINTS
from stc.runtime.workers import ExecutionHandler

RUNTIME = Path(__file__).parents[3] / "stc" / "runtime"


def test_every_environment_has_a_registered_handler_of_its_subtype() -> None:
    named = {point.name: point.value for point in entry_points(group=HANDLER_ENTRY_POINTS)}
    assert set(named) == set(ENVIRONMENTS)
    for environment, value in named.items():
        module_name, _, class_name = value.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        assert issubclass(cls, ExecutionHandler)
        manifest = Path(importlib.import_module(module_name).__file__ or "").with_name(
            "plugin_manifest.yaml"
        )
        identification = yaml.safe_load(manifest.read_text(encoding="utf-8"))["identification"]
        assert (identification["type"], identification["subtype"]) == (
            "execution_handler",
            environment,
        )


def test_the_runtime_names_no_plugin_module() -> None:
    for path in RUNTIME.rglob("*.py"):
        assert "stc.plugins.execution_handler" not in path.read_text(encoding="utf-8"), path
