"""Expand the platform's base wiring (``stc/runtime/base_wiring.yaml``, read through
``stc.runtime.base_wiring``: the runtime reads the same file) for one blueprint.

Produces, on the unit: every subscription (event → worker.method, in a fixed order),
the publishers of every event, each event's payload DTO, and the planning mode:
``swot`` (a SWOT strategy planner joins context, opportunities and threats),
``direct`` (no SWOT planner: trade planners listen to OPPORTUNITY_DETECTED and the
opportunity's confidence plays the directive's role) or ``scheduled`` (directives
come only from triggered planners, e.g. a DCA schedule).
"""

from __future__ import annotations

from typing import Any, Literal

from stc.compiler.unit import CompileUnit, Subscription, WorkerInstance
from stc.runtime.base_wiring import base_wiring
from stc.runtime.events import PLATFORM_COMPONENTS, PLATFORM_EVENTS, SCHEDULED_EVENT_PAYLOAD

EVENT_ORDER: tuple[str, ...] = tuple(PLATFORM_EVENTS)
"""Platform events in flow order; scheduled and custom events follow, sorted."""

TRADE_PLANNER_SLOTS = ("entry", "size", "exit")
SWOT_ADAPTER = "swot_join"
DIRECT_ADAPTER = "opportunity_as_directive"


def expand(unit: CompileUnit) -> None:
    """Fill ``unit.subscriptions``, ``publishers``, ``event_payloads`` and ``mode``."""
    workers = unit.resolved()
    unit.mode = _mode(workers)
    unit.event_payloads = _payloads(unit, workers)
    unit.publishers = _publishers(unit, workers)
    subs = _base_subscriptions(unit, workers) + _blueprint_subscriptions(unit)
    rank = {event: i for i, event in enumerate(event_order(unit))}
    subs.sort(key=lambda s: rank.get(s.event, len(rank)))  # stable: keeps worker order
    unit.subscriptions = subs


def event_order(unit: CompileUnit) -> list[str]:
    """Every event the unit knows, platform events first in flow order."""
    extra = sorted(e for e in unit.event_payloads if e not in PLATFORM_EVENTS)
    return [*EVENT_ORDER, *extra]


def registry_publishers(unit: CompileUnit) -> dict[str, list[str]]:
    """Every event some discovered plugin publishes → those plugins' names (sorted).

    Lets the checks tell a custom event that merely lacks its publisher in this
    blueprint (STC030, "add X") from a name nobody knows (STC050).
    """
    found: dict[str, list[str]] = {}
    for name in unit.registry.names():
        record = unit.registry.plugins[name]
        for decl in record.manifest.dependencies.publishes:
            found.setdefault(decl.event, []).append(name)
    return found


def known_events(unit: CompileUnit) -> set[str]:
    """Platform, scheduled and custom events (published by any discovered plugin)."""
    return set(PLATFORM_EVENTS) | set(unit.event_payloads) | set(registry_publishers(unit))


def _mode(workers: list[WorkerInstance]) -> Literal["swot", "direct", "scheduled"]:
    if any(w.is_swot_planner for w in workers):
        return "swot"
    if any(w.slot == "opportunity_workers" for w in workers):
        return "direct"
    if any(w.slot == "strategy_planner" for w in workers):
        return "scheduled"
    return "direct"


def _payloads(unit: CompileUnit, workers: list[WorkerInstance]) -> dict[str, str]:
    payloads = dict(PLATFORM_EVENTS)
    for name in unit.schedules:
        payloads.setdefault(name, SCHEDULED_EVENT_PAYLOAD)
    for worker in workers:
        assert worker.record is not None
        for decl in worker.record.manifest.dependencies.publishes:
            payloads.setdefault(decl.event, decl.payload)
    return payloads


def _publishers(unit: CompileUnit, workers: list[WorkerInstance]) -> dict[str, list[str]]:
    template = base_wiring()
    found: dict[str, dict[str, None]] = {}  # insertion-ordered sets: O(1) membership

    def add(event: str, who: str) -> None:
        found.setdefault(event, {})[who] = None

    for component in PLATFORM_COMPONENTS:
        for event in template[component]["publishes"]:
            add(event, component)
    context = [w for w in workers if w.slot == "context_workers"]
    add("CONTEXT_READY", context[-1].id if context else "platform")
    for worker in workers:
        for event in template[worker.worker_type]["publishes"]:
            add(event, worker.id)
        assert worker.record is not None
        for decl in worker.record.manifest.dependencies.publishes:
            add(decl.event, worker.id)
    for name in unit.schedules:
        add(name, "platform")
    return {event: list(who) for event, who in found.items()}


def _base_subscriptions(unit: CompileUnit, workers: list[WorkerInstance]) -> list[Subscription]:
    template = base_wiring()
    subs: list[Subscription] = []
    for component in ("context_aggregator", "planning_aggregator", "flow_terminator"):
        for event, method in template[component]["listens"].items():
            subs.append(Subscription(event, component, method))
    publishes_exit_updates = "EXIT_PLAN_UPDATED" in unit.publishers
    for worker in workers:
        subs.extend(_worker_subscriptions(unit, worker, template, publishes_exit_updates))
    return subs


def _worker_subscriptions(
    unit: CompileUnit, worker: WorkerInstance, template: dict[str, Any], exit_updates: bool
) -> list[Subscription]:
    spec = template[worker.worker_type]
    if worker.slot == "threat_workers" or (
        worker.slot == "strategy_planner" and not worker.is_swot_planner
    ):
        by_trigger = spec["listens_by_trigger"]
        trigger = worker.trigger or "TICK_RECEIVED"
        return [Subscription(trigger, worker.id, by_trigger.get(trigger, by_trigger["*"]))]
    if worker.is_swot_planner:
        method = spec["swot_method"]
        return [Subscription(e, worker.id, method, SWOT_ADAPTER) for e in spec["swot_join"]]
    subs = []
    for event, method in spec["listens"].items():
        if event == "EXIT_PLAN_UPDATED" and not exit_updates:
            continue
        if event == "STRATEGY_DIRECTIVE_ISSUED" and event not in unit.publishers:
            continue  # direct mode without any strategy planner
        subs.append(Subscription(event, worker.id, method))
    if worker.slot in TRADE_PLANNER_SLOTS and unit.mode == "direct":
        for event, method in spec["direct"].items():
            subs.append(Subscription(event, worker.id, method, DIRECT_ADAPTER))
    return subs


def _blueprint_subscriptions(unit: CompileUnit) -> list[Subscription]:
    """The blueprint's ``wiring:`` entries, added after the base wiring."""
    return [
        Subscription(entry.event, entry.worker, entry.method, None, "blueprint", ("wiring", i))
        for i, entry in enumerate(unit.blueprint.wiring)
    ]
