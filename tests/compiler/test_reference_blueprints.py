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
    """The emitted text loads back through the runtime's plan format into the same
    data (the emitter builds that model; this checks the YAML writer round-trips it)."""
    from stc.runtime.plan import load_plan

    text = compile_blueprint(path).wiring_map
    reparsed = load_plan(yaml.safe_load(text))
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


def test_ict_smc_wiring_has_the_seed_shape(in_repo: Path) -> None:
    """The seed's phases, as the plan states them (event wirings, in order) and as the
    graph's nodes carry them for the diagram (the plan has no `schedule`)."""
    result = compile_blueprint("blueprints/ict_smc.yaml")
    plan = yaml.safe_load(result.wiring_map)
    assert "schedule" not in plan
    wired = {w["event"]: [s["worker"] for s in w["subscribers"]] for w in plan["event_wirings"]}
    assert wired["TICK_RECEIVED"] == ["market_structure_detector", "ema_detector", "regime"]
    swot = {
        w["event"]: [
            s["adapter"] for s in w["subscribers"] if s["worker"] == "adaptive_momentum_planner"
        ]
        for w in plan["event_wirings"]
    }
    for event in ("CONTEXT_ASSESSMENT_READY", "OPPORTUNITY_DETECTED", "THREAT_DETECTED"):
        assert swot[event] == ["swot_join"], event
    assert wired["STRATEGY_DIRECTIVE_ISSUED"] == [
        "aggressive_market_entry_planner", "patient_limit_entry_planner",
        "fixed_risk_sizer", "structure_based_exit",
    ]  # fmt: skip
    for event in ("ENTRY_PLAN_CREATED", "SIZE_PLAN_CREATED", "EXIT_PLAN_CREATED"):
        assert wired[event] == ["planning_aggregator"], event
    assert wired["ROUTING_PLANNING_REQUESTED"] == ["twap_router"]
    assert wired["LEDGER_UPDATE"] == ["max_drawdown_monitor"]
    phases = {n: a.get("phase") for n, a in result.graph.nodes(data=True)}
    assert [phases[w] for w in wired["TICK_RECEIVED"]] == ["1a", "1a", "1a"]
    assert phases["adaptive_momentum_planner"] == "3"
    assert phases["twap_router"] == "4a-routing"


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
