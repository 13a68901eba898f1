"""The wiring graph: plain data inside the compiler, networkx only for API users and to
explain a cycle; a check, compile or graph of a valid blueprint never imports networkx
(~150 ms) or pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from stc.compiler.api import compile_blueprint
from stc.compiler.checks.triggers import _cells, _contains, _uncovered_1d
from stc.compiler.digraph import WiringGraph
from stc.compiler.unit import WorkerInstance

REPO = Path(__file__).resolve().parents[2]
EMA = "blueprints/ema_trend.yaml"
CYCLE = "tests/fixtures/stc020_wiring_cycle.yaml"
CYCLE_ROOT = "tests/fixtures/plugin_roots/stc020"


def test_result_graph_is_a_networkx_digraph_of_the_same_graph() -> None:
    result = compile_blueprint(REPO / EMA)
    assert result.outcome.unit is not None
    plain = result.outcome.unit.graph
    graph = result.graph
    assert isinstance(graph, nx.DiGraph)
    assert list(graph.nodes(data=True)) == list(plain.nodes.items())
    assert list(graph.edges(data="events")) == list(plain.iter_edges())
    assert graph.nodes["platform"] == {"kind": "platform", "phase": "0"}
    assert nx.is_directed_acyclic_graph(graph)
    assert nx.has_path(graph, "platform", "flow_terminator")


def test_result_graph_of_a_cycle_keeps_the_cycle() -> None:
    result = compile_blueprint(REPO / CYCLE, plugin_dirs=[REPO / CYCLE_ROOT])
    assert any(d.code == "STC020" for d in result.diagnostics)
    assert not nx.is_directed_acyclic_graph(result.graph)


def test_plain_graph_follows_networkx_semantics() -> None:
    graph = WiringGraph()
    graph.add_node("a", {"kind": "x", "phase": "1"})
    graph.add_node("b", {"kind": "y"})
    graph.add_node("a", {"kind": "z"})  # an update, not a second node
    graph.add_edges([(("b", "c"), [("E1", "P1")]), (("a", "b"), [("E2", "P2")])])
    assert graph.nodes == {"a": {"kind": "z", "phase": "1"}, "b": {"kind": "y"}, "c": {}}
    assert list(graph.iter_edges()) == [("a", "b", [("E2", "P2")]), ("b", "c", [("E1", "P1")])]
    assert graph.has_path("a", "c") and not graph.has_path("c", "a")
    assert not graph.has_path("missing", "a")
    assert not graph.has_cycle()
    graph.add_edges([(("c", "c"), [("E3", "P3")])])
    assert graph.has_cycle()


NODES = st.sampled_from("abcdefg")


@given(st.lists(st.tuples(NODES, NODES), max_size=20), NODES, NODES)
def test_cycles_and_paths_agree_with_networkx(
    edges: list[tuple[str, str]], source: str, target: str
) -> None:
    graph = WiringGraph()
    for node in "abcdefg":
        graph.add_node(node, {})
    graph.add_edges(((src, dst), [("E", "P")]) for src, dst in edges)
    reference = graph.to_networkx()
    assert graph.has_cycle() == (not nx.is_directed_acyclic_graph(reference))
    assert graph.has_path(source, target) == nx.has_path(reference, source, target)


ENDS = st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.8, 1.0])


@given(st.lists(st.tuples(ENDS, ENDS).filter(lambda r: r[0] < r[1]), min_size=2, max_size=8))
def test_the_one_dimensional_gap_sweep_equals_the_containment_test(
    ranges: list[tuple[float, float]],
) -> None:
    planners = [
        WorkerInstance(id=f"p{i}", ref=None, slot="entry", loc=(), order=i,  # type: ignore[arg-type]
                       triggers={"confidence": [lo, hi]})
        for i, (lo, hi) in enumerate(ranges)
    ]  # fmt: skip
    boxes = [{"confidence": (lo, hi)} for lo, hi in ranges]
    cells = _cells(planners, ["confidence"])
    expected = [c for c in cells if not any(_contains(b, c) for b in boxes)]
    assert _uncovered_1d(boxes, cells, "confidence") == expected


_IMPORTS_SCRIPT = """
import sys
from stc.commands.cli import main
out = sys.argv[1]
codes = [
    main(["check", "blueprints/ema_trend.yaml"]),
    main(["compile", "blueprints/ema_trend.yaml", "-o", out]),
    main(["graph", "blueprints/ema_trend.yaml", "-o", out + "/wiring.dot"]),
]
print(codes, sorted(m for m in ("networkx", "pandas") if m in sys.modules))
"""


def test_check_compile_and_graph_import_neither_networkx_nor_pandas(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS_SCRIPT, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "[0, 0, 0] []", done.stderr
