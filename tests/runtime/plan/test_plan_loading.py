"""Plan loading and worker import safety (split from test_plan_and_data.py)."""

from __future__ import annotations

import pytest
from rt_helpers import FIXTURES, PLUGIN_ROOTS, wiring

from stc.runtime.plan import PlanError, load_plan, load_worker_class


def test_load_fixture_plan() -> None:
    plan = load_plan(FIXTURES / "swot.yaml")
    assert plan.mode == "swot" and plan.timeframes == ("1h", "4h")
    assert plan.worker("market_entry").triggers == {"confidence": (0.7, 1.0)}
    assert plan.subscribers("OPPORTUNITY_DETECTED")[0].adapter == "swot_join"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p.pop("workers"), "missing key `workers`"),
        (lambda p: p.update(mode="fancy"), "unknown mode 'fancy' \\(expected 'swot', 'direct' or"),
        (lambda p: p["workers"][0].update(type="wizard"), "unknown worker type"),
        (lambda p: p["workers"][0]["source"].update(origin="web"), "unknown origin"),
        (lambda p: p["workers"][6].update(triggers={"confidence": [0.9, 0.1]}), "exceeds hi"),
        (lambda p: p.update(aggregation={"method": "median"}), "unknown method"),
        (lambda p: p["workers"].append(dict(p["workers"][0])), "duplicate worker ids"),
    ],
)
def test_bad_maps_give_plan_errors(edit, message) -> None:  # type: ignore[no-untyped-def]
    plan = wiring("swot")
    edit(plan)
    with pytest.raises(PlanError, match=message):
        load_plan(plan)


def test_root_import_cannot_escape_the_plugin_root() -> None:
    plan = wiring("swot")
    plan["workers"][0]["source"]["folder"] = "../../runtime"
    spec = load_plan(plan).workers[0]
    with pytest.raises(PlanError, match="escapes"):
        load_worker_class(spec, PLUGIN_ROOTS)
    plan["workers"][0]["source"].update(folder="sma_context", module="os.path")
    with pytest.raises(PlanError, match="not found"):
        load_worker_class(load_plan(plan).workers[0], PLUGIN_ROOTS)


def test_class_must_extend_its_base() -> None:
    plan = wiring("swot")
    plan["workers"][0]["type"] = "opportunity_worker"
    with pytest.raises(PlanError, match="not a OpportunityWorker subclass"):
        load_worker_class(load_plan(plan).workers[0], PLUGIN_ROOTS)
