"""The wiring graph as plain data: nodes with attributes, an edge map and adjacency.

Why not networkx: importing it costs ~150 ms (half the cold-start budget of
``stc check``) and the checks need only three algorithms — cycle detection (Kahn's
peeling of nodes without predecessors; ``graphlib`` measured 4× slower, see
docs/decisions.md), reachability (a breadth-first search) and, on the error path
only, strongly connected components to explain a cycle. networkx is imported only
there and by ``to_networkx`` (the public ``CompileResult.graph``).

Iteration order is networkx's: nodes in insertion order, edges grouped by source node
in node order and, per source, in insertion order — the DOT emitter relies on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

Events = list[tuple[str, str]]
"""The (event, payload DTO) pairs an edge carries, in subscription order."""


@dataclass
class WiringGraph:
    """Directed graph of workers and platform components; edges carry events."""

    nodes: dict[str, dict[str, object]] = field(default_factory=dict)
    """Node id → attributes, in insertion order."""
    edges: dict[tuple[str, str], Events] = field(default_factory=dict)
    """(source, destination) → the events the edge carries."""
    successors: dict[str, list[str]] = field(default_factory=dict)
    """Node id → its successors, in edge insertion order."""

    def add_node(self, node: str, attrs: dict[str, object]) -> None:
        """Add ``node``, or update its attributes (networkx's ``add_node`` semantics).

        ``attrs`` is kept, not copied, and never mutated: nodes of identical workers
        share one dict (node attributes are read-only once the graph is built).
        """
        existing = self.nodes.get(node)
        if existing is None:
            self.nodes[node] = attrs
            self.successors[node] = []
        else:
            self.nodes[node] = {**existing, **attrs}

    def add_edges(self, edges: Iterable[tuple[tuple[str, str], Events]]) -> None:
        """Add edges (an unknown endpoint becomes a node without attributes)."""
        nodes, successors, own = self.nodes, self.successors, self.edges
        for pair, events in edges:
            src, dst = pair
            if src not in nodes:
                nodes[src], successors[src] = {}, []
            if dst not in nodes:
                nodes[dst], successors[dst] = {}, []
            if pair not in own:
                successors[src].append(dst)
            own[pair] = events

    def has_node(self, node: str) -> bool:
        """True when ``node`` is in the graph."""
        return node in self.nodes

    def has_edge(self, src: str, dst: str) -> bool:
        """True when an edge ``src → dst`` exists."""
        return (src, dst) in self.edges

    def iter_edges(self) -> Iterator[tuple[str, str, Events]]:
        """(source, destination, events) in networkx's edge order."""
        edges = self.edges
        for src, following in self.successors.items():
            for dst in following:
                yield src, dst, edges[src, dst]

    def has_cycle(self) -> bool:
        """True when the graph has a cycle (a self-loop counts): Kahn's algorithm
        removes nodes without remaining predecessors; a cycle's nodes never get there."""
        indegree = dict.fromkeys(self.nodes, 0)
        for _, dst in self.edges:
            indegree[dst] += 1
        ready = [node for node, count in indegree.items() if count == 0]
        successors = self.successors
        for node in ready:  # grows while it is walked
            for following in successors[node]:
                indegree[following] -= 1
                if indegree[following] == 0:
                    ready.append(following)
        return len(ready) != len(indegree)

    def has_path(self, source: str, target: str) -> bool:
        """True when ``target`` is reachable from ``source`` (breadth-first)."""
        if source not in self.nodes:
            return False
        seen = {source}
        frontier = [source]
        successors = self.successors
        for node in frontier:
            if node == target:
                return True
            for following in successors[node]:
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        return False

    def to_networkx(self) -> nx.DiGraph[str]:
        """The same nodes, attributes and edges (``events``) as a networkx DiGraph."""
        import networkx as nx

        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from((node, dict(attrs)) for node, attrs in self.nodes.items())
        graph.add_edges_from(
            (src, dst, {"events": events}) for (src, dst), events in self.edges.items()
        )
        return graph
