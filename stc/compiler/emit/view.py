"""The drawable view of a wiring graph: what every diagram format (DOT, Mermaid, the
interactive page) draws, decided once.

Why a view between the graph and the emitters: the compiled graph is the truth for the
checks (one node per platform role, one edge per publisher → subscriber pair); a
reader needs less and more. Less: platform internals (the flow terminator, the second
PlanningAggregator role) are hidden unless asked for, long runs of similar workers
collapse into one group node, and an event fanned out to many subscribers is drawn
once, as a small event node, instead of one label per edge. More: the DTO data flow
(which context worker provides ``MarketStructure`` to whom) as its own edge kind, and
a dashed placeholder for a required DTO that nobody provides.

Rows are the phases in one fixed order for every blueprint (``ROWS``); the parallel
groups of a row (opportunities ‖ threats, entry ‖ size ‖ exit) are its ``groups``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from stc.compiler.checks.dataflow import PLATFORM_PROVIDED
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.graph import PLANNING_JOIN
from stc.compiler.unit import CompileUnit, WorkerInstance

NodeKind = Literal["worker", "group", "platform", "event", "dto_hub", "missing"]
EdgeKind = Literal["event", "dto", "chain"]

COLLAPSE_ABOVE = 7
"""A group (slot) with more nodes than this collapses runs of similar workers."""
MAX_COLUMNS = 4
"""Nodes side by side in one row once it is wrapped, all its groups together: three
parallel groups of 3 are lines of 1, a group of 12 alone three lines of 4 (the node
text target at 1,600 px holds at 300 workers)."""
ONE_LINE = 6
"""A row of at most this many nodes is never wrapped."""


def wrap_width(groups: int, nodes: int) -> int:
    """Nodes per line in each of a row's ``groups`` parallel groups (``nodes`` in all)."""
    if nodes <= ONE_LINE:
        return ONE_LINE
    return max(1, MAX_COLUMNS // max(1, groups))


TYPE_COLORS: dict[str, str] = {
    "context_worker": "#dbeafe",
    "opportunity_worker": "#dcfce7",
    "threat_worker": "#fee2e2",
    "strategy_planner": "#ede9fe",
    "entry_planner": "#fef9c3",
    "size_planner": "#ecfccb",
    "exit_planner": "#fce7f3",
    "routing_planner": "#ffedd5",
    "execution_handler": "#e5e7eb",
}
"""Fill per worker type, the same in every drawing (entry, size and exit differ: their
groups sit side by side in one row without boxes)."""

ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("market_data", "market data", ("platform",)),
    ("context", "1 · context (sequential chain)", ("context_workers",)),
    ("aggregation", "1b · context aggregation", ("context_aggregator",)),
    ("signals", "2 · opportunities ‖ threats", ("opportunity_workers", "threat_workers")),
    ("strategy", "3 · strategy planning", ("strategy_planner",)),
    ("trade", "4a · entry ‖ size ‖ exit", ("entry", "size", "exit")),
    ("join", "4a · join (PlanningAggregator)", (PLANNING_JOIN,)),
    ("routing", "4a · routing", ("routing",)),
    ("plan", "4b · plan aggregation", ("planning_aggregator",)),
    ("execution", "5 · execution", ("execution", "ledger")),
    ("finale", "6 · finale", ("flow_terminator",)),
)
"""(row id, title, the slots and platform components drawn in it), top to bottom."""
PARALLEL_ROWS = frozenset({"signals", "trade"})
INTERNAL = frozenset({"flow_terminator", "planning_aggregator"})
"""Hidden without ``internals``: the terminator, and the final-aggregation role of the
PlanningAggregator (its edges are drawn on the join node, one PlanningAggregator)."""
INTERNAL_EVENTS = frozenset({"_flow_stop"})

COMPONENT_LABELS = {
    "platform": "Platform\n(market data)",
    "ledger": "Ledger",
    "context_aggregator": "ContextAggregator",
    "planning_aggregator": "PlanningAggregator\n(plan aggregation)",
    PLANNING_JOIN: "PlanningAggregator",
    "flow_terminator": "FlowTerminator",
}
SLOT_TITLES = {
    "opportunity_workers": "opportunities",
    "threat_workers": "threats",
    "entry": "entry",
    "size": "size",
    "exit": "exit",
}


@dataclass(frozen=True)
class ViewNode:
    """One drawn node: a worker, a group of similar workers, a platform component, an
    event hub (a fanned-out event, drawn once) or a missing provider's placeholder."""

    id: str
    label: str
    kind: NodeKind
    row: str = ""
    group: str = ""
    worker_type: str = ""
    members: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ViewEdge:
    """One drawn edge; ``label`` is empty on the edges of an event hub."""

    src: str
    dst: str
    kind: EdgeKind
    label: str = ""
    failing: bool = False
    constraint: bool = True


@dataclass
class View:
    """Everything a diagram draws, in a deterministic order."""

    title: str
    nodes: dict[str, ViewNode] = field(default_factory=dict)
    edges: list[ViewEdge] = field(default_factory=list)
    rows: list[tuple[str, str, list[tuple[str, list[str]]]]] = field(default_factory=list)
    """(row id, title, [(group slot, node ids)]) for the rows that have nodes."""
    legend: list[tuple[str, str]] = field(default_factory=list)
    """(worker type, subtype) pairs present."""
    owner: dict[str, str] = field(default_factory=dict)
    """Graph node (worker id or component) → the view node that draws it."""

    def row_index(self, node: str) -> int:
        """The position of ``node``'s row (-1 for hubs, which sit between rows)."""
        row = self.nodes[node].row
        return next((i for i, (rid, _, _) in enumerate(ROWS) if rid == row), -1)


def build_view(
    unit: CompileUnit,
    diagnostics: Sequence[Diagnostic] = (),
    *,
    internals: bool = False,
    collapse_above: int = COLLAPSE_ABOVE,
) -> View:
    """The view of ``unit``'s wiring; ``diagnostics`` mark the nodes they are about."""
    failing = codes_by_subject(diagnostics)
    view = View(title=f"{unit.blueprint.name} — {unit.mode} mode")
    owner = view.owner = _add_nodes(view, unit, failing, internals, collapse_above)
    _add_event_edges(view, unit, owner, failing, internals)
    _add_dto_edges(view, unit, owner, failing)
    records = {w.plugin: w for w in unit.workers}  # one worker per plugin: few, not many
    view.legend = sorted(
        {
            (w.worker_type, w.record.manifest.identification.subtype)
            for w in records.values()
            if w.record is not None
        }
    )
    return view


def codes_by_subject(diagnostics: Iterable[Diagnostic]) -> dict[str, list[str]]:
    """Node id → the codes of the errors and warnings about it."""
    codes: dict[str, list[str]] = {}
    for diag in diagnostics:
        if not diag.is_error and diag.severity.value != "warning":
            continue
        for subject in diag.subjects:
            if diag.code not in codes.setdefault(subject, []):
                codes[subject].append(diag.code)
    return codes


def _slot_workers(unit: CompileUnit) -> dict[str, list[WorkerInstance]]:
    by_slot: dict[str, dict[str, WorkerInstance]] = {}
    for worker in unit.workers:  # every worker is a node of the graph (build_graph)
        by_slot.setdefault(worker.slot, {}).setdefault(worker.id, worker)
    return {slot: list(found.values()) for slot, found in by_slot.items()}


def _add_nodes(
    view: View,
    unit: CompileUnit,
    failing: dict[str, list[str]],
    internals: bool,
    collapse_above: int,
) -> dict[str, str]:
    """Add the rows' nodes; return graph node id → the view node drawing it."""
    owner: dict[str, str] = {}
    slots = _slot_workers(unit)
    for row, title, members in ROWS:
        groups: list[tuple[str, list[str]]] = []
        for slot in members:
            if slot in COMPONENT_LABELS:
                ids = _add_component(view, unit, slot, row, failing, internals, owner)
            else:
                ids = _add_slot(view, slots.get(slot, []), slot, row, failing, collapse_above)
                for node in ids:
                    for member in view.nodes[node].members:
                        owner[member] = node
            if ids:
                groups.append((slot, ids))
        if groups:
            view.rows.append((row, title, groups))
    return owner


def _add_component(
    view: View,
    unit: CompileUnit,
    name: str,
    row: str,
    failing: dict[str, list[str]],
    internals: bool,
    owner: dict[str, str],
) -> list[str]:
    if not unit.graph.has_node(name):
        return []
    if name in INTERNAL and not internals:
        if name == "planning_aggregator":
            owner[name] = PLANNING_JOIN  # one PlanningAggregator node draws both roles
        return []
    label = COMPONENT_LABELS[name]
    if name == PLANNING_JOIN and internals:
        label = "PlanningAggregator\n(entry+size+exit join)"
    codes = tuple(failing.get(name, ()))
    view.nodes[name] = ViewNode(name, label, "platform", row, name, members=(name,), codes=codes)
    owner[name] = name
    return [name]


def _add_slot(
    view: View,
    workers: list[WorkerInstance],
    slot: str,
    row: str,
    failing: dict[str, list[str]],
    collapse_above: int,
) -> list[str]:
    """The slot's nodes: one per worker, or groups of similar workers when there are
    more than ``collapse_above`` (same plugin first, then same subtype, then one)."""
    ids = []
    for run in _runs(workers, failing, collapse_above):
        if len(run) == 1 and len(run[0]) == 1:
            node = _worker_node(run[0][0], slot, row, failing)
        else:
            node = _group_node(run, slot, row, failing)
        view.nodes[node.id] = node
        ids.append(node.id)
    return ids


Run = list[list[WorkerInstance]]
"""A group of workers as its runs of one plugin each (in order of their first worker)."""


def _subtype_key(worker: WorkerInstance) -> tuple[str, str]:
    return ("subtype", _subtype(worker))


def _slot_key(worker: WorkerInstance) -> tuple[str, str]:
    return ("slot", worker.slot)


def _runs(
    workers: list[WorkerInstance], failing: dict[str, list[str]], collapse_above: int
) -> list[Run]:
    """Workers grouped by the first key (plugin, subtype, slot) that leaves at most
    ``collapse_above`` groups, in the order of their first worker; a worker with a
    diagnostic stays on its own so that its red node is never hidden in a group.

    One pass over the workers (by plugin); the coarser keys merge the plugin runs, so a
    group knows its plugins without another pass (the view stays ~10 µs a worker)."""
    if len(workers) <= collapse_above:
        return [[[w]] for w in workers]
    by_plugin: dict[tuple[str, str], list[WorkerInstance]] = {}
    for worker in workers:
        key = ("id", worker.id) if worker.id in failing else ("plugin", worker.ref.plugin)
        found = by_plugin.get(key)
        if found is None:
            by_plugin[key] = [worker]
        else:
            found.append(worker)
    runs: list[Run] = [[run] for run in by_plugin.values()]
    for coarser in (_subtype_key, _slot_key):
        if len(runs) <= collapse_above:
            break
        merged: dict[tuple[str, str], Run] = {}
        for run in runs:
            first = run[0][0]
            alone = len(run) == 1 and first.id in failing
            merged.setdefault(("id", first.id) if alone else coarser(first), []).extend(run)
        runs = list(merged.values())
    return runs


def _subtype(worker: WorkerInstance) -> str:
    record = worker.record
    return record.manifest.identification.subtype if record else "unresolved"


def _worker_node(
    worker: WorkerInstance, slot: str, row: str, failing: dict[str, list[str]]
) -> ViewNode:
    extra = ""
    if worker.triggers:
        extra = "\n" + ", ".join(f"{k} {_range(v)}" for k, v in worker.triggers.items())
    elif worker.trigger:
        extra = f"\non {worker.trigger}"
    order = f"{worker.order + 1}. " if slot == "context_workers" else ""
    label = f"{order}{worker.id}\n{worker.plugin} · {_subtype(worker)}{extra}"
    codes = tuple(failing.get(worker.id, ()))
    return ViewNode(worker.id, label, "worker", row, slot, worker.worker_type, (worker.id,), codes)


def _group_node(run: Run, slot: str, row: str, failing: dict[str, list[str]]) -> ViewNode:
    plugins = sorted({part[0].ref.plugin for part in run})
    subtypes = sorted({_subtype(part[0]) for part in run})
    members = tuple(w.id for part in run for w in part)
    what = plugins[0] if len(plugins) == 1 else f"{len(plugins)} plugins"
    kind = subtypes[0] if len(subtypes) == 1 else f"{len(subtypes)} subtypes"
    label = f"{len(members)} × {what}\n{kind}\n{members[0]}, …"
    codes: list[str] = []
    for worker_id in members if failing else ():
        codes += [c for c in failing.get(worker_id, ()) if c not in codes]
    first = run[0][0]
    return ViewNode(
        f"group:{slot}:{first.id}", label, "group", row, slot, first.worker_type, members,
        tuple(codes),
    )  # fmt: skip


def _range(bounds: list[float]) -> str:
    lo, hi = bounds
    return f"[{lo:g}, {hi:g}]" if hi >= 1.0 else f"[{lo:g}, {hi:g})"


def _add_event_edges(
    view: View,
    unit: CompileUnit,
    owner: dict[str, str],
    failing: dict[str, list[str]],
    internals: bool,
) -> None:
    """Event edges, mapped onto the drawn nodes: the context chain as unlabelled chain
    edges; an event with one drawn edge labelled on it; an event with several drawn
    edges (a fan-out, a fan-in or both) through one hub node that carries the label."""
    by_event: dict[tuple[str, str], dict[tuple[str, str], bool]] = {}
    chain: dict[tuple[str, str], bool] = {}
    context = {w.id for w in unit.workers if w.slot == "context_workers"}
    for src, dst, events in unit.graph.iter_edges():
        a, b = owner.get(src), owner.get(dst)
        if a is None or b is None or a == b:
            continue
        bad = src in failing and dst in failing
        for event, payload in events:
            if event in INTERNAL_EVENTS and not internals:
                continue
            if event == "TICK_RECEIVED" and src in context and dst in context:
                chain[a, b] = chain.get((a, b), False) or bad
                continue
            pairs = by_event.setdefault((event, payload), {})
            pairs[a, b] = pairs.get((a, b), False) or bad
    for (a, b), bad in chain.items():
        view.edges.append(ViewEdge(a, b, "chain", failing=bad, constraint=False))
    for (event, payload), pairs in by_event.items():
        _add_bundle(view, "event", f"{event}\n{payload}", f"event:{event}", pairs)


def _add_bundle(
    view: View, kind: EdgeKind, label: str, hub: str, pairs: dict[tuple[str, str], bool]
) -> None:
    """One drawn edge carries the label itself; several share one hub node that does
    (a fan-out, a fan-in or both), so a label is drawn once however many edges."""
    if len(pairs) == 1:
        (((a, b), bad),) = pairs.items()
        forward = view.row_index(b) > view.row_index(a)
        view.edges.append(ViewEdge(a, b, kind, label, bad, forward))
        return
    view.nodes[hub] = ViewNode(hub, label, "event" if kind == "event" else "dto_hub")
    sources = list(dict.fromkeys(a for a, _ in pairs))
    targets = list(dict.fromkeys(b for _, b in pairs))
    top = max(view.row_index(a) for a in sources)
    bad = any(pairs.values())
    for a in sources:
        view.edges.append(ViewEdge(a, hub, kind, failing=bad))
    for b in targets:
        view.edges.append(ViewEdge(hub, b, kind, failing=bad, constraint=view.row_index(b) > top))


def _add_dto_edges(
    view: View, unit: CompileUnit, owner: dict[str, str], failing: dict[str, list[str]]
) -> None:
    """Provider → consumer for each DTO a context worker provides to a worker outside
    the context chain (inside the chain the order shows it); a required DTO that no
    worker and not the platform provides gets a dashed placeholder node."""
    providers: dict[str, dict[str, None]] = {}  # DTO → the nodes drawing its providers
    for worker in unit.workers:
        record = worker.record
        if record is not None and worker.slot == "context_workers":
            node = owner.get(worker.id, worker.id)
            for dto in record.manifest.dependencies.provides_dtos:
                providers.setdefault(dto, {})[node] = None
    by_dto: dict[str, dict[tuple[str, str], bool]] = {}
    done: set[tuple[str, str]] = set()  # (node, plugin): the workers of a group alike
    for worker in unit.workers:
        record, target = worker.record, owner.get(worker.id)
        if record is None or target is None or (target, record.name) in done:
            continue
        done.add((target, record.name))
        for dto in record.manifest.dependencies.requires_dtos:
            found = providers.get(dto)
            if found and worker.slot == "context_workers":
                continue  # inside the chain its order shows the flow
            if not found and dto in PLATFORM_PROVIDED:
                continue
            pairs = by_dto.setdefault(dto, {})
            for source in found or (_missing_node(view, dto),):
                if source != target:
                    bad = worker.id in failing and source.startswith("missing:")
                    pairs[source, target] = pairs.get((source, target), False) or bad
    for dto, pairs in by_dto.items():
        _add_bundle(view, "dto", dto, f"dto:{dto}", pairs)


def _missing_node(view: View, dto: str) -> str:
    node = f"missing:{dto}"
    if node not in view.nodes:
        view.nodes[node] = ViewNode(node, f"{dto} — no provider", "missing", "context", "missing")
        for index, (row, title, groups) in enumerate(view.rows):
            if row == "context":
                view.rows[index] = (row, title, [*groups, ("missing", [node])])
                break
        else:
            view.rows.insert(1, ("context", ROWS[1][1], [("missing", [node])]))
    return node
