"""The typed DAG: nodes are workers and platform components, edges are events
carrying their payload DTO type; plus the phase schedule derived from it.

The graph is built once per compile as plain data (``stc.compiler.digraph.WiringGraph``;
an edge between two nodes keeps the list of events it carries). Check passes only
read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from stc.compiler.digraph import WiringGraph

if TYPE_CHECKING:
    from stc.compiler.model.wiring_map import Phase
    from stc.compiler.unit import CompileUnit, WorkerInstance
from stc.runtime.events import PLATFORM_COMPONENTS

PHASE_OF_SLOT: dict[str, str] = {
    "context_workers": "1a",
    "opportunity_workers": "2a",
    "threat_workers": "2b",
    "strategy_planner": "3",
    "entry": "4a",
    "size": "4a",
    "exit": "4a",
    "routing": "4a-routing",
    "execution": "5",
}
PHASE_OF_COMPONENT = {
    "platform": "0",
    "ledger": "5",
    "planning_join": "4a-join",
    "context_aggregator": "1b",
    "planning_aggregator": "4b",
    "flow_terminator": "6",
}


def build_graph(unit: CompileUnit) -> WiringGraph:
    """Nodes for every worker and component, edges publisher → subscriber per event."""
    graph = WiringGraph()
    for component in (*PLATFORM_COMPONENTS, PLANNING_JOIN):
        graph.add_node(component, {"kind": "platform", "phase": PHASE_OF_COMPONENT[component]})
    shared: dict[tuple[str, str, bool], dict[str, object]] = {}  # one dict per kind of worker
    for worker in unit.workers:
        kind = (worker.slot, worker.plugin, worker.record is not None)
        attrs = shared.get(kind)
        if attrs is None:
            attrs = shared[kind] = _node_attrs(worker)
        graph.add_node(worker.id, attrs)
    edges = _event_edges(unit)
    unknown = {dst for _, dst in edges if dst not in graph.nodes}
    for node in sorted(unknown):
        graph.add_node(node, {"kind": "unknown", "phase": "?"})
    graph.add_edges(edges.items())
    unit.graph = graph
    return graph


def _event_edges(unit: CompileUnit) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(publisher node, subscriber node) → the (event, payload) pairs it carries, in
    subscription order (collected first, then added to the graph in one batch)."""
    context = _context_ids(unit)
    chain = dict(zip(context[1:], context, strict=False))  # worker → the one before it
    edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
    payloads, publishers = unit.event_payloads, unit.publishers
    for sub in unit.subscriptions:
        event = sub.event
        pair = (event, payloads.get(event, "?"))
        skip = None
        if event == "TICK_RECEIVED" and sub.worker in chain:
            sources: Iterable[str] = (chain[sub.worker],)
            target = sub.worker  # the context chain: each runs after the one before it
        else:
            join = event in JOIN_EVENTS  # else graph_node() is the component itself
            target = graph_node(sub.worker, event) if join else sub.worker
            found = publishers.get(event, ())
            sources = [graph_node(p, event) for p in found] if join else found
            if sub.origin == "base":
                skip = target  # a base subscription never loops back onto its publisher
        for source in sources:
            if source == skip:
                continue
            carried = edges.get((source, target))
            if carried is None:
                edges[source, target] = [pair]
            elif pair not in carried:
                carried.append(pair)
    return edges


PLANNING_JOIN = "planning_join"
PA = "planning_aggregator"
JOIN_EVENTS = frozenset(
    {"ENTRY_PLAN_CREATED", "SIZE_PLAN_CREATED", "EXIT_PLAN_CREATED", "ROUTING_PLANNING_REQUESTED"}
)


def graph_node(component: str, event: str) -> str:
    """The graph node of ``component`` for ``event``.

    The PlanningAggregator plays two roles in one flow: the join of the three parallel
    plans (which requests routing) and the final aggregation (after routing). The
    graph gives the join its own node, ``planning_join``; otherwise the request/answer
    with the router would look like a cycle.
    """
    if component == "planning_aggregator" and event in JOIN_EVENTS:
        return PLANNING_JOIN
    return component


def _context(unit: CompileUnit) -> list[WorkerInstance]:
    return [w for w in unit.resolved() if w.slot == "context_workers"]


def _context_ids(unit: CompileUnit) -> list[str]:
    return [w.id for w in _context(unit)]


def _node_attrs(worker: WorkerInstance) -> dict[str, object]:
    record = worker.record
    return {
        "kind": "worker",
        "slot": worker.slot,
        "type": worker.worker_type,
        "plugin": worker.plugin,
        "subtype": record.manifest.identification.subtype if record else "",
        "phase": PHASE_OF_SLOT[worker.slot],
        "resolved": record is not None,
    }


def derive_schedule(unit: CompileUnit) -> list[Phase]:
    """The phase schedule: sequential chain, parallel groups, the joins, routing after
    the join, and event-triggered workers outside the tick flow."""
    from stc.compiler.model.wiring_map import Phase  # the plan's model: only when emitting

    by_slot: dict[str, list[str]] = {}
    for worker in unit.resolved():
        by_slot.setdefault(worker.slot, []).append(worker.id)
    context, opportunity = (
        by_slot.get("context_workers", []),
        by_slot.get("opportunity_workers", []),
    )
    phases = [
        Phase(phase="1a", name="context", kind="sequential", workers=context),
        Phase(
            phase="1b", name="context aggregation", kind="platform", workers=["context_aggregator"]
        ),
        Phase(phase="2a", name="opportunity", kind="parallel", workers=opportunity),
    ]
    phases += _threat_phases(unit)
    phases += _strategy_phases(unit)
    trade_groups = {k: by_slot[k] for k in ("entry", "size", "exit") if k in by_slot}
    phases += [
        Phase(phase="4a", name="trade planning", kind="parallel", groups=trade_groups),
        Phase(
            phase="4a-routing", name="routing", kind="join",
            waits_for=["ENTRY_PLAN_CREATED", "SIZE_PLAN_CREATED", "EXIT_PLAN_CREATED"],
            workers=by_slot.get("routing", []),
        ),
        Phase(phase="4b", name="plan aggregation", kind="platform", workers=[PA]),
        Phase(phase="5", name="execution", kind="sequential", workers=by_slot.get("execution", [])),
        Phase(phase="6", name="finale", kind="platform", workers=["flow_terminator"]),
    ]  # fmt: skip
    return phases


def _threat_phases(unit: CompileUnit) -> list[Phase]:
    from stc.compiler.model.wiring_map import Phase

    on_tick = [w.id for w in unit.resolved() if w.slot == "threat_workers" and _is_tick(w)]
    phases = [Phase(phase="2b", name="threat", kind="parallel", workers=on_tick)]
    for trigger, ids in _by_trigger(unit, "threat_workers", skip_tick=True).items():
        phases.append(Phase(phase="2b", name="threat", kind="event", trigger=trigger, workers=ids))
    return phases


def _strategy_phases(unit: CompileUnit) -> list[Phase]:
    from stc.compiler.model.wiring_map import Phase

    swot = [w.id for w in unit.resolved() if w.is_swot_planner]
    phases = []
    if swot or unit.mode == "swot":
        phases.append(
            Phase(
                phase="3", name="strategy planning (SWOT join)", kind="join",
                waits_for=["CONTEXT_ASSESSMENT_READY", "OPPORTUNITY_DETECTED", "THREAT_DETECTED"],
                workers=swot,
            )
        )  # fmt: skip
    elif unit.mode == "direct":
        phases.append(
            Phase(
                phase="3", name="direct planning", kind="platform", trigger="OPPORTUNITY_DETECTED"
            )
        )
    for trigger, ids in _by_trigger(unit, "strategy_planner", skip_tick=False).items():
        phases.append(
            Phase(phase="3", name="strategy planning", kind="event", trigger=trigger, workers=ids)
        )
    return phases


def _is_tick(worker: WorkerInstance) -> bool:
    return (worker.trigger or "TICK_RECEIVED") == "TICK_RECEIVED"


def _by_trigger(unit: CompileUnit, slot: str, *, skip_tick: bool) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for worker in unit.resolved():
        if worker.slot != slot or worker.trigger is None or (skip_tick and _is_tick(worker)):
            continue
        groups.setdefault(worker.trigger, []).append(worker.id)
    return dict(sorted(groups.items()))
