"""Bootstrap (phase 0): from a plan to instantiated, bound workers and an attached
execution handler, before the first bar.

Everything here runs once per run and may be slow; it fails with a PlanError naming
the worker when the plan cannot run (an unknown timeframe, not exactly one execution
handler, a handler that does not implement the execution port). What it may touch:
the plan, the plugin loader, the ledger and id factory it hands to the workers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from stc.runtime.batch_ids import RefusingIds
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.market import LazyContext, OHLCVWindow
from stc.runtime.execution.connector import ExchangeConnector
from stc.runtime.execution.handler import BarHooks, ExecutionPort, ExecutionServices
from stc.runtime.execution.venue import VenueSettings
from stc.runtime.ledger import Ledger
from stc.runtime.ledger_view import ReadOnlyLedger
from stc.runtime.plan import Plan, PlanError, WorkerSpec, load_worker_class
from stc.runtime.workers import Worker

WINDOW_SLACK = 64
"""Bars a window keeps beyond twice its timeframe's longest warm-up."""


def warmup_needs(plan: Plan) -> dict[str, int]:
    """The longest warm-up (closed bars) any worker needs, per timeframe."""
    needs: dict[str, int] = {}
    for spec in plan.workers:
        tf = spec.timeframe or plan.timeframes[0]
        if tf not in plan.timeframes:
            raise PlanError(f"worker {spec.id!r}: timeframe {tf} is not in the plan")
        needs[tf] = max(needs.get(tf, 0), spec.warmup)
    return needs


def make_windows(plan: Plan, needs: Mapping[str, int]) -> dict[str, OHLCVWindow]:
    """One bounded bar window per timeframe of the plan."""
    return {
        tf: OHLCVWindow(tf, max(needs.get(tf, 1), 1) * 2 + WINDOW_SLACK) for tf in plan.timeframes
    }


def instantiate(
    spec: WorkerSpec,
    roots: Sequence[Path],
    classes: Mapping[str, type[Worker]],
    ids: IdFactory,
    context: LazyContext,
    ledger: Ledger,
    note_for: Callable[[str], Callable[[str, Mapping[str, Any]], None]],
) -> Worker:
    """The worker of ``spec``, bound to the capabilities its manifest asked for."""
    cls = classes.get(spec.id) or load_worker_class(spec, roots)
    worker = cls(spec.params)
    caps = spec.capabilities
    if spec.batch is not None and spec.type == "context_worker":
        ids = RefusingIds(spec.id)  # a batched context worker draws no ids
    worker.bind(
        spec.id,
        ids,
        context=context,
        state={} if caps.get("state") else None,
        ledger=ReadOnlyLedger(ledger) if caps.get("ledger") == "read" else None,
        journal=note_for(spec.id) if caps.get("journaling") else None,
    )
    return worker


def attach_handler(
    plan: Plan,
    workers: Mapping[str, Worker],
    ledger: Ledger,
    ids: IdFactory,
    connector: ExchangeConnector | None,
) -> tuple[ExecutionPort, str, BarHooks]:
    """The plan's one execution handler, attached to the ledger and venue: (handler,
    its worker id, the hooks the tick loop calls on it)."""
    handlers = [s for s in plan.workers if s.type == "execution_handler"]
    if len(handlers) != 1:
        raise PlanError(f"the plan needs exactly one execution handler, has {len(handlers)}")
    handler = workers[handlers[0].id]
    if not isinstance(handler, ExecutionPort):
        raise PlanError(
            f"execution handler {handlers[0].id!r} does not implement ExecutionPort "
            "(attach, on_bar, begin_flow, commit, rollback, close_trades, finish)"
        )
    execution = plan.execution
    settings = VenueSettings(
        slippage_pct=execution.slippage_pct,
        fee_pct=execution.fee_pct,
        twap_duration_bars=execution.twap_duration_bars,
    )
    handler.attach(ExecutionServices(ledger, ids, settings, connector))
    resolve = getattr(handler, "bar_hooks", None)
    hooks: BarHooks = (
        resolve()
        if callable(resolve)
        else BarHooks(
            handler.on_bar,
            handler.begin_flow,
            handler.commit,
            getattr(handler, "drain_cancelled", None),
        )
    )
    return handler, handlers[0].id, hooks


def targets(
    plan: Plan, workers: Mapping[str, Worker], platform: Mapping[str, object]
) -> dict[str, tuple[object, str]]:
    """Every id an event subscription may name: (the object, its kind)."""
    found: dict[str, tuple[object, str]] = {
        worker_id: (worker, plan.worker(worker_id).type) for worker_id, worker in workers.items()
    }
    found.update((name, (component, "platform")) for name, component in platform.items())
    return found
