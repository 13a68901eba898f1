"""Check passes, one module per family.

Unit checks are pure functions ``(CompileUnit) -> list[Diagnostic]``; each family
module lists them in ``CHECKS`` and declares, beside them, the ``Rule`` of every code
it owns (``stc.compiler.rules``: severity, title, explanation, bad and fixed example).
File checks (``operation_files``, ``platform_roots``, ``document_kind``) run before a
unit exists, on one loaded document, and are called by the pipeline.

Adding a code to an existing family touches two hand-written files: the family
module (the ``Rule``, and the check function added to ``CHECKS``) and one broken
fixture ``tests/fixtures/stcnnn_*.yaml`` whose first line says where the code is
reported. Then two generated files are regenerated: ``docs/diagnostics.md``
(``python -m stc.compiler.docs_gen``) and the fixture's snapshot (``pytest
tests/compiler/test_diagnostic_codes.py -k stcnnn --snapshot-update``). A new family
module is also added to ``FAMILIES`` below (three hand-written files).
``tests/compiler/test_adding_a_code.py`` proves this in a temporary copy.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from stc.compiler.callees import global_names, module_callees
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


def all_checks() -> list[Check]:
    """Every family's unit checks, in family order."""
    return [check for family in FAMILIES for check in family.CHECKS]


def run_checks(unit: CompileUnit) -> list[Diagnostic]:
    """Run every unit check."""
    return [diagnostic for check in all_checks() for diagnostic in check(unit)]


def coded_checks() -> list[tuple[str, Check]]:
    """Every unit check once per code it reports, in family order: ``(code, check)``.

    A check's codes are the rules its code names (``STC032.at(...)``,
    ``unit.diag(STC013, ...)``), followed through the functions of its own module it
    calls. Read from the code, so a new check needs no second table of its codes (the
    cached verdict of ``stc.compiler.code_verdict`` skips checks by these codes).
    """
    return [(code, check) for check in all_checks() for code in sorted(codes_of(check))]


def codes_of(function: Callable[..., object]) -> set[str]:
    """The rule codes ``function`` (or a function of its module it calls) reports."""
    from stc.compiler.rules import Rule

    return {
        value.code
        for callee in module_callees(function)
        for name in global_names(callee.__code__)
        if isinstance(value := callee.__globals__.get(name), Rule)
    }
