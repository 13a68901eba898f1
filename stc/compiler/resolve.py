"""Resolve pass: blueprint workers → plugins, params (defaults applied), warm-up,
triggers, the execution handler of the environment, and the configuration layers
(platform → operation → blueprint → manifest defaults).

Reports STC003 (unknown plugin), STC004 (duplicate id), STC005 (type/slot mismatch),
STC006 (params vs config_schema) and STC002 for trigger keys that no directive field
matches. ``import_class`` (STC080, entrypoint import) runs after the wiring is expanded,
from ``stc.compiler.classes``, which skips it when the checks against code are known clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stc.compiler.code_places import CodePlace, failed_import
from stc.compiler.diagnostics import Diagnostic, Related, Severity
from stc.compiler.memo import check_config_schema, validate_params
from stc.compiler.model.blueprint import (
    PlannerRef,
    StrategyBlueprint,
    StrategyPlannerRef,
    ThreatRef,
    WorkerRef,
)
from stc.compiler.model.manifest import PluginManifest
from stc.compiler.registry import PluginImportError, PluginRecord, load_plugin_class
from stc.compiler.rules import Rule
from stc.compiler.schema_guard import MAX_STEPS, SchemaBudgetExceeded
from stc.compiler.sources import STC002, STC009, Loaded, locate
from stc.compiler.unit import SLOT_TYPES, CompileUnit, Loc, Slot, WorkerInstance
from stc.compiler.validate import apply_defaults
from stc.compiler.warmup import WarmupError, evaluate_warmup

EXECUTION_HANDLERS = {"backtest": "BacktestHandler", "paper": "PaperHandler", "live": "LiveHandler"}
"""The platform's execution handler plugin per environment."""

TRIGGER_FIELDS: dict[str, tuple[str, ...]] = {
    "entry": ("timing_preference",),
    "size": ("aggressiveness", "account_risk_pct"),
    "exit": ("profit_taking_preference", "stop_loss_tolerance"),
    "routing": ("execution_urgency", "max_total_slippage_pct"),
}
"""Score fields of each kind's sub-directive that a trigger range may filter on
(``confidence`` is valid for every kind)."""


STC003 = Rule(
    "STC003",
    Severity.ERROR,
    "unknown plugin",
    """Unknown plugin (with a did-you-mean over all discovered plugins).

    Why it is bad: the worker cannot exist. Example: ``plugin: EMADetecter``. Fix: use a
    name from ``stc plugins list``, or add the plugin's root with ``--plugins-dir``.""",
    bad="- plugin: EMADetecter",
    fixed="- plugin: EMADetector",
)


STC004 = Rule(
    "STC004",
    Severity.ERROR,
    "duplicate worker id",
    """Duplicate worker id.

    Why it is bad: wiring and journal entries name workers by id; two workers with one
    id are indistinguishable. Example: two ``EMADetector`` entries without ``id:`` (both
    default to ``ema_detector``). Fix: give each an explicit ``id:``.""",
    bad=("context_workers:\n  - plugin: EMADetector\n  - plugin: EMADetector"),
    fixed=(
        "context_workers:\n"
        "  - {id: ema_fast, plugin: EMADetector}\n"
        "  - {id: ema_slow, plugin: EMADetector}"
    ),
)


STC005 = Rule(
    "STC005",
    Severity.ERROR,
    "plugin type does not fit its slot",
    """A plugin's type does not fit the slot it is placed in.

    Why it is bad: a worker runs in the phase of its slot with that slot's handler; a
    planner under ``context_workers`` would never be called correctly. Fix: move the
    worker to the slot the message names.""",
    bad=("context_workers:\n  - plugin: KellyCriterionSizer"),
    fixed=("planning_workers:\n  size: [{plugin: KellyCriterionSizer}]"),
)


STC006 = Rule(
    "STC006",
    Severity.ERROR,
    "params violate the plugin's config_schema",
    """``params`` violate the plugin's ``config_schema``.

    Why it is bad: the plugin would run with values its author never allowed. Example:
    ``periods: [20, 0]`` where periods must be >= 1. Fix: the message names the
    parameter, the constraint and the value; ``stc plugins show NAME`` lists them.""",
    bad=("- plugin: ADXRegimeClassifier\n  params: {period: -14}"),
    fixed=("- plugin: ADXRegimeClassifier\n  params: {period: 14}"),
)


STC080 = Rule(
    "STC080",
    Severity.ERROR,
    "plugin entrypoint cannot be imported or has the wrong base class",
    """A plugin's entrypoint cannot be imported, its class is missing, or it does not
    derive from the base class of its type.

    Why it is bad: the runtime could not instantiate the worker. Example: ``entrypoint:
    worker:EMADetektor`` or a class deriving from ``object``. Fix: the module is
    relative to the manifest's folder; derive from ``stc.runtime.workers``.""",
    bad=("# plugin_manifest.yaml\nentrypoint: worker:EMADetektor"),
    fixed=("# plugin_manifest.yaml\nentrypoint: worker:EMADetector"),
)


def count_workers(blueprint: StrategyBlueprint) -> int:
    """The blueprint's worker instances (every slot; not the execution handler)."""
    workforce = blueprint.workforce
    planning = workforce.planning_workers
    lists: tuple[list[Any], ...] = (
        workforce.context_workers, workforce.opportunity_workers, workforce.threat_workers,
        workforce.strategy_planners, planning.entry, planning.size, planning.exit,
        planning.routing,
    )  # fmt: skip
    return sum(len(refs) for refs in lists)


def check_worker_limit(
    display: str, loaded: Loaded, blueprint: StrategyBlueprint, limit: int
) -> Diagnostic | None:
    """STC009 when the blueprint has more worker instances than ``limits.max_workers``.

    Checked before plugins are resolved, so an oversized blueprint costs its schema
    validation, not the resolution, graph and checks of every worker."""
    count = count_workers(blueprint)
    if count <= limit:
        return None
    return STC009.at(
        f"the blueprint has {count} worker instances; the limit is {limit}",
        display,
        locate(loaded.data, ("workforce",), key=True),
        "split the strategy, or raise `limits.max_workers` in platform.yaml (the file "
        "given with `--platform`, or the operation's `platform:`)",
    )


def collect_workers(unit: CompileUnit) -> list[WorkerInstance]:
    """The blueprint's workers in schedule order, with their blueprint locations."""
    return [
        WorkerInstance(id=ref.worker_id, ref=ref, slot=slot, loc=loc, order=order)
        for slot, loc, order, ref in _iter_refs(unit)
    ]


def _iter_refs(unit: CompileUnit) -> Iterator[tuple[Slot, Loc, int, WorkerRef]]:
    workforce = unit.blueprint.workforce
    for slot in ("context_workers", "opportunity_workers", "threat_workers"):
        for i, ref in enumerate(getattr(workforce, slot)):
            yield slot, ("workforce", slot, i), i, ref
    planner = workforce.strategy_planner
    if isinstance(planner, list):
        for i, ref in enumerate(planner):
            yield "strategy_planner", ("workforce", "strategy_planner", i), i, ref
    elif planner is not None:
        yield "strategy_planner", ("workforce", "strategy_planner"), 0, planner
    for kind in ("entry", "size", "exit", "routing"):
        for i, ref in enumerate(getattr(workforce.planning_workers, kind)):
            yield kind, ("workforce", "planning_workers", kind, i), i, ref


def resolve_workers(unit: CompileUnit) -> list[Diagnostic]:
    """Fill in every worker's plugin, params, warm-up and triggers; add the handler."""
    problems: list[Diagnostic] = []
    unit.workers = collect_workers(unit)
    duplicates = _duplicates(unit)
    placement = {id(w): _placement_faults(unit, w) for w in duplicates}
    # a default id taken twice because a plugin sits in the wrong slot (a sizer under
    # `exit:`): the slot is the root cause, the duplicate id only its echo
    echoes = {id(w) for w in duplicates if w.ref.id is None and placement[id(w)]}
    problems += _check_duplicate_ids(unit, echoes)
    for worker in unit.workers:
        if id(worker) in placement:  # a second `x` would merge into the first: its own
            problems += placement[id(worker)]  # faults are still reported
        else:
            problems += _resolve_one(unit, worker)
    problems += _add_execution_handler(unit)
    return problems


def _duplicates(unit: CompileUnit) -> list[WorkerInstance]:
    """Every worker whose id an earlier worker already uses."""
    seen: set[str] = set()
    found = []
    for worker in unit.workers:
        if worker.id in seen:
            found.append(worker)
        seen.add(worker.id)
    return found


def _check_duplicate_ids(unit: CompileUnit, echoes: set[int]) -> list[Diagnostic]:
    problems = []
    for worker in _duplicates(unit):
        if id(worker) in echoes:
            continue
        first = unit.worker(worker.id)
        assert first is not None
        explicit = worker.ref.id is not None
        loc = (*worker.loc, "id") if explicit else (*worker.loc, "plugin")
        problems.append(
            unit.diag(
                STC004,
                f"duplicate worker id `{worker.id}`",
                loc,
                "give each worker a unique `id:`"
                + ("" if explicit else f" (`{worker.plugin}` defaults to `{worker.id}`)"),
                related=(unit.related(f"`{worker.id}` first used here", first.loc),),
                subjects=(worker.id,),
            )
        )
    return problems


def _placement_faults(unit: CompileUnit, worker: WorkerInstance) -> list[Diagnostic]:
    """STC003 (no such plugin) or STC005 (plugin of another type than its slot)."""
    record = unit.registry.get(worker.plugin)
    plugin_loc = (*worker.loc, "plugin")
    if record is None:
        hint, fixes = unit.rename(plugin_loc, worker.plugin, unit.registry.names())
        return [
            unit.diag(
                STC003,
                f"unknown plugin `{worker.plugin}`",
                plugin_loc,
                hint or "run `stc plugins list` to see the available plugins",
                subjects=(worker.id,),
                suggestions=fixes,
            )
        ]
    if record.manifest.identification.type != worker.worker_type:
        return [_slot_mismatch(unit, worker, record.manifest)]
    return []


def _resolve_one(unit: CompileUnit, worker: WorkerInstance) -> list[Diagnostic]:
    record = unit.registry.get(worker.plugin)
    faults = _placement_faults(unit, worker)
    if faults or record is None:
        return faults
    manifest = record.manifest
    worker.record = record
    worker.timeframe = worker.ref.timeframe or unit.blueprint.tick_timeframe
    if isinstance(worker.ref, ThreatRef | StrategyPlannerRef):
        worker.trigger = worker.ref.trigger
    if isinstance(worker.ref, PlannerRef):
        worker.triggers = {k: list(v) for k, v in sorted(worker.ref.triggers.items())}
    problems = _resolve_params(unit, worker, manifest)
    problems += _check_trigger_keys(unit, worker)
    return problems  # the class is imported later, if at all (``stc.compiler.classes``)


def _slot_mismatch(
    unit: CompileUnit, worker: WorkerInstance, manifest: PluginManifest
) -> Diagnostic:
    actual = manifest.identification.type
    right_slot = next((s for s, t in SLOT_TYPES.items() if t == actual), None)
    where = f"under `{_slot_path(right_slot)}`" if right_slot else "elsewhere"
    return unit.diag(
        STC005,
        f"`{worker.plugin}` is a {actual}, but it is placed in `{_slot_path(worker.slot)}`"
        f" (which takes {worker.worker_type}s)",
        (*worker.loc, "plugin"),
        f"move it {where}, or pick a {worker.worker_type} plugin",
        subjects=(worker.id,),
    )


def _slot_path(slot: str | None) -> str:
    if slot in ("entry", "size", "exit", "routing"):
        return f"workforce.planning_workers.{slot}"
    if slot == "execution":
        return "operation.environment"
    return f"workforce.{slot}"


def _resolve_params(
    unit: CompileUnit, worker: WorkerInstance, manifest: PluginManifest
) -> list[Diagnostic]:
    assert worker.record is not None
    broken = check_config_schema(worker.record)
    if broken:
        return broken  # the plugin's own schema is invalid: params cannot be checked
    schema = manifest.config_schema
    raw = worker.ref.params
    subject = f"params of worker `{worker.id}` ({worker.plugin})"
    try:
        problems = validate_params(
            raw, schema, unit.blueprint_loaded.data, (*worker.loc, "params"),
            unit.blueprint_file, STC006, subject, worker.plugin,
        )  # fmt: skip
    except RecursionError:  # `$ref`s that lead back to themselves: jsonschema never stops
        return [_endless_schema(worker.record, worker)]
    except SchemaBudgetExceeded:
        return [_over_budget(unit, worker)]
    except Exception as exc:  # jsonschema/referencing errors: the schema's fault
        return [_unevaluable_schema(worker.record, worker, exc)]
    if problems:
        return problems
    worker.params = _sorted_params(apply_defaults(raw, schema))
    return _evaluate_warmup(unit, worker, manifest)


def _endless_schema(record: PluginRecord, worker: WorkerInstance) -> Diagnostic:
    """STC002 at the manifest's ``config_schema`` whose ``$ref``s form a cycle."""
    return STC002.at(
        f"`config_schema` of plugin `{record.name}` cannot be checked: its `$ref`s "
        "refer back to themselves without end",
        record.display_file,
        locate(record.loaded.data, ("config_schema",)),
        "a `$ref` cycle must pass through `properties` or `items` (a nested value)",
        subjects=(worker.id,),
    )


def _over_budget(unit: CompileUnit, worker: WorkerInstance) -> Diagnostic:
    """STC006 at the params: checking them took more than the schema budget."""
    return STC006.at(
        f"params of worker `{worker.id}` ({worker.plugin}) take more than "
        f"{MAX_STEPS:,} steps to check against the plugin's `config_schema`",
        unit.blueprint_file,
        locate(unit.blueprint_loaded.data, (*worker.loc, "params")),
        "shorten the lists in these params; `stc plugins show PLUGIN` lists what each "
        "parameter takes",
        subjects=(worker.id,),
    )


def _unevaluable_schema(
    record: PluginRecord | None, worker: WorkerInstance, exc: Exception
) -> Diagnostic:
    """STC002 at a ``config_schema`` jsonschema or ``referencing`` cannot evaluate
    (a ``$ref`` inside a nested ``$id`` scope, an unresolvable anchor…)."""
    assert record is not None
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    return STC002.at(
        f"`config_schema` of plugin `{record.name}` cannot be evaluated: "
        f"{type(exc).__name__}: {detail}",
        record.display_file,
        locate(record.loaded.data, ("config_schema",)),
        "write every `$ref` as a pointer from the schema's root (`#/$defs/name`) and "
        "leave out nested `$id`s",
        subjects=(worker.id,),
    )


def _sorted_params(value: Any) -> Any:
    """Params with keys sorted at every level (deterministic wiring maps)."""
    if isinstance(value, dict):
        return {str(k): _sorted_params(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_params(v) for v in value]
    return value


def _evaluate_warmup(
    unit: CompileUnit, worker: WorkerInstance, manifest: PluginManifest
) -> list[Diagnostic]:
    try:
        worker.warmup = evaluate_warmup(manifest.warmup.bars, worker.params)
    except WarmupError as exc:
        record = worker.record
        assert record is not None
        mark = locate(record.loaded.data, ("warmup", "bars"))
        return [
            STC002.at(
                f"warm-up of plugin `{worker.plugin}` cannot be computed: {exc}",
                record.display_file,
                mark,
                "use an integer or an expression over params such as `max(params.periods)`",
                subjects=(worker.id,),
            )
        ]
    return []


def _check_trigger_keys(unit: CompileUnit, worker: WorkerInstance) -> list[Diagnostic]:
    allowed = ("confidence", *TRIGGER_FIELDS.get(worker.slot, ()))
    problems = []
    for key in worker.triggers:
        if key not in allowed:
            hint, fixes = unit.rename((*worker.loc, "triggers", key), key, allowed, key=True)
            problems.append(
                unit.diag(
                    STC002,
                    f"trigger `{key}` of {worker.label} is not a field of the "
                    f"{worker.slot} directive",
                    (*worker.loc, "triggers", key),
                    hint or f"valid keys here: {', '.join(allowed)}",
                    key=True,
                    subjects=(worker.id,),
                    suggestions=fixes,
                )
            )
    return problems


def import_class(unit: CompileUnit, worker: WorkerInstance) -> list[Diagnostic]:
    """Import a resolved worker's class into ``worker.cls``; STC080 when it cannot be
    imported or does not derive from the base class of its type."""
    from stc.runtime.workers import BASE_CLASSES  # the base classes pull in every runtime DTO

    record = worker.record
    assert record is not None
    base = BASE_CLASSES[record.manifest.identification.type]
    try:
        cls = load_plugin_class(record)
    except PluginImportError as exc:
        message = f"plugin `{record.name}` cannot be loaded: {exc}"
        place = failed_import(record, unit.registry, exc)
        if place is not None:  # the fault is a line of the plugin's own code
            return [_in_code(unit, worker, message, place)]
        return [
            _stc080(
                unit, worker, message,
                "fix the plugin's `entrypoint: module:Class` (module relative to the "
                "manifest's folder) or the module's code",
            )
        ]  # fmt: skip
    if not issubclass(cls, base):
        return [
            _stc080(
                unit, worker,
                f"`{record.class_name}` of plugin `{record.name}` does not derive from "
                f"`stc.runtime.workers.{base.__name__}`",
                f"declare it as `class {record.class_name}({base.__name__})`",
            )
        ]  # fmt: skip
    worker.cls = cls
    return []


def _in_code(
    unit: CompileUnit, worker: WorkerInstance, message: str, place: CodePlace
) -> Diagnostic:
    """STC080 at the line of ``worker.py`` that failed, the manifest and blueprint as notes."""
    record = worker.record
    assert record is not None
    entry = locate(record.loaded.data, ("entrypoint",))
    notes = [
        Related(
            message=f"loaded as `{record.manifest.entrypoint}`",
            file=record.display_file,
            line=entry.line if entry else None,
            column=entry.column if entry else None,
        )
    ]
    if worker.loc:
        notes.append(unit.related(f"{worker.label} uses it here", (*worker.loc, "plugin")))
    return STC080.at(
        message, place.display, place.mark,
        "fix this line of the plugin's code (the import runs when the plugin is loaded)",
        related=tuple(notes), subjects=(worker.id,),
    )  # fmt: skip


def _stc080(unit: CompileUnit, worker: WorkerInstance, message: str, help: str) -> Diagnostic:
    """At the manifest's entrypoint, with a note at the blueprint line that uses it."""
    record = worker.record
    assert record is not None
    used_here: tuple[Related, ...] = ()
    if worker.loc:  # the platform's own handler has no blueprint line
        used_here = (unit.related(f"{worker.label} uses it here", (*worker.loc, "plugin")),)
    return STC080.at(
        message, record.display_file, locate(record.loaded.data, ("entrypoint",)),
        help, related=used_here, subjects=(worker.id,),
    )  # fmt: skip


def _add_execution_handler(unit: CompileUnit) -> list[Diagnostic]:
    """The environment's handler joins the workforce as worker ``<snake name>``."""
    name = EXECUTION_HANDLERS[unit.environment]
    ref = WorkerRef.model_construct(plugin=name)  # a constant name: nothing to validate
    handler = WorkerInstance(id=ref.worker_id, ref=ref, slot="execution", loc=(), order=0)
    unit.workers.append(handler)
    record = unit.registry.get(name)
    if record is None:
        return [
            STC003.at(
                f"the {unit.environment} execution handler `{name}` is not installed",
                None,
                None,
                "reinstall stc; the reference handlers ship with it",
            )
        ]
    handler.record = record
    handler.timeframe = unit.blueprint.tick_timeframe
    handler.params = _sorted_params(apply_defaults({}, record.manifest.config_schema))
    return []
