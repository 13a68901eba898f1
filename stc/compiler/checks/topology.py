"""Shape of the flow: no cycles (STC020), routing strictly after the entry+size+exit
join (STC021), complete trade planning (STC022), and a path to execution (STC023).
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.unit import SLOT_TYPES, CompileUnit, WorkerInstance

if TYPE_CHECKING:
    import networkx as nx

KINDS = ("entry", "size", "exit", "routing")


STC020 = Rule(
    "STC020",
    Severity.ERROR,
    "cycle in the wiring graph",
    """A cycle in the wiring graph; the cycle is printed as an ordered path.

    Why it is bad: an event would trigger itself again within one tick and the flow
    would never end. Example: a ``wiring:`` entry subscribing a context worker to
    ``OPPORTUNITY_DETECTED``. Fix: remove the custom wiring that closes the loop.""",
    bad=(
        "# echo is a context worker\n"
        "wiring:\n"
        "  - {event: OPPORTUNITY_DETECTED, worker: echo, method: on_opportunity}"
    ),
    fixed="wiring: []",
)


def check_cycles(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC020 (the rule above says why)."""
    if not unit.graph.has_cycle():
        return []
    return _explain_cycles(unit)


def _explain_cycles(unit: CompileUnit) -> list[Diagnostic]:
    """One STC020 per strongly connected component with a cycle.

    The error path only, so networkx (~150 ms to import) is loaded only here.
    """
    import networkx as nx

    problems = []
    graph = unit.graph.to_networkx()
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        if len(component) == 1:
            node = next(iter(component))
            if not graph.has_edge(node, node):
                continue
        cycle = _ordered_cycle(graph.subgraph(component), min(component))
        problems.append(_cycle_diagnostic(unit, cycle))
    return problems


def _ordered_cycle(graph: nx.DiGraph[str], start: str) -> list[str]:
    """One cycle through ``start`` following the smallest successor at each step."""
    import networkx as nx

    path = [start]
    seen = {start}
    node = start
    while True:
        successors = sorted(graph.successors(node))
        if start in successors and (len(path) > 1 or graph.has_edge(start, start)):
            return [*path, start]
        following = next((s for s in successors if s not in seen), None)
        if following is None:
            # fall back to networkx for an exact cycle when the greedy walk dead-ends
            edges = nx.find_cycle(graph, source=start)
            return [edges[0][0], *(v for _, v in edges)]
        path.append(following)
        seen.add(following)
        node = following


def _cycle_diagnostic(unit: CompileUnit, cycle: list[str]) -> Diagnostic:
    steps = []
    for src, dst in pairwise(cycle):
        events = unit.graph.edges[src, dst]
        steps.append(f"{src} --{events[0][0]}--> ")
    rendered = "".join(steps) + cycle[-1]
    blueprint_sub = next(
        (s for s in unit.subscriptions if s.origin == "blueprint" and s.worker in cycle), None
    )
    loc = blueprint_sub.loc if blueprint_sub and blueprint_sub.loc else None
    worker = unit.worker(cycle[0]) if loc is None else None
    return unit.diag(
        STC020,
        f"cycle in the wiring graph: {' → '.join(cycle)}",
        loc or (worker.loc if worker and worker.loc else ("workforce",)),
        f"events flow {rendered}; remove the wiring that closes the loop",
        subjects=tuple(cycle),
    )


STC021 = Rule(
    "STC021",
    Severity.ERROR,
    "routing planner wired before entry+size+exit are complete",
    """A routing planner is wired before the entry+size+exit phase is complete.

    Why it is bad: the router decides timing, time-in-force and slippage from all three
    plans (seed: "Router Dependency Architecture"); wired to an earlier event it would
    decide without them. Example: ``wiring: [{event: ENTRY_PLAN_CREATED, worker:
    twap_router, method: on_routing_request}]``. Fix: routing planners listen only to
    ``ROUTING_PLANNING_REQUESTED``, which the PlanningAggregator publishes after the
    join.""",
    bad=(
        "wiring:\n"
        "  - {event: ENTRY_PLAN_CREATED, worker: market_order_router, method: on_routing_request}"
    ),
    fixed="wiring: []  # routers listen to ROUTING_PLANNING_REQUESTED by default",
)


def check_routing_after_join(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC021 (the rule above says why)."""
    problems = []
    workers = unit.workers_by_id()
    for sub in unit.subscriptions:
        if sub.event == "ROUTING_PLANNING_REQUESTED":
            continue
        worker = workers.get(sub.worker)
        if worker is None or worker.slot != "routing":
            continue
        problems.append(
            unit.diag(
                STC021,
                f"routing planner {worker.label} is wired to `{sub.event}`, before entry, "
                "size and exit planning are complete",
                sub.loc or (*worker.loc, "plugin"),
                "remove this wiring: routing planners receive `ROUTING_PLANNING_REQUESTED` "
                "(entry + size + exit plans) from the PlanningAggregator",
                subjects=(worker.id,),
            )
        )
    return problems


STC022 = Rule(
    "STC022",
    Severity.ERROR,
    "routing without entry/size/exit planning, or the reverse",
    """Routing is present but entry, size or exit planning is missing (or entry/size/exit
    planning is present without routing).

    Why it is bad: the PlanningAggregator needs all four plans to build an
    ExecutionDirective; with one kind missing no trade can ever execute. Fix: add a
    planner of each missing kind under ``workforce.planning_workers``.""",
    bad=(
        "planning_workers:\n"
        "  entry: [{plugin: AggressiveMarketEntryPlanner}]\n"
        "  size: [{plugin: FixedRiskSizer}]\n"
        "  exit: [{plugin: FixedRRExitPlanner}]"
    ),
    fixed=(
        "planning_workers:\n"
        "  entry: [{plugin: AggressiveMarketEntryPlanner}]\n"
        "  size: [{plugin: FixedRiskSizer}]\n"
        "  exit: [{plugin: FixedRRExitPlanner}]\n"
        "  routing: [{plugin: MarketOrderRouter}]"
    ),
)


def check_planning_complete(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC022 (the rule above says why)."""
    present: dict[str, list[WorkerInstance]] = {k: [] for k in KINDS}
    for worker in unit.workers:
        if worker.slot in present:
            present[worker.slot].append(worker)
    if not any(present.values()):
        return []
    missing = [k for k in KINDS if not present[k]]
    if not missing:
        return []
    anchor = next(present[k][0] for k in KINDS if present[k])
    have = ", ".join(k for k in KINDS if present[k])
    return [
        unit.diag(
            STC022,
            f"trade planning is incomplete: {have} present, but no {' / '.join(missing)} planner",
            ("workforce", "planning_workers"),
            "an ExecutionDirective needs entry, size, exit and routing plans; add "
            + ", ".join(_planner_example(unit, k) for k in missing)
            + " under `planning_workers:`",
            key=True,
            subjects=(anchor.id,),
        )
    ]


_PREFERRED = ("Market", "Fixed")
"""The simplest plugin of a kind to name in a help: market orders, fixed risk."""


def _planner_example(unit: CompileUnit, kind: str) -> str:
    """``routing: [{plugin: MarketOrderRouter}]``: a line to add, with a real plugin."""
    wanted = SLOT_TYPES[kind]
    names = sorted(
        n for n in unit.registry.names()
        if (r := unit.registry.get(n)) is not None and r.manifest.identification.type == wanted
    )  # fmt: skip
    simple = [n for n in names if n.startswith(_PREFERRED)] or names
    return f"`{kind}: [{{plugin: {simple[0]}}}]`" if simple else f"`{kind}:`"


STC023 = Rule(
    "STC023",
    Severity.ERROR,
    "no strategy planner and no direct-planning path to execution",
    """No strategy planner and no direct-planning path to execution.

    Why it is bad: nothing in the blueprint can ever produce a directive, so the
    strategy never trades. Example: context and opportunity workers, but neither a
    strategy planner nor trade planners. Fix: add a SWOT strategy planner (or trade
    planners for direct planning) and entry/size/exit/routing planners.""",
    bad=(
        "workforce:\n"
        "  context_workers: [{plugin: EMADetector}]\n"
        "  opportunity_workers: [{plugin: EMACrossDetector}]"
    ),
    fixed=(
        "workforce:\n"
        "  context_workers: [{plugin: EMADetector}]\n"
        "  opportunity_workers: [{plugin: EMACrossDetector}]\n"
        "  strategy_planner: {plugin: AdaptiveMomentumPlanner}\n"
        "  planning_workers:\n"
        "    entry: [{plugin: AggressiveMarketEntryPlanner}]\n"
        "    size: [{plugin: FixedRiskSizer}]\n"
        "    exit: [{plugin: FixedRRExitPlanner}]\n"
        "    routing: [{plugin: MarketOrderRouter}]"
    ),
)


def check_path_to_execution(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC023 (the rule above says why)."""
    handler = next((w for w in unit.workers if w.slot == "execution"), None)
    if handler is None or handler.record is None or not unit.graph.has_node(handler.id):
        return []
    if unit.graph.has_path("platform", handler.id):
        return []
    if _incomplete_planning_reported(unit) or _unknown_trigger_reported(unit):
        return []
    return [
        unit.diag(
            STC023,
            "no path from the market data to execution: no strategy planner and no "
            "direct-planning path",
            ("workforce",),
            "add a `strategy_planner` (SWOT) with entry, size, exit and routing planners, "
            "or opportunity workers with trade planners for direct planning",
            key=True,
        )
    ]


def _unknown_trigger_reported(unit: CompileUnit) -> bool:
    """A planner whose trigger event is unknown already got STC050/STC051."""
    return any(
        w.slot == "strategy_planner" and w.trigger and w.trigger not in unit.event_payloads
        for w in unit.workers
    )


def _incomplete_planning_reported(unit: CompileUnit) -> bool:
    kinds: list[WorkerInstance] = [w for w in unit.workers if w.slot in KINDS]
    return bool(kinds) and {w.slot for w in kinds} != set(KINDS)


CHECKS = (check_cycles, check_routing_after_join, check_planning_complete, check_path_to_execution)
