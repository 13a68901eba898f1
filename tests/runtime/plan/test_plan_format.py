"""The plan format is defined once (issue 24): the runtime's models in
``stc/runtime/plan/model.py``. The compiler builds them, the schema and the emitted YAML
derive from them, ``load_plan`` validates through them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from rt_helpers import FIXTURES, REPO, wiring

from stc.compiler.api import compile_blueprint
from stc.compiler.schema_export import schema_for
from stc.runtime.plan import Plan, PlanError, load_plan
from stc.runtime.plan.model import Capabilities, ExecutionSettings, WorkerType
from stc.runtime.workers import BASE_CLASSES


def test_the_worker_types_of_the_format_are_the_sdks_base_classes() -> None:
    assert set(WorkerType.__args__) == set(BASE_CLASSES)


def test_defaults_come_from_the_model() -> None:
    """A map that leaves out `execution` and `aggregation` gets the model's defaults,
    the same values a platform.yaml without them compiles to."""
    raw = wiring("swot")
    raw.pop("execution")
    raw.pop("aggregation")
    plan = load_plan(raw)
    assert plan.execution == ExecutionSettings()
    assert (
        plan.execution.twap_duration_bars
        == ExecutionSettings.model_fields["twap_duration_bars"].default
    )
    assert plan.aggregation.consensus_threshold == 0.5


def test_the_schema_is_the_models_and_the_committed_file_matches() -> None:
    committed = json.loads((REPO / "schemas" / "wiring_map.schema.json").read_text("utf-8"))
    assert committed == json.loads(json.dumps(schema_for("wiring_map")))
    assert committed["title"] == Plan.__name__
    assert "schedule" not in committed["properties"]
    assert committed["properties"]["event_wirings"]["items"]["$ref"] == "#/$defs/EventSpec"


@pytest.mark.parametrize("blueprint", ["ema_trend.yaml", "dca_weekly.operation.yaml"])
def test_the_emitted_map_is_the_dump_of_the_plan_it_loads_into(blueprint: str) -> None:
    """Field order and values of the YAML are the model's: loading the text and dumping
    the plan again gives the same data, key order included."""
    text = compile_blueprint(REPO / "blueprints" / blueprint).wiring_map
    data = yaml.safe_load(text)
    dumped = load_plan(data).model_dump(mode="json", by_alias=True)
    assert list(dumped) == list(data)
    assert json.dumps(dumped) == json.dumps(data)


def test_a_map_with_the_former_schedule_key_still_loads(tmp_path: Path) -> None:
    """Maps compiled before the schedule left the format carry one: it is ignored."""
    raw = wiring("swot")
    raw["schedule"] = [{"phase": "1a", "name": "context", "kind": "sequential"}]
    path = tmp_path / "wiring_map.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    plan = load_plan(path)
    assert plan.model_dump() == load_plan(wiring("swot")).model_dump()
    assert plan.base_dir == tmp_path


def test_errors_name_the_file_and_the_key_path(tmp_path: Path) -> None:
    raw = wiring("swot")
    raw["workers"][2]["source"]["origin"] = "web"
    path = tmp_path / "wiring_map.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(PlanError) as raised:
        load_plan(path)
    assert str(raised.value) == (
        f"{path}: workers[2].source: unknown origin 'web' "
        "(expected 'builtin', 'entry_point' or 'root')"
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p.update(workerz=[]), "wiring map: unknown key `workerz`"),
        (lambda p: p.update(workers={}), "wiring map: workers: expected a list, not a dict"),
        (lambda p: p["workers"].__setitem__(1, "sma"), "workers[1]: expected a mapping, not a str"),
        (lambda p: p.update(timeframes=[]), "wiring map: timeframes: needs at least 1 item, has 0"),
        (lambda p: p.update(format_version=2), "unknown format_version 2 (expected 1)"),
        (lambda p: p["workers"][0].update(warmup="long"), "workers[0].warmup: input should be"),
        (
            lambda p: p["event_wirings"][0]["subscribers"][0].pop("method"),
            "event_wirings[0].subscribers[0]: missing key `method`",
        ),
    ],
)
def test_each_problem_is_one_plain_line(edit, message) -> None:  # type: ignore[no-untyped-def]
    raw = wiring("swot")
    edit(raw)
    with pytest.raises(PlanError) as raised:
        load_plan(raw)
    text = str(raised.value)
    assert message in text and "\n" not in text and "pydantic" not in text, text


def test_a_file_that_is_not_a_map_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wiring_map.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(PlanError, match=re.escape(f"{path}: expected a mapping at the top")):
        load_plan(path)
    path.write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlanError, match="cannot read wiring map"):
        load_plan(path)


def test_capabilities_read_by_name_as_the_engine_does() -> None:
    caps = Capabilities(state=True, ledger="read")
    assert caps.get("state") is True and caps.get("ledger") == "read"
    assert caps.get("journaling") is False
    assert caps.get("model_fields") is None and caps.get("nope", 1) == 1


def test_the_fixture_maps_are_in_the_format() -> None:
    for fixture in sorted(FIXTURES.glob("*.yaml")):
        assert isinstance(load_plan(fixture), Plan), fixture
