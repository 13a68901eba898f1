"""The engine's parts (issue 24 item 2): the dispatch table is a pure function of the
plan, journal parents come from a table keyed by DTO type, and a fault is blamed on the
worker whose call raised it (the id travels with the call, innermost call first)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from rt_helpers import EURUSD, PLUGIN_ROOTS, wiring

from stc.runtime.blame import blame, blamed_worker
from stc.runtime.bootstrap import targets
from stc.runtime.bus import DEFAULT_EVENT
from stc.runtime.data import load_bars
from stc.runtime.dispatch import DispatchTable, Route, build_dispatch_table
from stc.runtime.dtos.plans import RoutingRequest
from stc.runtime.dtos.signals import AggregatedContextAssessment
from stc.runtime.engine import Engine
from stc.runtime.errors import PluginContractError
from stc.runtime.flow_recorder import PARENTS
from stc.runtime.plan import load_plan


def _engine() -> Engine:
    bars = load_bars(EURUSD)[:50]
    return Engine(load_plan(wiring("swot")), bars, plugin_roots=PLUGIN_ROOTS)


def _shape(table: DispatchTable) -> dict[str, Any]:
    """The table's routes without the matcher objects (they have no equality)."""

    def routes(found: tuple[Route, ...]) -> list[tuple[Any, ...]]:
        return [(r.call, r.worker, r.kind, r.adapter, r.matcher is None) for r in found]

    return {
        event: (routes(r.plain), routes(r.planning), r.join) for event, r in table.routes.items()
    }


def test_the_dispatch_table_is_a_pure_frozen_function_of_the_plan() -> None:
    engine = _engine()
    platform = {
        "context_aggregator": engine.context_aggregator,
        "planning_aggregator": engine.planning,
        "flow_terminator": engine.terminator,
    }
    bound = targets(engine.plan, engine.workers, platform)
    again = build_dispatch_table(engine.plan, bound, engine.tick_tf)
    assert _shape(again) == _shape(engine.table)
    assert again.signal_workers == engine.table.signal_workers
    assert [c[:2] for c in again.context_chain] == [c[:2] for c in engine.table.context_chain]
    with pytest.raises(dataclasses.FrozenInstanceError):
        engine.table.join = None  # type: ignore[misc]
    # every subscription of the wiring map is in the table, in wiring order
    for spec in engine.plan.events:
        routes = engine.table.routes[spec.event]
        resolved = [r.worker for r in (*routes.planning, *routes.plain)]
        expected = [s.worker for s in spec.subscribers if s.adapter != "swot_join"]
        assert sorted(resolved) == sorted(expected)
        assert [r.worker for r in routes.plain] == [w for w in expected if w in
                                                    {r.worker for r in routes.plain}]  # fmt: skip


def test_every_journaled_dto_type_has_its_parents_in_the_table() -> None:
    published = set(DEFAULT_EVENT) - {RoutingRequest}  # a request is not journaled
    assert set(PARENTS) == published | {AggregatedContextAssessment}


def test_blame_keeps_the_innermost_call_and_is_read_once() -> None:
    exc = RuntimeError("boom")
    blame(exc, "inner")  # the nested call's handler runs first
    blame(exc, "outer")
    assert blamed_worker(exc) == "inner"
    assert blamed_worker(exc) == "platform"  # cleared: a re-raised object starts untagged
    assert blamed_worker(ValueError(), "handler") == "handler"


def test_a_contract_error_names_its_worker_whatever_the_tag() -> None:
    exc = PluginContractError("sizer", "plan", "returned a str")
    blame(exc, "opportunity")
    assert blamed_worker(exc) == "sizer"
