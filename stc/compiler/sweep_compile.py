"""Compile every variant of a sweep before anything is dispatched.

Each structure (the blueprint as written, and each structural variant) is compiled
once through the full pipeline. A param-only variant reuses its structure's compiled
plan: only the swept workers' params are checked against their plugin's
``config_schema`` (the check of STC006), their defaults applied and their warm-up
re-evaluated — what the resolve pass would do, at a fraction of the cost. A test
asserts that the patched plan equals the full compile of the edited blueprint.
Invalid variants are reported at the sweep's own line and never run.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stc.compiler.diagnostics import Diagnostic, Related, Severity, sort_diagnostics
from stc.compiler.model.blueprint import snake_case
from stc.compiler.pipeline import CompileOutcome, Session, compile_blueprint_model, compile_path
from stc.compiler.rules import Rule
from stc.compiler.schema_guard import SchemaBudgetExceeded
from stc.compiler.sources import load_yaml_text, to_plain
from stc.compiler.suggest import help_for
from stc.compiler.sweep_space import (
    SWEEP_FIXTURES,
    Dimension,
    Structure,
    Variant,
    sweep_error,
)
from stc.compiler.unit import WorkerInstance

LIST_SLOTS = (
    "context_workers", "opportunity_workers", "threat_workers",
    "planning_workers.entry", "planning_workers.size", "planning_workers.exit",
    "planning_workers.routing",
)  # fmt: skip


@dataclass
class Compiled:
    """The sweep's variants compiled: a plan per valid variant, diagnostics for the rest."""

    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Variant key → wiring data."""
    invalid: dict[str, str] = field(default_factory=dict)
    """Variant key → why it is not run (the first diagnostic's message)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    structures: dict[str, CompileOutcome] = field(default_factory=dict)
    blueprint_problems: list[Diagnostic] = field(default_factory=list)
    """Errors of the blueprint itself: nothing of the sweep can run."""
    document: dict[str, Any] = field(default_factory=dict)
    """The blueprint as plain data (what variant blueprints are written from)."""


STC091 = Rule(
    "STC091",
    Severity.ERROR,
    "a sweep parameter names no worker or no parameter of its plugin",
    """A swept param names no worker of the (edited) blueprint, or no param of its
    plugin.

    Why it is bad: every variant would run with the same value, so the sweep measures
    nothing. Fix: use the did-you-mean over the worker ids or the plugin's params.""",
    bad="params:\n  ema_cross_detector.fsat: [10, 20]",
    fixed="params:\n  ema_cross_detector.fast: [10, 20]",
    fixture_dir=SWEEP_FIXTURES,
)

STC092 = Rule(
    "STC092",
    Severity.ERROR,
    "a sweep value violates the plugin's config_schema",
    """A swept value violates the plugin's ``config_schema`` (or the plugin's warm-up
    cannot be computed with it); the caret is under the value.

    Why it is bad: the plugin would run with a value its author never allowed. The
    variants with that value are not run and appear in results.csv as ``invalid``.
    Fix: remove the value, or keep it within the bound ``stc plugins show PLUGIN``
    lists.""",
    bad="params:\n  ema_cross_detector.fast: [0, 10]",
    fixed="params:\n  ema_cross_detector.fast: [5, 10]",
    fixture_dir=SWEEP_FIXTURES,
)

STC093 = Rule(
    "STC093",
    Severity.ERROR,
    "a structural sweep variant does not compile",
    """A structural variant does not compile: its edit names no worker, or the edited
    blueprint has a compile error (the compiler's own message is quoted).

    Why it is bad: the variant cannot run; the others still do. Fix: follow the
    compiler's help for the edited blueprint.""",
    bad=(
        "variants:\n"
        "  - name: drawdown_guard  # MaxDrawdownMonitor needs a trigger\n"
        '    edits: ["threat_workers+=MaxDrawdownMonitor"]'
    ),
    fixed=(
        "variants:\n"
        "  - name: drawdown_guard\n"
        '    edits: ["threat_workers+=MaxDrawdownMonitor"]\n'
        "    # and in the blueprint: trigger: LEDGER_UPDATE"
    ),
    fixture_dir=SWEEP_FIXTURES,
)


def compile_variants(
    path: Path, display: str, variants: list[Variant], session: Session
) -> Compiled:
    """Compile each structure once, patch params per variant, report the invalid ones."""
    result = Compiled()
    base = compile_path(path, display, session)[0]
    if base.kind not in (None, "strategy_blueprint"):
        kind = base.kind.replace("_", " ")
        article = "an" if kind[0] in "aeiou" else "a"
        raise ValueError(
            f"{display}: a sweep varies a strategy blueprint, and this is {article} {kind}; "
            "sweep the blueprint it links, with --data for its data"
        )
    if not base.ok or base.unit is None or base.wiring_data is None:
        result.blueprint_problems = list(base.diagnostics)
        return result
    document = to_plain(base.unit.blueprint_loaded.data)
    result.document = document
    problems: list[Diagnostic] = []
    for variant in variants:
        structure = variant.structure
        if structure.name not in result.structures:
            outcome, found = _compile_structure(structure, base, document, display, session)
            result.structures[structure.name] = outcome
            problems += found
        outcome = result.structures[structure.name]
        if not outcome.ok or outcome.unit is None or outcome.wiring_data is None:
            result.invalid[variant.key] = f"structural variant `{structure.name}` does not compile"
            continue
        plan, found = _patched(outcome, variant)
        if found:
            problems += found
            result.invalid[variant.key] = found[0].message
        else:
            result.plans[variant.key] = plan
    result.diagnostics = sort_diagnostics(problems)
    return result


def _compile_structure(
    structure: Structure, base: CompileOutcome, document: Any, display: str, session: Session
) -> tuple[CompileOutcome, list[Diagnostic]]:
    if not structure.edits:
        return base, []
    edited = copy.deepcopy(document)
    for edit in structure.edits:
        problem = apply_edit(edited, edit)
        if problem is not None:
            failed = CompileOutcome(
                display, "strategy_blueprint", [_structure_error(structure, problem, ())]
            )
            return failed, failed.diagnostics
    name = f"{display} [{structure.name}]"
    text = yaml.safe_dump(edited, sort_keys=False)
    loaded = load_yaml_text(text, name, session.limits)
    if loaded.source is not None:
        session.sources[name] = loaded.source
    from stc.compiler.memo import validate_known_document
    from stc.compiler.model.blueprint import StrategyBlueprint

    model, found = validate_known_document(loaded, StrategyBlueprint, "strategy_blueprint")
    if model is None:
        outcome = CompileOutcome(name, "strategy_blueprint", found)
    else:
        outcome = compile_blueprint_model(name, loaded, model, session)
    errors = [d for d in [*found, *outcome.diagnostics] if d.is_error]
    if not errors:
        return outcome, []
    first = errors[0]
    related = tuple(Related(message=f"also {d.code}: {d.message}") for d in errors[1:5])
    why = f"{first.code}: {first.message}"
    return outcome, [_structure_error(structure, why, related, first.help)]


def _structure_error(
    structure: Structure, why: str, related: tuple[Related, ...], help: str | None = None
) -> Diagnostic:
    diagnostic = sweep_error(
        STC093, f"structural variant `{structure.name}` does not compile: {why}",
        structure.where,
        f"in the edited blueprint: {help}" if help else
        "fix the edit: `SLOT+=Plugin`, `-WORKER_ID` or `WORKER_ID=Plugin` with a worker "
        "the blueprint has",
    )  # fmt: skip
    return diagnostic.model_copy(update={"related": related})


def apply_edit(document: dict[str, Any], edit: str) -> str | None:
    """Apply one edit to a blueprint document in place; a reason when it cannot."""
    from stc.compiler.sweep_space import EDIT_ADD, EDIT_REMOVE, EDIT_SWAP

    workforce = document.setdefault("workforce", {})
    if (match := EDIT_ADD.match(edit)) is not None:
        slot, plugin = match.groups()
        if slot not in LIST_SLOTS:
            return f"`{slot}` is not a worker list; use one of {', '.join(LIST_SLOTS)}"
        holder = workforce
        if "." in slot:
            holder = workforce.setdefault("planning_workers", {})
            slot = slot.split(".")[1]
        holder.setdefault(slot, []).append({"plugin": plugin})
        return None
    target = EDIT_REMOVE.match(edit) or EDIT_SWAP.match(edit)
    assert target is not None  # the grammar was checked when the space was read
    worker_id = target.group(1)
    for holder, index, worker in _workers(workforce):
        if (worker.get("id") or snake_case(str(worker.get("plugin", "")))) == worker_id:
            if EDIT_REMOVE.match(edit):
                del holder[index]
            else:
                kept = {k: v for k, v in worker.items() if k not in ("params", "id", "plugin")}
                holder[index] = {"plugin": target.group(2), **kept}
            return None
    return f"the blueprint has no worker `{worker_id}`"


def _workers(workforce: dict[str, Any]) -> list[tuple[Any, Any, dict[str, Any]]]:
    """(container, index or key, worker) of every worker of the workforce."""
    found: list[tuple[Any, Any, dict[str, Any]]] = []
    for slot, value in workforce.items():
        if slot == "planning_workers" and isinstance(value, dict):
            for sub in value.values():
                found += [(sub, i, w) for i, w in enumerate(sub) if isinstance(w, dict)]
        elif isinstance(value, list):
            found += [(value, i, w) for i, w in enumerate(value) if isinstance(w, dict)]
        elif isinstance(value, dict) and "plugin" in value:
            found.append((workforce, slot, value))
    return found


def _patched(outcome: CompileOutcome, variant: Variant) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The structure's plan with the variant's params; or the diagnostics why not."""
    unit = outcome.unit
    assert unit is not None and outcome.wiring_data is not None
    by_worker: dict[str, dict[str, Any]] = {}
    problems: list[Diagnostic] = []
    for dim, value in variant.params:
        worker = unit.worker(dim.worker)
        if worker is None or worker.record is None:
            problems.append(_no_worker(dim, variant.structure, sorted(unit.workers_by_id())))
            continue
        known = _param_names(worker)
        if known is not None and dim.param not in known:
            problems.append(_no_param(dim, worker, sorted(known)))
            continue
        by_worker.setdefault(dim.worker, {})[dim.param] = value
    if problems:
        return {}, problems
    patched: dict[str, dict[str, Any]] = {}
    for worker_id, overrides in by_worker.items():
        worker = unit.worker(worker_id)
        assert worker is not None
        entry, found = _worker_params(worker, overrides, variant)
        problems += found
        patched[worker_id] = entry
    if problems:
        return {}, problems
    plan = dict(outcome.wiring_data)
    plan["workers"] = [
        {**w, **patched[w["id"]]} if w["id"] in patched else w for w in plan["workers"]
    ]
    return plan, []


def _param_names(worker: WorkerInstance) -> set[str] | None:
    """The params the plugin declares (None when its schema allows any key)."""
    assert worker.record is not None
    schema = worker.record.manifest.config_schema
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return None
    if schema.get("additionalProperties", True) is not False and "properties" not in schema:
        return None
    return set(properties)


def _worker_params(
    worker: WorkerInstance, overrides: dict[str, Any], variant: Variant
) -> tuple[dict[str, Any], list[Diagnostic]]:
    from stc.compiler.memo import params_errors
    from stc.compiler.resolve import _sorted_params
    from stc.compiler.validate import apply_defaults
    from stc.compiler.warmup import WarmupError, evaluate_warmup

    assert worker.record is not None
    manifest = worker.record.manifest
    schema = manifest.config_schema
    raw = {**to_plain(worker.ref.params), **overrides}
    dims = {d.param: d for d, _ in variant.params if d.worker == worker.id}
    problems = []
    try:
        errors = params_errors(raw, schema)
    except SchemaBudgetExceeded:
        first = next(iter(dims.values()))
        why = f"checking it against {worker.plugin}'s config_schema takes too many steps"
        return {}, [
            sweep_error(STC092, f"`{first.name}`: {why}", first.where, "choose smaller values")
        ]
    for error in sorted(errors, key=lambda e: str(list(e.absolute_path))):
        path = [str(p) for p in error.absolute_path]
        dim = dims.get(path[0]) if path else None
        dim = dim or next(iter(dims.values()))
        value = overrides.get(dim.param)
        problems.append(
            sweep_error(
                STC092,
                f"`{dim.name}={_show(value)}` violates {worker.plugin}'s config_schema: "
                f"{error.message}",
                dim.where_of(value),
                f"remove `{_show(value)}` from `{dim.name}`'s values, or keep them within "
                f"the schema (`stc plugins show {worker.plugin}` lists every bound)",
            )
        )
    if problems:
        return {}, problems
    params = _sorted_params(apply_defaults(raw, schema))
    try:
        warmup = evaluate_warmup(manifest.warmup.bars, params)
    except WarmupError as exc:
        dim = next(iter(dims.values()))
        why = f"the warm-up of {worker.plugin} cannot be computed for it: {exc}"
        return {}, [sweep_error(STC092, f"`{dim.name}`: {why}", dim.where, "choose other values")]
    return {"params": params, "warmup": warmup}, []


def _show(value: Any) -> str:
    import json

    return json.dumps(value)


def _no_worker(dim: Dimension, structure: Structure, ids: list[str]) -> Diagnostic:
    where = "the blueprint" if not structure.edits else f"structural variant `{structure.name}`"
    return sweep_error(
        STC091, f"{where} has no worker `{dim.worker}`", dim.where,
        help_for(dim.worker, ids) or f"workers: {', '.join(ids)}",
    )  # fmt: skip


def _no_param(dim: Dimension, worker: WorkerInstance, names: list[str]) -> Diagnostic:
    return sweep_error(
        STC091, f"worker `{worker.id}` ({worker.plugin}) has no param `{dim.param}`",
        dim.where, help_for(dim.param, names) or f"its params: {', '.join(names)}",
    )  # fmt: skip


def variant_document(document: dict[str, Any], variant: Variant) -> dict[str, Any]:
    """The blueprint of one variant: its structure's edits and its params written in,
    so that ``stc run`` of it reproduces the variant in full (journal included)."""
    edited = copy.deepcopy(document)
    for edit in variant.structure.edits:
        apply_edit(edited, edit)
    for dim, value in variant.params:
        for _, _, worker in _workers(edited.get("workforce", {})):
            if (worker.get("id") or snake_case(str(worker.get("plugin", "")))) == dim.worker:
                worker.setdefault("params", {})[dim.param] = value
    return edited
