"""The dispatch table: who is called on which event, resolved once from the plan.

:func:`build_dispatch_table` is a pure function of the plan and the bound targets
(the instantiated workers and platform components): it resolves every subscription of
the wiring map to a bound method, splits each event's subscribers by how the engine
delivers to them, and precomputes the per-tick call lists (the context chain, the
opportunity and tick-threat workers), so the tick loop does attribute reads and calls
only. The table is frozen; two per-worker memos ride along in it (the set of result
types a context worker was already found to honour, and a higher-timeframe context
worker's :class:`Frame` holding its last output), which only the loop's calls update.

Every entry carries its worker id next to its callable: that id is what a fault is
blamed on (:mod:`stc.runtime.blame`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stc.runtime.data import timeframe_seconds
from stc.runtime.frames import Frame
from stc.runtime.plan import Plan, PlanError
from stc.runtime.platform.planner_matcher import SUB_DIRECTIVE, PlannerMatcher

ContextCall = tuple[Callable[[Any], Any], str, set[type], Frame | None]
"""A context worker on ``TICK_RECEIVED``: (call, worker id, result types found to honour
its contract, its Frame when it runs on a higher timeframe)."""
SignalCall = tuple[Callable[[Any], Any], str, str | None, str]
"""An opportunity or tick-threat worker: (call, worker id, its higher timeframe or None
for every tick, the event a bare signal it returns is published as)."""


@dataclass(frozen=True)
class Route:
    """One subscription, resolved at bootstrap."""

    call: Callable[[Any], Any]
    worker: str
    kind: str
    matcher: PlannerMatcher | None = None
    adapter: str | None = None


@dataclass(frozen=True)
class EventRoutes:
    """An event's subscribers, split by how the engine delivers to them."""

    plain: tuple[Route, ...] = ()
    planning: tuple[Route, ...] = ()
    join: bool = False


NO_ROUTES = EventRoutes()


@dataclass(frozen=True)
class DispatchTable:
    """Every route of a plan, in the shapes the tick loop reads."""

    routes: Mapping[str, EventRoutes]
    context_chain: tuple[ContextCall, ...]
    context_ready: tuple[Route, ...]
    signal_workers: tuple[SignalCall, ...]
    join: Route | None
    """The SWOT join's subscriber (None: the plan has no join)."""
    has_join: bool
    """True when opportunities or assessments feed the join (signals are buffered)."""
    ledger_routes: bool
    """Someone subscribes to LEDGER_UPDATE (else no snapshot is built)."""
    position_routes: bool
    """Someone subscribes to POSITION_UPDATE (else no update is built)."""
    schedules: tuple[tuple[str, str], ...]
    """(event, period) of every scheduled event, sorted by event."""


def build_dispatch_table(
    plan: Plan, targets: Mapping[str, tuple[object, str]], tick_timeframe: str
) -> DispatchTable:
    """The dispatch table of ``plan``; ``targets`` maps a worker id to (the bound
    object, its kind), platform components included. PlanError names a subscription
    that cannot be resolved."""
    routes: dict[str, EventRoutes] = {}
    join: Route | None = None
    for spec in plan.events:
        resolved = [_route(plan, targets, s.worker, s.method, s.adapter) for s in spec.subscribers]
        planning = tuple(
            r
            for r in resolved
            if r.kind in SUB_DIRECTIVE
            and spec.event != "TICK_RECEIVED"
            and r.adapter != "swot_join"
        )
        plain = tuple(r for r in resolved if r not in planning and r.adapter != "swot_join")
        joins = [r for r in resolved if r.adapter == "swot_join"]
        routes[spec.event] = EventRoutes(plain, planning, bool(joins))
        if joins:
            join = joins[0]
    tick = routes.get("TICK_RECEIVED", NO_ROUTES)
    assess = routes.get("CONTEXT_ASSESSMENT_READY", NO_ROUTES)
    higher = {s.id: _higher_timeframe(s.timeframe, tick_timeframe) for s in plan.workers}
    schedules = tuple((event, period) for event, period in sorted(plan.schedules.items()))
    for _, period in schedules:
        timeframe_seconds(period)  # validates the period
    return DispatchTable(
        routes=routes,
        context_chain=tuple(
            (r.call, r.worker, set[type](), _frame(higher.get(r.worker), r.worker))
            for r in tick.plain
            if r.kind == "context_worker"
        ),
        context_ready=routes.get("CONTEXT_READY", NO_ROUTES).plain,
        # opportunity workers, then tick-threat workers: one loop, each with its event
        signal_workers=tuple(
            (r.call, r.worker, higher.get(r.worker), "OPPORTUNITY_DETECTED") for r in assess.plain
        )
        + tuple(
            (r.call, r.worker, higher.get(r.worker), "THREAT_DETECTED")
            for r in tick.plain
            if r.kind != "context_worker"
        ),
        join=join,
        has_join=assess.join or routes.get("OPPORTUNITY_DETECTED", NO_ROUTES).join,
        ledger_routes=_has_subscribers(routes.get("LEDGER_UPDATE")),
        position_routes=_has_subscribers(routes.get("POSITION_UPDATE")),
        schedules=schedules,
    )


def _route(
    plan: Plan,
    targets: Mapping[str, tuple[object, str]],
    worker: str,
    method: str,
    adapter: str | None,
) -> Route:
    if worker not in targets:
        raise PlanError(f"event wiring names unknown worker {worker!r}")
    target, kind = targets[worker]
    call = getattr(target, method, None)
    if not callable(call):
        raise PlanError(f"worker {worker!r} has no handler method {method!r}")
    matcher = None
    if kind in SUB_DIRECTIVE:
        try:
            matcher = PlannerMatcher(kind, plan.worker(worker).triggers)
        except ValueError as exc:
            raise PlanError(f"worker {worker!r}: {exc}") from exc
    return Route(call, worker, kind, matcher, adapter)


def _higher_timeframe(timeframe: str | None, tick_timeframe: str) -> str | None:
    """The higher timeframe a worker is driven by; None for the tick timeframe."""
    return timeframe if timeframe and timeframe != tick_timeframe else None


def _frame(timeframe: str | None, worker: str) -> Frame | None:
    return Frame(timeframe, worker) if timeframe is not None else None


def _has_subscribers(routes: EventRoutes | None) -> bool:
    """True when publishing to ``routes`` reaches anyone."""
    return routes is not None and bool(routes.plain or routes.planning or routes.join)
