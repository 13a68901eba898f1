"""``stc schema strategy_blueprint --with-plugins``: ``params`` typed per plugin by
``if``/``then`` on ``plugin:``, so an editor completes and checks them. Checked
against the compiler's own ``params`` check (STC006) on every reference blueprint and
fixture, and with ``check-jsonschema`` as an independent validator."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from stc.commands.cli import main
from stc.compiler.pipeline import Session, compile_path
from stc.compiler.sources import load_yaml_file
from tests.compiler.test_schema_contracts import ACCEPTED
from tests.conftest import REPO

STC011_ROOT = REPO / "tests" / "fixtures" / "plugin_roots" / "stc011"
CHECK_JSONSCHEMA = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))


def _schema(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main(["schema", "strategy_blueprint", "--with-plugins", *extra]) == 0
    schema: dict[str, Any] = json.loads(capsys.readouterr().out)
    return schema


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from stc.compiler.registry import default_roots, discover
    from stc.compiler.schema_plugins import blueprint_schema_with_plugins

    return blueprint_schema_with_plugins(discover(default_roots([])))


def test_every_worker_entry_gets_the_per_plugin_rules(
    schema: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _schema(capsys) == json.loads(json.dumps(schema))  # the command prints it
    rules = schema["$defs"]["PluginParams"]["allOf"]
    names = [rule["if"]["properties"]["plugin"]["const"] for rule in rules]
    assert names == sorted(names) and "EMACrossDetector" in names
    ema = rules[names.index("EMACrossDetector")]["then"]["properties"]["params"]
    assert ema["properties"]["fast"]["type"] == "integer"
    for name in ("WorkerRef", "PlannerRef", "StrategyPlannerRef", "ThreatRef"):
        definition = schema["$defs"][name]
        assert {"$ref": "#/$defs/PluginParams"} in definition["allOf"]
        assert "EMACrossDetector" in definition["properties"]["plugin"]["examples"]


@pytest.mark.parametrize(
    "path", ACCEPTED["strategy_blueprint"], ids=lambda p: p.relative_to(REPO).as_posix()
)
def test_the_schema_refuses_params_exactly_when_the_compiler_does(
    schema: dict[str, Any], path: Path
) -> None:
    """STC006 (params against the config_schema) and the schema agree on every
    blueprint the loader accepts — reference blueprints and every fixture."""
    outcome = compile_path(path, str(path), Session(emit=False))
    stc006 = any(d.code == "STC006" for o in outcome for d in o.diagnostics)
    data = load_yaml_file(path, str(path)).data
    errors = list(Draft202012Validator(schema).iter_errors(data))
    assert bool(errors) == stc006, [e.message for e in errors]


def test_a_wrong_param_type_is_refused_where_it_is(schema: dict[str, Any]) -> None:
    path = REPO / "blueprints" / "ema_trend.yaml"
    data = load_yaml_file(path, str(path)).data
    data["workforce"]["opportunity_workers"][0]["params"]["fast"] = "20"
    [error] = list(Draft202012Validator(schema).iter_errors(data))
    assert error.json_path == "$.workforce.opportunity_workers[0].params.fast"
    assert error.message == "'20' is not of type 'integer'"


def test_plugins_dir_adds_the_projects_plugins(capsys: pytest.CaptureFixture[str]) -> None:
    with_root = _schema(capsys, "--plugins-dir", str(STC011_ROOT))
    names = [
        r["if"]["properties"]["plugin"]["const"]
        for r in with_root["$defs"]["PluginParams"]["allOf"]
    ]
    assert "TrendFilter" in names
    without = _schema(capsys)["$defs"]["PluginParams"]["allOf"]
    assert "TrendFilter" not in [r["if"]["properties"]["plugin"]["const"] for r in without]


def test_with_plugins_is_for_blueprints_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "operation", "--with-plugins"]) == 2
    assert "strategy_blueprint` only" in capsys.readouterr().err


@pytest.mark.skipif(CHECK_JSONSCHEMA is None, reason="check-jsonschema not installed (dev extra)")
def test_check_jsonschema_agrees(
    schema: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert CHECK_JSONSCHEMA is not None
    target = tmp_path / "bp.schema.json"
    target.write_text(json.dumps(schema), encoding="utf-8")
    references = sorted(
        str(p) for p in (REPO / "blueprints").glob("*.yaml") if "operation" not in p.name
    )
    bad = tmp_path / "bad.yaml"
    text = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("fast: 20", 'fast: "20"'), encoding="utf-8")
    run = [CHECK_JSONSCHEMA, "--no-cache", "--schemafile", str(target)]
    good = subprocess.run(
        [*run, *references], capture_output=True, text=True, timeout=120, check=False
    )
    assert good.returncode == 0, good.stdout + good.stderr
    wrong = subprocess.run(
        [*run, str(bad)], capture_output=True, text=True, timeout=120, check=False
    )
    assert wrong.returncode == 1 and "params.fast: '20' is not of type 'integer'" in wrong.stdout
