"""Blueprint shapes for compile cost against chain length and fan width (issue 27).

``benchmarks/synthetic.py`` makes wide blueprints over a fixed chain of 10 context
plugins; the cost of a long *dependency chain* (each worker requiring the DTO of the
one before it) and of a wide fan-in or fan-out was never measured. Each shape here gets
its own plugin root (N plugins, so the chain and the fan-in are made of distinct DTOs):

- ``chain``: N context workers, ``Link0000`` ← ``OHLCVWindow``, ``LinkK`` ← ``LinkK-1``;
  one opportunity worker requires the last link;
- ``fan_out``: one context worker provides ``RootDto``; N context workers each require
  it (distinct plugins, each providing its own DTO), and one opportunity worker
  requires all of those;
- ``fan_in``: N context workers each require ``OHLCVWindow`` and provide their own DTO;
  one context worker requires all N; one opportunity worker requires its DTO.

Every blueprint also has one strategy planner and one planner of each kind, and
compiles without diagnostics. Generated into a temporary directory; nothing here is
committed output.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from pathlib import Path

from benchmarks.synthetic import PLANNER_KINDS, SynthPlugin, manifest_text, worker_text
from stc.compiler.api import compile_blueprint

SHAPES = ("chain", "fan_out", "fan_in")


def _context(name: str, requires: tuple[str, ...], dto: str) -> SynthPlugin:
    return SynthPlugin(name, "context_worker", "indicator_calculation", requires, (dto,),
                       own_dto=dto)  # fmt: skip


def _tail(requires: tuple[str, ...]) -> list[SynthPlugin]:
    """The opportunity worker and the planners every shape ends with."""
    plugins = [
        SynthPlugin("ShapeOpp", "opportunity_worker", "breakout_detection", requires,
                    ("OpportunitySignal",)),
        SynthPlugin("ShapeSwot", "strategy_planner", "swot_entry", (), ("StrategyDirective",)),
    ]  # fmt: skip
    for type_id, prefix, subtype, dto in PLANNER_KINDS.values():
        plugins.append(SynthPlugin(f"Shape{prefix}", type_id, subtype, (), (dto,)))
    return plugins


def chain_plugins(n: int) -> list[SynthPlugin]:
    """N links, each requiring the previous one's DTO."""
    links = [
        _context(f"Link{i:04d}", ("OHLCVWindow",) if i == 0 else (f"LinkDto{i - 1:04d}",),
                 f"LinkDto{i:04d}")
        for i in range(n)
    ]  # fmt: skip
    return links + _tail((f"LinkDto{n - 1:04d}",))


def fan_out_plugins(n: int) -> list[SynthPlugin]:
    """One root, N consumers of it, one opportunity consuming all N."""
    root = _context("FanRoot", ("OHLCVWindow",), "RootDto")
    branches = [_context(f"Branch{i:04d}", ("RootDto",), f"BranchDto{i:04d}") for i in range(n)]
    return [root, *branches, *_tail(tuple(f"BranchDto{i:04d}" for i in range(n)))]


def fan_in_plugins(n: int) -> list[SynthPlugin]:
    """N producers, one context worker requiring all of them."""
    sources = [_context(f"Source{i:04d}", ("OHLCVWindow",), f"SourceDto{i:04d}") for i in range(n)]
    sink = _context("FanSink", tuple(f"SourceDto{i:04d}" for i in range(n)), "SinkDto")
    return [*sources, sink, *_tail(("SinkDto",))]


PLUGINS: dict[str, Callable[[int], list[SynthPlugin]]] = {
    "chain": chain_plugins,
    "fan_out": fan_out_plugins,
    "fan_in": fan_in_plugins,
}


def blueprint_text(plugins: list[SynthPlugin], name: str) -> str:
    """One instance of every plugin, context workers in dependency order."""
    lines = ["blueprint_version: 1", f"name: {name}", "symbol: BTCUSDT", "timeframes: [1h]",
             "workforce:", "  context_workers:"]  # fmt: skip
    by_type: dict[str, list[SynthPlugin]] = {}
    for plugin in plugins:
        by_type.setdefault(plugin.type, []).append(plugin)
    for i, plugin in enumerate(by_type["context_worker"]):
        lines += [f"    - id: ctx_{i:05d}", f"      plugin: {plugin.name}"]
    lines += ["  opportunity_workers:", "    - id: opp", "      plugin: ShapeOpp",
              "  threat_workers: []", "  strategy_planner:", "    id: swot",
              "    plugin: ShapeSwot", "  planning_workers:"]  # fmt: skip
    for kind, (_, prefix, _, _) in PLANNER_KINDS.items():
        lines += [f"    {kind}:", f"      - id: {kind}", f"        plugin: Shape{prefix}"]
    return "\n".join(lines) + "\n"


def write_shape(parent: Path, shape: str, n: int) -> tuple[Path, Path]:
    """Write the plugin root and the blueprint of ``shape`` with ``n`` workers in its
    chain or fan; return (blueprint path, plugin root)."""
    plugins = PLUGINS[shape](n)
    folder = parent / f"{shape}_{n}"
    root = folder / "plugins"
    for plugin in plugins:
        target = root / plugin.type / plugin.name.lower()
        target.mkdir(parents=True, exist_ok=True)
        (target / "plugin_manifest.yaml").write_text(manifest_text(plugin), encoding="utf-8")
        (target / "worker.py").write_text(worker_text(plugin), encoding="utf-8")
    path = folder / f"{shape}_{n}.yaml"
    path.write_text(blueprint_text(plugins, f"{shape}_{n}"), encoding="utf-8")
    return path, root


def warm_compile_calls(path: Path, root: Path) -> int:
    """Python function calls (cProfile) of one compile + wiring map of ``path``, after a
    first compile imported the plugin modules: a count no other process can blur, so
    linearity is seen at any machine load."""
    first = compile_blueprint(path, plugin_dirs=[root])
    assert first.ok, first.rendered_diagnostics()
    profiler = cProfile.Profile()
    profiler.enable()
    compile_blueprint(path, plugin_dirs=[root]).wiring_map  # noqa: B018 - part of compiling
    profiler.disable()
    return int(pstats.Stats(profiler).total_calls)  # type: ignore[attr-defined]
