"""Type checks against the plugin code: handler methods exist (STC032), accept the
payload of the event they are wired to (STC013), and return what the manifest says
they provide (STC081). Classes come only from the registry (plugin roots and entry
points); annotations are read with ``typing.get_type_hints``.
"""

from __future__ import annotations

import inspect
import types as pytypes
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from stc.compiler.code_places import handler_def
from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.sources import locate
from stc.compiler.unit import CompileUnit, Subscription, WorkerInstance
from stc.compiler.wiring import DIRECT_ADAPTER, SWOT_ADAPTER, known_events
from stc.runtime.events import PLATFORM_COMPONENTS

ADAPTED_PAYLOADS = {SWOT_ADAPTER: "SWOTInputs", DIRECT_ADAPTER: "StrategyDirective"}
"""What a subscriber receives after the platform adapts the event's payload."""


@cache
def _handler(cls: type, method: str) -> Any:
    """The handler function, or None when missing/abstract (once per class and name)."""
    found = getattr(cls, method, None)
    if found is None or getattr(found, "__isabstractmethod__", False) or not callable(found):
        return None
    return found


def _sub_loc(worker: WorkerInstance, sub: Subscription) -> tuple[str | int, ...]:
    return (*sub.loc, "method") if sub.loc is not None else (*worker.loc, "plugin")


STC032 = Rule(
    "STC032",
    Severity.ERROR,
    "subscriber method not found on the worker class",
    """A subscriber method is not found on the worker class.

    Why it is bad: the event would be delivered to nothing at run time. Example: a
    threat worker with ``trigger: LEDGER_UPDATE`` whose class has no
    ``on_ledger_update``, or a ``wiring:`` entry naming a misspelt method. Fix: add the
    method (the name is fixed by the base wiring) or correct the wiring entry.""",
    bad=(
        "threat_workers:\n"
        "  - plugin: SilentMonitor  # has no on_ledger_update\n"
        "    trigger: LEDGER_UPDATE"
    ),
    fixed=("threat_workers:\n  - plugin: MaxDrawdownMonitor\n    trigger: LEDGER_UPDATE"),
)


def check_methods(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC032 (the rule above says why)."""
    problems = _unknown_wiring_workers(unit)
    known = known_events(unit)
    workers = unit.workers_by_id()
    for sub in unit.subscriptions:
        worker = workers.get(sub.worker)
        if worker is None or worker.cls is None or _handler(worker.cls, sub.method):
            continue
        if sub.event not in known:
            continue  # STC050 already: the event, not the method, is the mistake
        methods = sorted(
            n for n in dir(worker.cls) if n.startswith("on_") and _handler(worker.cls, n)
        )
        if worker.is_swot_planner and sub.origin == "base":
            problems.append(_needs_trigger(unit, worker, methods))
            continue
        problems.append(
            unit.diag(
                STC032,
                f"{worker.label} is subscribed to `{sub.event}` with method `{sub.method}`, "
                f"but `{worker.cls.__name__}` has no such method",
                _sub_loc(worker, sub),
                f"define `def {sub.method}(self, payload)` on `{worker.cls.__name__}`"
                + (f" (it has: {', '.join(methods)})" if methods else ""),
                subjects=(worker.id,),
            )
        )
    return problems


def _needs_trigger(unit: CompileUnit, worker: WorkerInstance, methods: list[str]) -> Diagnostic:
    """A strategy planner without ``trigger:`` joins the SWOT inputs, but this class
    cannot (no ``on_swot``): the missing ``trigger:`` is the fault, once, not one
    STC032 per SWOT event (identical ones are merged by ``stc.compiler.root_cause``)."""
    assert worker.cls is not None
    has = f" (it has: {', '.join(methods)})" if methods else ""
    return unit.diag(
        STC032,
        f"{worker.label} has no `on_swot`, so it cannot join the SWOT inputs; without "
        "`trigger:` that is how it would run",
        (*worker.loc, "plugin"),
        f"add `trigger: EVENT` to this planner, naming the event that should run it{has}",
        subjects=(worker.id,),
    )


def _unknown_wiring_workers(unit: CompileUnit) -> list[Diagnostic]:
    ids = [w.id for w in unit.workers]
    problems = []
    for sub in unit.subscriptions:
        if sub.origin != "blueprint" or sub.loc is None or unit.worker(sub.worker) is not None:
            continue
        if sub.worker in PLATFORM_COMPONENTS:
            continue
        hint, fixes = unit.rename((*sub.loc, "worker"), sub.worker, ids)
        problems.append(
            unit.diag(
                STC032,
                f"`wiring:` subscribes `{sub.worker}`, but the blueprint has no worker with "
                "that id",
                (*sub.loc, "worker"),
                hint or f"worker ids here: {', '.join(sorted(ids))}",
                suggestions=fixes,
            )
        )
    return problems


@cache
def _hints(function: Callable[..., Any]) -> dict[str, Any] | None:
    """Resolved annotations, once per function (10k workers share ~50 handlers)."""
    try:
        return typing.get_type_hints(function)
    except Exception:  # unresolvable annotations: nothing to check
        return None


@cache
def _first_param(function: Callable[..., Any]) -> str | None:
    params = list(inspect.signature(function).parameters.values())
    return params[1].name if len(params) > 1 else None


def _members(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is pytypes.UnionType:
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _accepts(annotation: Any, payload: str) -> bool:
    from stc.runtime.dtos import PLATFORM_DTOS  # loaded with the plugin classes anyway

    expected = PLATFORM_DTOS.get(payload)
    for member in _members(annotation):
        if member in (Any, object):
            return True
        if not isinstance(member, type):
            continue
        if member.__name__ == payload or (expected is not None and issubclass(expected, member)):
            return True
    return False


def _name(annotation: Any) -> str:
    return " | ".join(getattr(m, "__name__", str(m)) for m in _members(annotation))


STC013 = Rule(
    "STC013",
    Severity.ERROR,
    "event payload does not match the subscriber's parameter type",
    """The payload type of an event does not match the subscriber method's annotated
    parameter (subclasses are accepted).

    Why it is bad: the method would receive an object it does not expect and fail (or
    worse, misread it) at run time. Example: ``on_ledger_update(self, ctx:
    TradingContext)`` wired to ``LEDGER_UPDATE``, whose payload is ``LedgerSnapshot``.
    Fix: annotate the parameter with the event's payload type, or wire the method to the
    event that carries the type it expects.""",
    bad=(
        "# LEDGER_UPDATE carries a LedgerSnapshot\n"
        "def on_ledger_update(self, ctx: TradingContext) -> None:"
    ),
    fixed="def on_ledger_update(self, snapshot: LedgerSnapshot) -> None:",
    language="python",
)


def check_payload_types(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC013 (the rule above says why)."""
    problems = []
    workers = unit.workers_by_id()
    for sub in unit.subscriptions:
        worker = workers.get(sub.worker)
        if worker is None or worker.cls is None:
            continue
        function = _handler(worker.cls, sub.method)
        if function is None:
            continue
        problem = _check_subscription(unit, worker, sub, function)
        if problem is not None:
            problems.append(problem)
    return problems


@cache
def _mismatch(function: Callable[..., Any], payload: str) -> tuple[str, Any] | None:
    """(parameter, annotation) when ``function`` cannot take ``payload`` (once per pair)."""
    param = _first_param(function)
    hints = _hints(function)
    if param is None or hints is None or param not in hints:
        return None
    return None if _accepts(hints[param], payload) else (param, hints[param])


def _check_subscription(
    unit: CompileUnit, worker: WorkerInstance, sub: Subscription, function: Callable[..., Any]
) -> Diagnostic | None:
    payload = ADAPTED_PAYLOADS.get(sub.adapter or "", unit.event_payloads.get(sub.event))
    mismatch = None if payload is None else _mismatch(function, payload)
    if mismatch is None:
        return None
    param, annotation = mismatch
    hints = {param: annotation}
    assert worker.cls is not None
    message = (
        f"`{sub.event}` carries `{payload}`, but `{worker.cls.__name__}.{sub.method}` of "
        f"{worker.label} takes `{param}: {_name(hints[param])}`"
    )
    help = (
        f"annotate the parameter as `{param}: {payload}`, or wire the method to an event "
        f"that carries `{_name(hints[param])}`"
    )
    own = worker.record is not None and sub.origin == "base"  # not a `wiring:` line's choice
    place = handler_def(worker.record, unit.registry, function) if own and worker.record else None
    if place is not None:  # the caret on the `def`, the blueprint line as a note
        used = unit.related(f"{worker.label} is wired here", _sub_loc(worker, sub))
        return STC013.at(
            message, place.display, place.mark, help,
            related=(used,), subjects=(worker.id,),
        )  # fmt: skip
    return unit.diag(STC013, message, _sub_loc(worker, sub), help, subjects=(worker.id,))


STC081 = Rule(
    "STC081",
    Severity.ERROR,
    "manifest and code disagree",
    """The manifest and the code disagree: a handler's return annotation names a DTO that
    ``provides_dtos`` does not declare, or the manifest declares a DTO that no handler
    returns.

    Why it is bad: the compiler's data-flow checks trust the manifest; if the code
    returns something else, consumers are wired to data that never arrives. Example:
    ``on_tick(...) -> ATRValues | None`` in a plugin whose manifest says
    ``provides_dtos: [EMAValues]``. Fix: make the manifest say what the code returns.""",
    bad=("# plugin_manifest.yaml (on_tick returns ATRValues)\nprovides_dtos: [EMAValues]"),
    fixed=("# plugin_manifest.yaml\nprovides_dtos: [ATRValues]"),
)


def check_manifest_vs_code(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC081 (the rule above says why)."""
    methods: dict[str, list[str]] = {}
    for sub in unit.subscriptions:
        found = methods.get(sub.worker)
        if found is None:
            methods[sub.worker] = [sub.method]
        else:
            found.append(sub.method)
    problems = []
    seen: set[tuple[int, tuple[str, ...]]] = set()  # one report per plugin and wiring
    for worker in unit.resolved():
        if worker.cls is None or worker.slot == "execution" or worker.record is None:
            continue
        key = (id(worker.record), tuple(methods.get(worker.id, ())))  # one record a name
        if key in seen:
            continue
        seen.add(key)
        problems += _compare_outputs(unit, worker, list(key[1]))
    return problems


def _returned_names(worker: WorkerInstance, methods: list[str]) -> set[str] | None:
    if worker.cls is None:
        return set()
    found = _returned_by(worker.cls, tuple(methods))
    return None if found is None else set(found)


@cache
def _returned_by(cls: type, methods: tuple[str, ...]) -> frozenset[str] | None:
    """DTO names the handlers return; None when one returns anything (once per class
    and wiring: thousands of workers share a few dozen plugins)."""
    from stc.runtime.envelope import DispositionEnvelope  # loaded with the plugin classes anyway

    names: set[str] = set()
    for method in methods:
        function = _handler(cls, method)
        hints = _hints(function) if function else None
        if hints is None or "return" not in hints:
            return None
        for member in _members(hints["return"]):
            if member in (Any, object) or member is DispositionEnvelope:
                return None
            if isinstance(member, type) and member is not type(None):
                names.add(member.__name__)
    return frozenset(names)


def _compare_outputs(
    unit: CompileUnit, worker: WorkerInstance, methods: list[str]
) -> list[Diagnostic]:
    record = worker.record
    assert record is not None and worker.cls is not None
    returned = _returned_names(worker, methods)
    if returned is None:
        return []
    declared = set(record.manifest.dependencies.provides_dtos)
    undeclared = sorted(returned - declared)
    unreturned = sorted(declared - returned)
    if not undeclared and not unreturned:
        return []
    parts = []
    if undeclared:
        parts.append(f"returns {', '.join(f'`{n}`' for n in undeclared)} not in provides_dtos")
    if unreturned:
        parts.append(f"declares {', '.join(f'`{n}`' for n in unreturned)} that no handler returns")
    mark = locate(record.loaded.data, ("dependencies", "provides_dtos"))
    mark = mark or locate(record.loaded.data, ("identification", "name"))
    return [
        STC081.at(
            f"plugin `{record.name}`: `{worker.cls.__name__}` " + " and ".join(parts),
            record.display_file,
            mark,
            f"set `provides_dtos: [{', '.join(sorted(returned))}]` in the manifest, "
            "or change the handlers' return annotations",
            subjects=(worker.id,),
        )
    ]


CHECKS = (check_payload_types, check_methods, check_manifest_vs_code)
