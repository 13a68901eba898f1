"""Fault isolation at run time (issue 8 item 4): a worker whose *result* breaks its
contract — wrong type, NaN/inf/zero/negative numbers, an undeclared event — aborts
only that tick's flow, exactly like a plugin exception.

Each end-to-end case runs the SWOT fixture with one deliberately broken test plugin
(``tests/runtime/test_plugins/wrong_type_*``, ``bad_number_*``,
``undeclared_event_opportunity``) that misbehaves on one tick only: the tick of a
trade decision in the clean run. The broken plugins behave like the fixture's own
workers on every other tick, so the clean run is the reference for everything the
fault must not touch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from rt_helpers import EURUSD, PLUGIN_ROOTS, add_worker, plugin_worker, subscribe, wiring

from stc.runtime.api import RunResult, run
from stc.runtime.contracts import TYPE_EVENTS, Contracts, PluginContractError, number_problem
from stc.runtime.data import load_bars
from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.plans import EntryPlan, ExitPlan, SizePlan
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.plan import load_plan
from stc.runtime.report import write_report

BARS = 400
Plan = dict[str, Any]


def _rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        order = "flow_id" if table == "flows" else "seq"
        return list(db.execute(f"SELECT * FROM {table} ORDER BY {order}"))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first BARS bars of the bundled EURUSD sample (a fast run, ~20 trades)."""
    path = tmp_path_factory.mktemp("data") / "eurusd.csv"
    lines = EURUSD.read_text().splitlines(keepends=True)[: BARS + 1]
    path.write_text("".join(lines))
    return path


@pytest.fixture(scope="module")
def clean(data: Path, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    return run(
        wiring("swot"), data=data, out_dir=tmp_path_factory.mktemp("clean"),
        plugin_roots=PLUGIN_ROOTS,
    )  # fmt: skip


def _decision_tick(result: RunResult, n: int) -> str:
    """The tick (ISO) of the ``n``-th trade decision of ``result``."""
    stamps = sorted({t.execution_directive_id[4:19] for t in result.trades})
    return datetime.strptime(stamps[n], "%Y%m%d_%H%M%S").isoformat() + "+00:00"


# ------------------------------------------------------------------ broken plans
def _extra_context(tick: str) -> Plan:
    plan = wiring("swot")
    worker = plugin_worker("bad", "wrong_type_context", "WrongTypeContext", "context_worker",
                           params={"fail_at": [tick]}, provides=[])  # fmt: skip
    add_worker(plan, worker)
    subscribe(plan, "TICK_RECEIVED", "bad", "on_tick")
    return plan


def _extra_opportunity(folder: str, cls: str, **params: Any) -> Callable[[str], Plan]:
    def build(tick: str) -> Plan:
        plan = wiring("swot")
        add_worker(plan, plugin_worker("bad", folder, cls, "opportunity_worker",
                                       params={"fail_at": [tick], **params}))  # fmt: skip
        subscribe(plan, "CONTEXT_ASSESSMENT_READY", "bad", "on_context_assessment")
        return plan

    return build


def _replace(worker_id: str, folder: str, cls: str, **params: Any) -> Callable[[str], Plan]:
    """The fixture with ``worker_id``'s class swapped for a broken look-alike."""

    def build(tick: str) -> Plan:
        plan = wiring("swot")
        for worker in plan["workers"]:
            if worker["id"] == worker_id:
                worker["source"] = {"origin": "root", "module": "worker", "class": cls,
                                    "folder": folder}  # fmt: skip
                worker["params"] = {**worker["params"], "fail_at": [tick], **params}
        return plan

    return build


@dataclass(frozen=True)
class Case:
    build: Callable[[str], Plan]
    worker: str
    message: str  # the fault's error, after the tick-independent prefix


CASES = {
    "context returns a str": Case(
        _extra_context,
        "bad",
        "worker 'bad' (on_tick) returned a str; expected None or a DispositionEnvelope "
        "(it declares no DTO)",
    ),
    "opportunity returns a dict": Case(
        _extra_opportunity("wrong_type_opportunity", "WrongTypeOpportunity"),
        "bad",
        "worker 'bad' (on_context_assessment) returned a dict; expected OpportunitySignal, "
        "a DispositionEnvelope or None",
    ),
    "opportunity returns a ThreatSignal": Case(
        _extra_opportunity("wrong_type_opportunity", "WrongTypeOpportunity", returns="threat"),
        "bad",
        "worker 'bad' (on_context_assessment) returned a ThreatSignal; expected "
        "OpportunitySignal, a DispositionEnvelope or None",
    ),
    "sizer returns an EntryPlan": Case(
        _replace("fixed_size", "wrong_type_sizer", "WrongTypeSizer"),
        "fixed_size",
        "worker 'fixed_size' (on_strategy_directive) returned an EntryPlan; expected "
        "SizePlan, a DispositionEnvelope or None",
    ),
    "exit with a NaN stop (model_copy)": Case(
        _replace("rr_exit", "bad_number_exit", "BadNumberExit"),
        "rr_exit",
        "worker 'rr_exit' (on_strategy_directive) returned an ExitPlan whose "
        "stop_loss_price=NaN is not a finite number",
    ),
    "sizer with a negative size (model_construct)": Case(
        _replace("fixed_size", "bad_number_sizer", "BadNumberSizer"),
        "fixed_size",
        "worker 'fixed_size' (on_strategy_directive) returned a SizePlan whose "
        "position_size=-1000 must be > 0",
    ),
    "undeclared custom event": Case(
        _extra_opportunity("undeclared_event_opportunity", "UndeclaredEventOpportunity"),
        "bad",
        "worker 'bad' (on_context_assessment) published event 'CUSTOM_ALERT', which it does "
        "not declare (its manifest's `publishes`; declared: OPPORTUNITY_DETECTED)",
    ),
    "undeclared platform event": Case(
        _extra_opportunity(
            "undeclared_event_opportunity",
            "UndeclaredEventOpportunity",
            event="STRATEGY_DIRECTIVE_ISSUED",
        ),
        "bad",
        "worker 'bad' (on_context_assessment) published event 'STRATEGY_DIRECTIVE_ISSUED', "
        "which it does not declare (its manifest's `publishes`; declared: OPPORTUNITY_DETECTED)",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_contract_fault_aborts_only_its_flow(
    name: str, data: Path, clean: RunResult, tmp_path: Path
) -> None:
    case = CASES[name]
    tick = _decision_tick(clean, 2)
    faulty = run(case.build(tick), data=data, out_dir=tmp_path, plugin_roots=PLUGIN_ROOTS)
    journal = faulty.paths["journal"]
    # the fault: worker, tick, contract message, traceback
    assert [(f.worker, f.tick_time, f.error) for f in faulty.faults] == [
        (case.worker, tick, f"PluginContractError: {case.message}")
    ]
    [row] = _rows(journal, "faults")
    flow_id, worker, tick_time, error, trace = row[1:]
    assert (worker, tick_time, error) == (case.worker, tick, faulty.faults[0].error)
    assert trace.startswith("Traceback") and case.message in trace
    # the flow: aborted, and nothing of it reached execution
    flow = next(r for r in _rows(journal, "flows") if r[0] == flow_id)
    assert flow[1:] == (tick, "tick", "aborted", f"PluginContractError in {case.worker}")
    assert not [
        r for r in _rows(journal, "dtos") if r[1] == flow_id and r[3] == "ExecutionDirective"
    ]
    # the ledger: identical up to the fault, no trade decided on the aborted tick
    stamp = tick[:19].replace("-", "").replace(":", "").replace("T", "_")
    assert not [t for t in faulty.trades if t.execution_directive_id[4:19] == stamp]
    before = [
        t for t in clean.trades if t.exit_time is not None and t.exit_time.isoformat() <= tick
    ]
    assert before and list(faulty.trades)[: len(before)] == before
    index = [b.time.isoformat() for b in load_bars(data)].index(tick)
    assert list(faulty.equity_curve)[: index + 1] == list(clean.equity_curve)[: index + 1]
    # the run went on, and counted the fault
    assert any(t.entry_time.isoformat() > tick for t in faulty.trades)
    assert faulty.metrics["faults"] == 1


@pytest.mark.parametrize(
    "name",
    ["context returns a str", "exit with a NaN stop (model_copy)", "undeclared custom event"],
)
def test_fail_fast_raises_the_contract_error(
    name: str, data: Path, clean: RunResult, tmp_path: Path
) -> None:
    case = CASES[name]
    plan = case.build(_decision_tick(clean, 2))
    with pytest.raises(PluginContractError) as raised:
        run(plan, data=data, out_dir=tmp_path, plugin_roots=PLUGIN_ROOTS, fail_fast=True)
    assert str(raised.value) == case.message and raised.value.worker == case.worker


def test_the_report_shows_the_fault_count(data: Path, clean: RunResult, tmp_path: Path) -> None:
    ticks = [_decision_tick(clean, n) for n in (1, 3)]
    plan = _replace("rr_exit", "bad_number_exit", "BadNumberExit")(ticks[0])
    plan["workers"][-3]["params"]["fail_at"] = ticks  # rr_exit: fault on two ticks
    assert plan["workers"][-3]["id"] == "rr_exit"
    result = run(plan, data=data, out_dir=tmp_path, plugin_roots=PLUGIN_ROOTS)
    assert result.metrics["faults"] == 2
    html = write_report(tmp_path).read_text()
    assert '<h2>Faults <span class="count">2</span></h2>' in html
    assert html.count("PluginContractError: worker &#x27;rr_exit&#x27;") == 2


# ------------------------------------------------------------------ unit level
_EXIT = ExitPlan(plan_id="EXT_20240101_000000_00003", stop_loss_price=Decimal("1.1"))
_SIZE = SizePlan(plan_id="SIZ_20240101_000000_00002", position_size=Decimal(1),
                 position_value=Decimal(1), risk_amount=Decimal(0))  # fmt: skip


def _frozen_set(dto: Any, field: str, value: Any) -> Any:
    object.__setattr__(dto, field, value)
    return dto


@pytest.mark.parametrize(
    ("dto", "problem"),
    [
        (_EXIT.model_copy(update={"stop_loss_price": Decimal("NaN")}),
         "stop_loss_price=NaN is not a finite number"),
        (_EXIT.model_copy(update={"take_profit_price": Decimal("Infinity")}),
         "take_profit_price=Infinity is not a finite number"),
        (_EXIT.model_copy(update={"stop_loss_price": Decimal(0)}), "stop_loss_price=0 must be > 0"),
        (_frozen_set(_EXIT.model_copy(), "stop_loss_price", Decimal(-1)),
         "stop_loss_price=-1 must be > 0"),
        (_frozen_set(_EXIT.model_copy(), "stop_loss_price", float("nan")),
         "stop_loss_price=nan is not a finite number"),
        (_EXIT.model_copy(update={"stop_loss_price": "1.1"}),
         "stop_loss_price=1.1 is a str, not a number"),
        (_SIZE.model_copy(update={"position_size": Decimal("sNaN")}),
         "position_size=sNaN is not a finite number"),
        (_SIZE.model_copy(update={"risk_amount": Decimal(-5)}), "risk_amount=-5 must be >= 0"),
        (_SIZE.model_copy(update={"leverage": Decimal("0.5")}), "leverage=0.5 must be >= 1"),
        (EntryPlan.model_construct(plan_id="ENT_20240101_000000_00001", symbol="X",
                                   direction="BUY", order_type="LIMIT", limit_price=Decimal(1),
                                   layers=(Decimal(1), Decimal(0))),
         "layers=0 must be > 0"),
        (OpportunitySignal.model_construct(confidence=Decimal("1.5")),
         "confidence=1.5 must be <= 1"),
        (_EXIT, None),
        (_SIZE, None),
    ],
)  # fmt: skip
def test_number_checks_catch_what_skipped_validation(dto: Any, problem: str | None) -> None:
    assert number_problem(dto) == problem


def test_directive_numbers_are_checked_but_not_its_hints() -> None:
    """A directive's confidence and reference price drive matching and planning; its
    sub-directive hints only feed planners, whose plans are checked themselves."""
    stamp = datetime(2024, 1, 1, tzinfo=UTC)
    directive = StrategyDirective(
        directive_id="STR_20240101_000000_00001", timestamp=stamp,
        causality=CausalityChain(tick_time=stamp), confidence=Decimal("0.8"),
        reference_price=Decimal("1.1"), entry_directive=EntryDirective(symbol="X", direction="BUY"),
    )  # fmt: skip
    assert number_problem(directive) is None
    for field, value, problem in [
        ("confidence", Decimal("NaN"), "confidence=NaN is not a finite number"),
        ("reference_price", Decimal("-Infinity"), "reference_price=-Infinity is not a finite"),
    ]:
        bad = directive.model_copy(update={field: value})
        assert (number_problem(bad) or "").startswith(problem)
    hint = directive.size_directive.model_copy(update={"account_risk_pct": Decimal("NaN")})
    assert number_problem(directive.model_copy(update={"size_directive": hint})) is None


def test_exit_plan_update_with_a_nan_stop_is_refused() -> None:
    """The EXIT_PLAN_UPDATED path, which goes straight to the handler."""
    contracts = Contracts(load_plan(wiring("swot")))
    update = _EXIT.model_copy(
        update={"trade_id": "TRD_20240101_000000_00009", "stop_loss_price": Decimal("NaN")}
    )
    with pytest.raises(PluginContractError, match="stop_loss_price=NaN is not a finite"):
        contracts.check_publish("trail", "on_position_update", "EXIT_PLAN_UPDATED", update, False)
    valid = _EXIT.model_copy(update={"trade_id": "TRD_20240101_000000_00009"})
    contracts.check_publish("trail", "on_position_update", "EXIT_PLAN_UPDATED", valid, False)


def test_context_workers_without_provides_refuse_plain_values() -> None:
    contracts = Contracts(load_plan(wiring("swot")))  # sma/htf: no `provides` in the map
    contracts.check_context("sma", "on_tick", object())  # a plugin DTO of any class
    for bad in ("up", 1.5, {"a": 1}, [1], _EXIT):
        with pytest.raises(PluginContractError, match="expected a context DTO"):
            contracts.check_context("sma", "on_tick", bad)


def test_envelope_payload_must_be_the_events_type() -> None:
    contracts = Contracts(load_plan(wiring("swot")))
    with pytest.raises(PluginContractError) as raised:
        contracts.check_publish("cross", "on_context_assessment", "OPPORTUNITY_DETECTED",
                                {"x": 1}, True)  # fmt: skip
    assert str(raised.value) == (
        "worker 'cross' (on_context_assessment) published OPPORTUNITY_DETECTED with a dict; "
        "the event carries an OpportunitySignal"
    )


def test_type_events_come_from_the_one_base_wiring_file() -> None:
    """The runtime's default events per worker type and the compiler's expansion read
    the same packaged file (stc/runtime/base_wiring.yaml): no copy to drift."""
    from stc.compiler import wiring
    from stc.runtime import base_wiring

    assert wiring.base_wiring is base_wiring.base_wiring
    text = base_wiring.BASE_WIRING_FILE.read_text(encoding="utf-8")
    table = yaml.safe_load(text)
    assert {t: tuple(table[t]["publishes"]) for t in TYPE_EVENTS} == TYPE_EVENTS
    assert TYPE_EVENTS["opportunity_worker"] == ("OPPORTUNITY_DETECTED",)
    assert TYPE_EVENTS["execution_handler"] == ("_flow_stop",)
