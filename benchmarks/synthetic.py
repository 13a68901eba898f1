"""Synthetic plugins and blueprints for the compile-scaling benchmark.

``write_plugin_root(folder)`` writes a fixed set of 52 plugins (manifest + worker.py
each) that derive from the ``stc.runtime.workers`` bases with the normative handler
signatures. ``blueprint_text(n)`` writes a blueprint of ``n`` worker instances over
them that compiles without errors or warnings:

- a context chain whose first workers are ``CtxChainKK`` plugins, each requiring the
  DTO of the one before it (``ChainDto00`` ← ``OHLCVWindow``), followed by many
  ``CtxLeafKK`` instances that require one or two chain DTOs and provide a leaf DTO
  no one consumes (so the data-flow checks work on every worker without STC012);
- opportunity and threat workers requiring chain DTOs;
- one SWOT strategy planner;
- ``k = max(1, n // 100)`` planners per kind (entry, size, exit, routing) with
  trigger ranges that split ``confidence`` in ``[0, 1]`` into ``k`` adjacent ranges.

Generated files live in a temporary directory; nothing here is committed output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT_NAME = "synthetic_plugins"
"""Folder name of the plugin root (wiring maps name manifests relative to it)."""

CHAIN_LEN = 10
LEAF_COUNT = 15
OPPORTUNITY_COUNT = 8
THREAT_COUNT = 6
PLANNERS_PER_KIND = 3

CONTEXT_SUBTYPES = (
    "regime_classification", "structural_analysis", "indicator_calculation",
    "microstructure_analysis", "temporal_context", "sentiment_enrichment",
    "fundamental_enrichment",
)  # fmt: skip
OPPORTUNITY_SUBTYPES = ("breakout_detection", "pullback_detection", "statistical_edge")
THREAT_SUBTYPES = ("risk_limit_monitoring", "drawdown_monitoring", "volatility_monitoring")


@dataclass(frozen=True)
class SynthPlugin:
    """One synthetic plugin: what its manifest and module say."""

    name: str
    type: str
    subtype: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]
    factors: tuple[str, ...] = ()
    own_dto: str | None = None
    """A DTO class defined in the plugin's module (context workers)."""
    min_chain: int = 0
    """Chain workers that must precede an instance (its requirements)."""


def _chain_dto(i: int) -> str:
    return f"ChainDto{i:02d}"


def _context_plugins() -> list[SynthPlugin]:
    plugins = []
    for i in range(CHAIN_LEN):
        requires = ("OHLCVWindow",) if i == 0 else (_chain_dto(i - 1),)
        plugins.append(
            SynthPlugin(
                f"CtxChain{i:02d}", "context_worker", CONTEXT_SUBTYPES[i % 7], requires,
                (_chain_dto(i),), (f"chain_{i:02d}_strength",), _chain_dto(i), i,
            )
        )  # fmt: skip
    for i in range(LEAF_COUNT):
        first, second = i % CHAIN_LEN, (i * 3 + 1) % CHAIN_LEN
        needs = tuple(sorted({_chain_dto(first), _chain_dto(second)}))
        leaf = f"LeafDto{i:02d}"
        plugins.append(
            SynthPlugin(
                f"CtxLeaf{i:02d}", "context_worker", CONTEXT_SUBTYPES[i % 7], needs,
                (leaf,), (), leaf, max(first, second) + 1,
            )
        )  # fmt: skip
    return plugins


def _signal_plugins() -> list[SynthPlugin]:
    plugins = []
    for i in range(OPPORTUNITY_COUNT):
        dto = _chain_dto(i % CHAIN_LEN)
        plugins.append(
            SynthPlugin(
                f"Opp{i:02d}", "opportunity_worker", OPPORTUNITY_SUBTYPES[i % 3], (dto,),
                ("OpportunitySignal",), min_chain=i % CHAIN_LEN + 1,
            )
        )  # fmt: skip
    for i in range(THREAT_COUNT):
        dto = _chain_dto((i * 2) % CHAIN_LEN)
        plugins.append(
            SynthPlugin(
                f"Thr{i:02d}", "threat_worker", THREAT_SUBTYPES[i % 3], (dto,),
                ("ThreatSignal",), min_chain=(i * 2) % CHAIN_LEN + 1,
            )
        )  # fmt: skip
    return plugins


PLANNER_KINDS: dict[str, tuple[str, str, str, str]] = {
    # kind: (type id, class prefix, subtype, provided DTO)
    "entry": ("entry_planner", "Entry", "market_entry", "EntryPlan"),
    "size": ("size_planner", "Size", "fixed_risk", "SizePlan"),
    "exit": ("exit_planner", "Exit", "fixed_risk_reward", "ExitPlan"),
    "routing": ("routing_planner", "Route", "market", "RoutingPlan"),
}


def _planner_plugins() -> list[SynthPlugin]:
    plugins = [
        SynthPlugin("SwotPlanner", "strategy_planner", "swot_entry", (), ("StrategyDirective",))
    ]
    for type_id, prefix, subtype, dto in PLANNER_KINDS.values():
        for i in range(PLANNERS_PER_KIND):
            plugins.append(SynthPlugin(f"{prefix}{i:02d}", type_id, subtype, (), (dto,)))
    return plugins


def synthetic_plugins() -> list[SynthPlugin]:
    """The fixed plugin set (52 plugins)."""
    return [*_context_plugins(), *_signal_plugins(), *_planner_plugins()]


def _flow(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(items) + "]"


def manifest_text(plugin: SynthPlugin) -> str:
    """The plugin's ``plugin_manifest.yaml``."""
    warmup = '"params.period + 1"' if plugin.type == "context_worker" else "0"
    return f"""manifest_version: 1
identification:
  name: {plugin.name}
  version: 1.0.0
  type: {plugin.type}
  subtype: {plugin.subtype}
  description: Synthetic {plugin.type} for the compile-scaling benchmark.
entrypoint: worker:{plugin.name}
capabilities: {{state: false, events: false, journaling: false, ledger: none}}
dependencies:
  requires_dtos: {_flow(plugin.requires)}
  provides_dtos: {_flow(plugin.provides)}
  provides_factors: {_flow(plugin.factors)}
  publishes: []
warmup: {{bars: {warmup}}}
config_schema:
  type: object
  additionalProperties: false
  properties:
    period: {{type: integer, minimum: 1, maximum: 5000, default: 14}}
    threshold: {{type: number, minimum: 0, maximum: 1, default: 0.5}}
"""


_HANDLERS: dict[str, tuple[str, str, str, str]] = {
    # type id: (base class, method, parameter, parameter type)
    "context_worker": ("ContextWorker", "on_tick", "context", "TradingContext"),
    "opportunity_worker": (
        "OpportunityWorker", "on_context_assessment", "context", "TradingContext",
    ),
    "threat_worker": ("ThreatWorker", "on_tick", "context", "TradingContext"),
    "strategy_planner": ("StrategyPlanner", "on_swot", "swot", "SWOTInputs"),
    "entry_planner": ("EntryPlanner", "on_strategy_directive", "directive", "StrategyDirective"),
    "size_planner": ("SizePlanner", "on_strategy_directive", "directive", "StrategyDirective"),
    "exit_planner": ("ExitPlanner", "on_strategy_directive", "directive", "StrategyDirective"),
    "routing_planner": ("RoutingPlanner", "on_routing_request", "request", "RoutingRequest"),
}  # fmt: skip


def worker_text(plugin: SynthPlugin) -> str:
    """The plugin's ``worker.py``: a do-nothing handler with the normative signature."""
    base, method, param, param_type = _HANDLERS[plugin.type]
    returned = plugin.provides[0]
    header = "from __future__ import annotations\n\n"
    dto_class = ""
    imports = {param_type}
    if plugin.own_dto is not None:
        header += "from dataclasses import dataclass\n\n"
        dto_class = (
            f"\n\n\n@dataclass(frozen=True, slots=True)\nclass {plugin.own_dto}:\n"
            f'    """Synthetic output of {plugin.name}."""\n\n    value: float'
        )
    else:
        imports.add(returned)
    dtos = ", ".join(sorted(imports))
    return f'''"""Synthetic {plugin.type} {plugin.name} (generated by benchmarks/synthetic.py)."""

{header}from stc.runtime.dtos import {dtos}
from stc.runtime.workers import {base}{dto_class}


class {plugin.name}({base}):
    """Does nothing; only its shape matters to the compiler."""

    def {method}(self, {param}: {param_type}) -> {returned} | None:
        """Never produces output."""
        return None
'''


def write_plugin_root(parent: Path) -> Path:
    """Write every synthetic plugin under ``parent / ROOT_NAME``; return the root."""
    root = parent / ROOT_NAME
    for plugin in synthetic_plugins():
        folder = root / plugin.type / plugin.name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "plugin_manifest.yaml").write_text(manifest_text(plugin), encoding="utf-8")
        (folder / "worker.py").write_text(worker_text(plugin), encoding="utf-8")
    return root


@dataclass(frozen=True)
class Workforce:
    """How many instances of each slot a blueprint of ``total`` workers gets."""

    total: int
    chain: int
    leaves: int
    opportunities: int
    threats: int
    planners_per_kind: int


def workforce_for(total: int) -> Workforce:
    """Split ``total`` instances: mostly context, many signals, k planners per kind."""
    if total < 10:
        raise ValueError("synthetic blueprints need at least 10 workers")
    k = max(1, total // 100)
    rest = total - 1 - 4 * k
    signals = rest * 2 // 5
    opportunities = signals * 3 // 5
    threats = signals - opportunities
    context = rest - signals
    chain = min(CHAIN_LEN, context)
    return Workforce(total, chain, context - chain, opportunities, threats, k)


def _eligible(plugins: list[SynthPlugin], chain: int) -> list[SynthPlugin]:
    found = [p for p in plugins if p.min_chain <= chain]
    if not found:
        raise ValueError(f"no synthetic plugin fits a chain of {chain}")
    return found


def _entry(worker_id: str, plugin: str, index: int, indent: str = "    ") -> list[str]:
    lines = [f"{indent}- id: {worker_id}", f"{indent}  plugin: {plugin}"]
    if index % 3 == 0:
        lines.append(f"{indent}  params: {{period: {10 + index % 40}, threshold: 0.25}}")
    return lines


def _triggers(i: int, k: int) -> str:
    lo, hi = round(i / k, 6), round((i + 1) / k, 6)
    return f"triggers: {{confidence: [{lo!r}, {hi!r}]}}"


def blueprint_text(total: int, name: str | None = None) -> str:
    """A blueprint of ``total`` worker instances (execution handler not counted)."""
    shape = workforce_for(total)
    plugins = synthetic_plugins()
    by_type: dict[str, list[SynthPlugin]] = {}
    for plugin in plugins:
        by_type.setdefault(plugin.type, []).append(plugin)
    chain = by_type["context_worker"][: shape.chain]
    leaves = _eligible(by_type["context_worker"][CHAIN_LEN:], shape.chain)
    opps = _eligible(by_type["opportunity_worker"], shape.chain)
    threats = _eligible(by_type["threat_worker"], shape.chain)
    lines = [
        "blueprint_version: 1",
        f"name: {name or f'synthetic_{total}'}",
        "symbol: BTCUSDT",
        "timeframes: [1h, 4h]",
        "workforce:",
        "  context_workers:",
    ]
    for i in range(shape.chain + shape.leaves):
        plugin = chain[i] if i < shape.chain else leaves[(i - shape.chain) % len(leaves)]
        lines += _entry(f"ctx_{i:05d}", plugin.name, i)
    lines.append("  opportunity_workers:")
    for i in range(shape.opportunities):
        lines += _entry(f"opp_{i:05d}", opps[i % len(opps)].name, i)
    lines.append("  threat_workers:" if shape.threats else "  threat_workers: []")
    for i in range(shape.threats):
        lines += _entry(f"thr_{i:05d}", threats[i % len(threats)].name, i)
    lines += ["  strategy_planner:", "    id: swot", "    plugin: SwotPlanner"]
    lines.append("  planning_workers:")
    k = shape.planners_per_kind
    for kind, (_, prefix, _, _) in PLANNER_KINDS.items():
        lines.append(f"    {kind}:")
        for i in range(k):
            planner = f"{prefix}{i % PLANNERS_PER_KIND:02d}"
            lines += _entry(f"{kind}_{i:05d}", planner, i, indent="      ")
            lines.append(f"        {_triggers(i, k)}")
    return "\n".join(lines) + "\n"


def write_blueprint(folder: Path, total: int) -> Path:
    """Write ``synthetic_<total>.yaml`` into ``folder``; return its path."""
    path = folder / f"synthetic_{total}.yaml"
    path.write_text(blueprint_text(total), encoding="utf-8")
    return path
