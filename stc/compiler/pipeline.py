"""The compile pipeline: load → validate → resolve → build graph → checks → emit.

Each pass reports every problem it finds. A pass that cannot continue stops only the
passes that depend on it: a blueprint with an unknown plugin still gets its other
workers type-checked, but a file that is not YAML is not validated.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stc.compiler import code_verdict, collector, root_cause, wiring
from stc.compiler.checks.document_kind import KIND_KEYS, missing_version, unknown_kind
from stc.compiler.checks.operation_files import check_links
from stc.compiler.checks.operation_values import check_operation_values
from stc.compiler.checks.platform_roots import check_platform_roots
from stc.compiler.diagnostics import Diagnostic, sort_diagnostics
from stc.compiler.graph import build_graph
from stc.compiler.memo import default_roots, discover, validate_known_document
from stc.compiler.model.blueprint import StrategyBlueprint
from stc.compiler.model.platform import Platform, default_platform
from stc.compiler.registry import PluginRegistry
from stc.compiler.resolve import check_worker_limit, resolve_workers
from stc.compiler.sources import (
    Loaded,
    LoadLimits,
    SourceFile,
    document_start,
    load_yaml_file,
    load_yaml_text,
)
from stc.compiler.unit import CompileUnit

if TYPE_CHECKING:
    from stc.compiler.model.operation import Operation
    from stc.runtime.plan.model import Plan

MODEL_PATHS: dict[str, tuple[str, str]] = {
    "strategy_blueprint": ("stc.compiler.model.blueprint", "StrategyBlueprint"),
    "operation": ("stc.compiler.model.operation", "Operation"),
    "plugin_manifest": ("stc.compiler.model.manifest", "PluginManifest"),
    "platform": ("stc.compiler.model.platform", "Platform"),
    "aggregation_policy": ("stc.compiler.model.aggregation", "AggregationPolicyFile"),
}
"""The model of each kind, by module and name: a check of a blueprint never imports
the operation format's models (five classes, ~2 ms)."""


def model_for(kind: str) -> type[Any]:
    """The pydantic model that validates documents of ``kind``."""
    module, name = MODEL_PATHS[kind]
    model: type[Any] = getattr(importlib.import_module(module), name)
    return model


@dataclass
class CompileOutcome:
    """The result for one strategy (or one non-strategy file checked on its own)."""

    file: str
    kind: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unit: CompileUnit | None = None
    wiring_data: dict[str, Any] | None = None
    linked_from: Path | None = None
    """The blueprint's path when it was compiled as a link of an operation."""
    """The compiled plan as plain data (what ``wiring_map.yaml`` holds)."""

    @cached_property
    def wiring_map(self) -> Plan | None:
        """The compiled plan as a validated model (built on first use)."""
        if self.wiring_data is None:
            return None
        from stc.runtime.plan.model import Plan  # the format: built when asked

        return Plan.model_validate(self.wiring_data)

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not any(d.is_error for d in self.diagnostics)


@dataclass
class Session:
    """Options shared by every file of one command, plus every source read (for
    rendering snippets)."""

    plugin_dirs: Sequence[Path] = ()
    entry_points: bool = True
    platform_file: Path | None = None
    limits: LoadLimits = field(default_factory=LoadLimits)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    emit: bool = True
    """Build each clean strategy's wiring data; ``stc check`` needs only diagnostics."""
    platforms: dict[str, _LoadedPlatform] = field(default_factory=dict)
    """Platform files read so far, by display name: each is read once per command."""
    registries: dict[tuple[str, ...], PluginRegistry] = field(default_factory=dict)
    """Discovered plugins by root list: an operation's links share one discovery (it
    was repeated per link, ~60% of an operation's compile time)."""

    def __post_init__(self) -> None:
        """The ``limits:`` of the ``--platform`` file govern every file loaded after it."""
        if self.platform_file is not None and os.path.isfile(self.platform_file):
            platform, _, _ = _load_platform(self.platform_file, str(self.platform_file), self)
            self.limits = LoadLimits(**platform.limits.model_dump(exclude={"max_workers"}))

    texts: Mapping[str, str] = field(default_factory=dict)
    """Texts to check instead of the files' (by display name): ``--fix`` passes."""

    def load(self, path: Path, display: str) -> Loaded:
        """Load a YAML file and remember its text for the renderers."""
        if display in self.texts:
            loaded = load_yaml_text(self.texts[display], display, self.limits)
        else:
            loaded = load_yaml_file(path, display, self.limits)
        if loaded.source is not None:
            self.sources[display] = loaded.source
        return loaded

    def registry(self, extra_roots: Sequence[Path] = ()) -> PluginRegistry:
        """Discover plugins (packaged, entry points, --plugins-dir, platform roots), once
        per list of roots and command."""
        extra = [*self.plugin_dirs, *extra_roots]
        key = tuple(str(Path(root).resolve()) for root in extra)
        registry = self.registries.get(key)
        if registry is None:
            registry = discover(default_roots(extra, entry_points=self.entry_points))
            self.registries[key] = registry
        self.sources.update(registry.sources)
        return registry


def detect_kind(data: Any) -> str | None:
    """Which input format a loaded document is, from its top-level keys."""
    if not isinstance(data, dict):
        return None
    for key, kind in KIND_KEYS.items():
        if key in data:
            return kind
    return None


def compile_path(path: Path, display: str, session: Session) -> list[CompileOutcome]:
    """Check or compile one file given on the command line (with the cyclic garbage
    collector paused: see :mod:`stc.compiler.collector`)."""
    with collector.paused():
        return _compile_path(path, display, session)


def _compile_path(path: Path, display: str, session: Session) -> list[CompileOutcome]:
    loaded = session.load(path, display)
    if not loaded.ok and loaded.data is None:
        return [CompileOutcome(display, None, list(loaded.diagnostics))]
    missing = missing_version(loaded, display)
    if missing is not None:  # before `aggregation:` could make it read as a policy
        return [CompileOutcome(display, None, [*loaded.diagnostics, missing])]
    kind = detect_kind(loaded.data)
    if kind is None:
        unknown = unknown_kind(display, document_start(loaded.source))
        return [CompileOutcome(display, None, [*loaded.diagnostics, unknown])]
    model, problems = validate_known_document(loaded, model_for(kind), kind)
    if kind == "strategy_blueprint" and problems:
        from stc.compiler.wrong_heading import reslot

        problems = reslot(problems, loaded, session.registry)
    found = [*loaded.diagnostics, *problems]
    if model is None:
        return [CompileOutcome(display, kind, found)]
    if kind == "strategy_blueprint":
        outcome = compile_blueprint_model(display, loaded, model, session)
        outcome.diagnostics = sort_diagnostics([*found, *outcome.diagnostics])
        return [outcome]
    if kind == "operation":
        return compile_operation(path, display, loaded, model, session, found)
    if kind == "platform":
        found += check_platform_roots(path, display, loaded, model)
    return [CompileOutcome(display, kind, sort_diagnostics(found))]


_LoadedPlatform = tuple[Platform, list[Diagnostic], Loaded | None]


def _load_platform(path: Path | None, display: str | None, session: Session) -> _LoadedPlatform:
    """The platform layer, its problems, and its loaded data (None when it has none)."""
    if path is None or display is None:
        return default_platform(), [], None
    if display not in session.platforms:
        session.platforms[display] = _read_platform(path, display, session)
    return session.platforms[display]


def _read_platform(path: Path, display: str, session: Session) -> _LoadedPlatform:
    loaded = session.load(path, display)
    if not loaded.ok and loaded.data is None:
        return default_platform(), list(loaded.diagnostics), None
    platform, problems = validate_known_document(loaded, Platform, "platform")
    if platform is not None:  # a missing root is reported here, at its line
        problems += check_platform_roots(path, display, loaded, platform)
    found = [*loaded.diagnostics, *problems]
    return platform or default_platform(), found, loaded


def compile_blueprint_model(
    display: str,
    loaded: Loaded,
    blueprint: StrategyBlueprint,
    session: Session,
    context: OperationContext | None = None,
) -> CompileOutcome:
    """Resolve, build and check one validated blueprint; emit its wiring map if clean."""
    platform_path = context.platform_path if context else session.platform_file
    platform_display = context.platform_display if context else _display(session.platform_file)
    platform, platform_problems, platform_loaded = _load_platform(
        platform_path, platform_display, session
    )
    too_many = check_worker_limit(display, loaded, blueprint, platform.limits.max_workers)
    if too_many is not None:  # before the passes whose cost grows with the workers
        return CompileOutcome(display, "strategy_blueprint", [*platform_problems, too_many])
    roots = [platform_path.parent / r for r in platform.plugin_roots] if platform_path else []
    roots = [root for root in roots if os.path.isdir(root)]
    unit = CompileUnit(
        blueprint_file=display,
        blueprint_loaded=loaded,
        blueprint=blueprint,
        registry=session.registry(roots),
        platform=platform,
        platform_file=platform_display if platform_loaded else None,
        platform_loaded=platform_loaded,
    )
    _apply_layers(unit, context)
    resolved = resolve_workers(unit)
    problems = [*platform_problems, *unit.registry.diagnostics]
    wiring.expand(unit)
    build_graph(unit)
    checked = code_verdict.check_against_code(unit)
    problems += root_cause.merge_identical(root_cause.suppress(unit, resolved, checked))
    session.sources.update(unit.registry.sources)  # plugin code lines the checks quoted
    outcome = CompileOutcome(display, "strategy_blueprint", sort_diagnostics(problems), unit)
    if outcome.ok and session.emit:
        from stc.compiler.emit.wiring_map import build_wiring_data

        outcome.wiring_data = build_wiring_data(unit)
    return outcome


def _display(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _apply_layers(unit: CompileUnit, context: OperationContext | None) -> None:
    """platform → operation → blueprint: the nearest layer that sets a value wins."""
    unit.aggregation = unit.platform.aggregation
    if unit.blueprint.aggregation is not None:
        unit.aggregation = unit.blueprint.aggregation
        unit.aggregation_from_blueprint = True
    if context is None:
        return
    unit.operation = context.operation
    unit.operation_file = context.display
    unit.operation_loaded = context.loaded
    unit.link_index = context.link_index
    unit.environment = context.operation.environment
    link = context.operation.strategy_links[context.link_index]
    unit.starting_capital = link.starting_capital
    unit.data_source_name = link.data_source
    unit.data_source = context.operation.data_sources.get(link.data_source)


@dataclass
class OperationContext:
    """The operation layer a linked blueprint is compiled under."""

    operation: Operation
    display: str
    loaded: Loaded
    link_index: int
    folder: Path
    platform_path: Path | None
    platform_display: str | None


def compile_operation(
    path: Path,
    display: str,
    loaded: Loaded,
    operation: Operation,
    session: Session,
    found: list[Diagnostic],
) -> list[CompileOutcome]:
    """Compile every strategy the operation links, each under the operation's layer."""
    folder = path.parent
    own = [*found, *check_links(display, loaded, operation, folder)]
    own += check_operation_values(display, loaded, operation)
    platform_path = (folder / operation.platform) if operation.platform else session.platform_file
    if operation.platform and not os.path.isfile(folder / operation.platform):
        platform_path = None  # reported by _check_links, at the `platform:` line
    platform_display = _join_display(display, operation.platform) or _display(platform_path)
    outcomes = [CompileOutcome(display, "operation", sort_diagnostics(own))]
    for index, link in enumerate(operation.strategy_links):
        blueprint_path = folder / link.blueprint
        blueprint_display = _join_display(display, link.blueprint) or link.blueprint
        if not os.path.isfile(blueprint_path):
            continue  # reported by _check_links
        context = OperationContext(
            operation, display, loaded, index, folder, platform_path, platform_display
        )
        linked = _compile_linked(blueprint_path, blueprint_display, session, context)
        linked.linked_from = blueprint_path.resolve()
        outcomes.append(linked)
    return outcomes


def compile_paths(paths: Sequence[Path], session: Session) -> list[CompileOutcome]:
    """Compile several files; a blueprint that an operation on the same command line
    links is checked through that operation only (alone it may lack the operation's
    layer, e.g. its schedules, and would report errors the operation resolves)."""
    results = [(path, compile_path(path, str(path), session)) for path in paths]
    linked = {o.linked_from for _, found in results for o in found if o.linked_from}
    return [
        outcome
        for path, found in results
        if not (path.resolve() in linked and all(o.kind == "strategy_blueprint" for o in found))
        for outcome in found
    ]


def _join_display(operation_display: str, relative: str | None) -> str | None:
    if relative is None:
        return None
    parent = Path(operation_display).parent
    return (parent / relative).as_posix() if str(parent) != "." else relative


def _compile_linked(
    path: Path, display: str, session: Session, context: OperationContext
) -> CompileOutcome:
    loaded = session.load(path, display)
    if not loaded.ok and loaded.data is None:
        return CompileOutcome(display, None, list(loaded.diagnostics))
    blueprint, problems = validate_known_document(loaded, StrategyBlueprint, "strategy_blueprint")
    if blueprint is None:
        return CompileOutcome(display, "strategy_blueprint", [*loaded.diagnostics, *problems])
    outcome = compile_blueprint_model(display, loaded, blueprint, session, context)
    outcome.diagnostics = sort_diagnostics([*loaded.diagnostics, *outcome.diagnostics])
    return outcome
