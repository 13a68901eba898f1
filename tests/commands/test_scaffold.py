"""`stc new plugin`: every scaffold passes its own test, and a blueprint of all eight
compiles, checks clean and runs (it trades on real bars)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.commands.new import EXAMPLE_PARAM, TEMPLATES, render_worker
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
DATA = Path(__file__).parents[2] / "data" / "EURUSD_1h.csv"
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
    assert main(["check", str(blueprint), "--plugins-dir", str(root)]) == 0
    data = tmp_path / "bars.csv"
    data.write_text("".join(DATA.read_text(encoding="utf-8").splitlines(True)[:400]), "utf-8")
    out = tmp_path / "run"
    run = ["run", str(blueprint), "--plugins-dir", str(root), "--data", str(data)]
    assert main([*run, "--out", str(out), "--quiet"]) == 0
    trades = (out / "trades.csv").read_text(encoding="utf-8").splitlines()
    assert len(trades) > 1, "the scaffolded strategy trades on real bars"


def test_templates_read_params_the_manifest_defaults() -> None:
    """Defaults are written once, in the manifest: a template reads ``self.params[x]``."""
    for worker_type in TEMPLATES:
        worker = render_worker("Sc", worker_type)
        assert "params.get(" not in worker
        param = EXAMPLE_PARAM[worker_type][0]
        assert f'self.params["{param}"]' in worker or worker_type == "entry_planner"


def test_bad_arguments_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "plugin", "lower_case", "--type", "entry_planner"]) == 2
    assert main(["new", "plugin", "Fine", "--type", "nonsense", "--dir", str(tmp_path)]) == 2
    assert main(["new", "plugin", "Fine", "--type", "entry_planner", "--dir", str(tmp_path)]) == 0
    assert main(["new", "plugin", "Fine", "--type", "entry_planner", "--dir", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
