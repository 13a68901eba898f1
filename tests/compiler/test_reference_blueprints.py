"""Every reference strategy compiles clean; its wiring map and diagram are snapshots
(taken with the project's own ``snapshot_wiring`` fixture: we eat our own cooking)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from stc.compiler import compile_blueprint
from tests.conftest import REFERENCE_STRATEGIES


class DotExtension(SingleFileSnapshotExtension):
    """DOT sources as ``.dot`` snapshot files."""

    file_extension = "dot"
    _write_mode = WriteMode.TEXT


@pytest.mark.parametrize("path", REFERENCE_STRATEGIES)
def test_reference_strategy_compiles_clean(in_repo: Path, path: str) -> None:
    result = compile_blueprint(path)
    assert result.diagnostics == [], result.rendered_diagnostics()


@pytest.mark.parametrize("path", REFERENCE_STRATEGIES)
def test_wiring_map_snapshot(in_repo: Path, path: str, snapshot_wiring: SnapshotAssertion) -> None:
    assert compile_blueprint(path).wiring_map == snapshot_wiring


@pytest.mark.parametrize("path", REFERENCE_STRATEGIES)
def test_dot_snapshot(in_repo: Path, path: str, snapshot: SnapshotAssertion) -> None:
    assert compile_blueprint(path).dot == snapshot.use_extension(DotExtension)


@pytest.mark.parametrize("path", REFERENCE_STRATEGIES)
def test_emitted_map_validates_against_its_model(in_repo: Path, path: str) -> None:
    """The emitter builds the model without per-worker validation (speed); this is
    where its output is validated instead."""
    from stc.compiler.model.wiring_map import WiringMap

    text = compile_blueprint(path).wiring_map
    reparsed = WiringMap.model_validate(yaml.safe_load(text))
    assert reparsed.model_dump(mode="json", by_alias=True) == yaml.safe_load(text)


def test_modes_are_detected(in_repo: Path) -> None:
    modes = {
        p: yaml.safe_load(compile_blueprint(p).wiring_map)["mode"] for p in REFERENCE_STRATEGIES
    }
    assert modes == {
        "blueprints/ema_trend.yaml": "swot",
        "blueprints/ict_smc.yaml": "swot",
        "blueprints/direct_planning.yaml": "direct",
        "blueprints/managed_trend.yaml": "swot",
        "blueprints/dca_weekly.operation.yaml": "scheduled",
    }


def test_ict_smc_schedule_has_the_seed_shape(in_repo: Path) -> None:
    plan = yaml.safe_load(compile_blueprint("blueprints/ict_smc.yaml").wiring_map)
    phases = {(p["phase"], p["kind"]): p for p in plan["schedule"]}
    assert phases[("1a", "sequential")]["workers"] == [
        "market_structure_detector", "ema_detector", "regime",
    ]  # fmt: skip
    assert phases[("3", "join")]["waits_for"] == [
        "CONTEXT_ASSESSMENT_READY", "OPPORTUNITY_DETECTED", "THREAT_DETECTED",
    ]  # fmt: skip
    assert phases[("4a", "parallel")]["groups"] == {
        "entry": ["aggressive_market_entry_planner", "patient_limit_entry_planner"],
        "size": ["fixed_risk_sizer"],
        "exit": ["structure_based_exit"],
    }
    routing = phases[("4a-routing", "join")]
    assert routing["workers"] == ["twap_router"]
    assert routing["waits_for"] == ["ENTRY_PLAN_CREATED", "SIZE_PLAN_CREATED", "EXIT_PLAN_CREATED"]
    wired = {w["event"]: [s["worker"] for s in w["subscribers"]] for w in plan["event_wirings"]}
    assert wired["ROUTING_PLANNING_REQUESTED"] == ["twap_router"]
    assert wired["LEDGER_UPDATE"] == ["max_drawdown_monitor"]
    assert wired["TICK_RECEIVED"] == ["market_structure_detector", "ema_detector", "regime"]


def test_params_carry_manifest_defaults(in_repo: Path) -> None:
    plan = yaml.safe_load(compile_blueprint("blueprints/ict_smc.yaml").wiring_map)
    regime = next(w for w in plan["workers"] if w["id"] == "regime")
    assert regime["params"] == {"period": 14, "trend_threshold": 25}
    ema = next(w for w in plan["workers"] if w["id"] == "ema_detector")
    assert ema["warmup"] == 200
    assert "mode" in ema["params"]  # a default the blueprint did not write


def test_no_absolute_paths_in_outputs(in_repo: Path) -> None:
    for path in REFERENCE_STRATEGIES:
        result = compile_blueprint(str(in_repo / path))
        assert str(in_repo) not in result.wiring_map
        assert str(in_repo) not in result.dot
