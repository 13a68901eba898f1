"""Check passes: pure functions ``(CompileUnit) -> list[Diagnostic]``, one module per
family. Each module's ``CHECKS`` maps the codes it owns to the function producing
them; the docstring of each function documents its codes (``docs/diagnostics.md``
is generated from them). Adding a check touches only its module and this list.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from stc.compiler.checks import (
    aggregation,
    data_source,
    dataflow,
    events,
    horizons,
    param_rules,
    timeframes,
    topology,
    triggers,
    types,
)
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.unit import CompileUnit

Check = Callable[[CompileUnit], list[Diagnostic]]

FAMILIES: tuple[ModuleType, ...] = (
    dataflow, types, topology, events, triggers, aggregation, timeframes, data_source,
    horizons, param_rules,
)  # fmt: skip


def all_checks() -> list[tuple[str, Check]]:
    """(code, check) pairs of every family, in family order."""
    return [(code, check) for family in FAMILIES for code, check in family.CHECKS.items()]


def run_checks(unit: CompileUnit) -> list[Diagnostic]:
    """Run every check; a check owning several codes runs once."""
    seen: set[int] = set()
    found: list[Diagnostic] = []
    for _, check in all_checks():
        if id(check) in seen:
            continue
        seen.add(id(check))
        found.extend(check(unit))
    return found
