"""The typed DAG: nodes are workers and platform components, edges are events
carrying their payload DTO type. Each worker node carries its phase (``PHASE_OF_SLOT``),
which the diagram draws as rows; the plan has no phase schedule (docs/decisions.md,
"The plan has no `schedule`").

The graph is built once per compile as plain data (``stc.compiler.digraph.WiringGraph``;
an edge between two nodes keeps the list of events it carries). Check passes only
read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from stc.compiler.digraph import WiringGraph

if TYPE_CHECKING:
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
