"""Mermaid output (issue 21) checked by the real Mermaid parser: ``mermaid.parse`` of
the npm ``mermaid`` package under node (tools/mermaid/parse.mjs, installed by `make
test` with ``npm ci``), not by string matching. Skipped only when node is absent."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from benchmarks.synthetic import write_blueprint, write_plugin_root
from stc.commands.cli import main
from stc.compiler.api import compile_blueprint
from stc.compiler.emit.mermaid import MAX_EDGES, MAX_TEXT, render_mermaid
from tests.conftest import REFERENCE_STRATEGIES

REPO = Path(__file__).resolve().parents[3]
PARSER = REPO / "tools" / "mermaid"
FAILING = ("stc010_missing_provider.yaml", "stc041_trigger_overlap.yaml")


@cache
def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Mermaid parser runs under node")
    if not (PARSER / "node_modules" / "mermaid").is_dir():
        pytest.fail("tools/mermaid/node_modules is missing: run `make mermaid` (npm ci)")
    return node


def _parse(files: list[Path]) -> dict[str, dict[str, object]]:
    done = subprocess.run(
        [_node(), str(PARSER / "parse.mjs"), *map(str, files)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(files), done.stderr
    return {Path(str(r["file"])).name: r for r in results}


def _sources(tmp_path: Path) -> dict[str, str]:
    sources = {}
    for path in REFERENCE_STRATEGIES:
        result = compile_blueprint(REPO / path)
        sources[Path(path).stem] = render_mermaid(result.outcome.unit, result.diagnostics)
    for name in FAILING:
        result = compile_blueprint(REPO / "tests" / "fixtures" / name)
        assert not result.ok
        sources[Path(name).stem] = render_mermaid(result.outcome.unit, result.diagnostics)
    root = write_plugin_root(tmp_path)
    for size in (300, 1000):
        result = compile_blueprint(write_blueprint(tmp_path, size), plugin_dirs=[root])
        sources[f"synthetic_{size}"] = render_mermaid(result.outcome.unit, result.diagnostics)
    return sources


def test_every_diagram_parses_with_the_real_mermaid_parser(tmp_path: Path) -> None:
    files = []
    for name, text in _sources(tmp_path).items():
        assert len(text) <= MAX_TEXT and text.count("-->") + text.count("-.->") <= MAX_EDGES
        files.append(tmp_path / f"{name}.mmd")
        files[-1].write_text(text, encoding="utf-8")
    broken = tmp_path / "broken.mmd"  # the parser does reject a bad diagram
    broken.write_text("flowchart TB\n  a[[x -->\n", encoding="utf-8")
    results = _parse([*files, broken])
    assert results.pop("broken.mmd")["ok"] is False
    bad = {name: r["error"] for name, r in results.items() if not r["ok"]}
    assert bad == {}
    assert {r["type"] for r in results.values()} == {"flowchart-v2"}


def test_phases_are_subgraphs_and_edges_carry_labels() -> None:
    result = compile_blueprint(REPO / "blueprints" / "ict_smc.yaml")
    text = render_mermaid(result.outcome.unit, result.diagnostics)
    rows = re.findall(r"^  subgraph (row_\w+)\[", text, re.M)
    assert rows[:3] == ["row_market_data", "row_context", "row_aggregation"]
    assert "  row_market_data ~~~ row_context" in text  # the rows held in order
    assert '-->|"CONTEXT_READY<br/>TradingContext"|' in text
    assert '-.->|"' not in text or "MarketStructure" in text
    assert '(["STRATEGY_DIRECTIVE_ISSUED<br/>StrategyDirective"]):::event' in text


def test_errors_and_missing_providers_are_styled() -> None:
    result = compile_blueprint(REPO / "tests" / "fixtures" / "stc010_missing_provider.yaml")
    text = render_mermaid(result.outcome.unit, result.diagnostics)
    assert re.search(r'\["\w+ — no provider"\]:::missing', text)
    assert re.search(r"^  class [n\d,]+ error$", text, re.M)


def test_cli_writes_mmd(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "wiring.mmd"
    assert main(["graph", str(REPO / "blueprints/ema_trend.yaml"), "-o", str(out)]) == 0
    assert "flowchart TB" in out.read_text(encoding="utf-8")
    assert main(["graph", str(REPO / "blueprints/ema_trend.yaml"), "--format", "mermaid"]) == 0
    assert "flowchart TB" in capsys.readouterr().out
