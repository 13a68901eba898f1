"""`stc new plugin`: every scaffold passes its own test and compiles in a blueprint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.commands.new import TEMPLATES
from stc.compiler import compile_blueprint

BLUEPRINT = """blueprint_version: 1
name: scaffolded
symbol: EURUSD
timeframes: [1h]
workforce:
  context_workers: [{plugin: ScContext}]
  opportunity_workers: [{plugin: ScOpportunity}]
  threat_workers: [{plugin: ScThreat}]
  strategy_planner: {plugin: ScStrategy}
  planning_workers:
    entry: [{plugin: ScEntry}]
    size: [{plugin: ScSize}]
    exit: [{plugin: ScExit}]
    routing: [{plugin: ScRouting}]
"""
NAMES = {
    "context_worker": "ScContext",
    "opportunity_worker": "ScOpportunity",
    "threat_worker": "ScThreat",
    "strategy_planner": "ScStrategy",
    "entry_planner": "ScEntry",
    "size_planner": "ScSize",
    "exit_planner": "ScExit",
    "routing_planner": "ScRouting",
}


def test_every_type_scaffolds_tests_and_compiles(tmp_path: Path) -> None:
    assert set(NAMES) == set(TEMPLATES)
    root = tmp_path / "my_plugins"
    for worker_type, name in NAMES.items():
        assert main(["new", "plugin", name, "--type", worker_type, "--dir", str(root)]) == 0
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout
    assert "8 passed" in tests.stdout
    blueprint = tmp_path / "bp.yaml"
    blueprint.write_text(BLUEPRINT, encoding="utf-8")
    result = compile_blueprint(blueprint, plugin_dirs=[root])
    assert result.diagnostics == [], result.rendered_diagnostics()


def test_bad_arguments_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "plugin", "lower_case", "--type", "entry_planner"]) == 2
    assert main(["new", "plugin", "Fine", "--type", "nonsense", "--dir", str(tmp_path)]) == 2
    assert main(["new", "plugin", "Fine", "--type", "entry_planner", "--dir", str(tmp_path)]) == 0
    assert main(["new", "plugin", "Fine", "--type", "entry_planner", "--dir", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
