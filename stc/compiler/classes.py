"""Import the worker classes for the checks against plugin code: STC080 (here) and
STC013, STC032, STC081 (``stc.compiler.checks.types``, which skip a worker without a
class). Whether they need importing at all is decided around this pass, at the seam
(``stc.compiler.code_verdict``): this module knows no cache.
"""

from __future__ import annotations

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.resolve import import_class
from stc.compiler.unit import CodeChecks, CompileUnit


def import_all(unit: CompileUnit) -> list[Diagnostic]:
    """``import_class`` once per plugin: its other workers share the verified class (a
    plugin that fails is reported at each worker, with that worker's note)."""
    verified: dict[int, type] = {}
    problems: list[Diagnostic] = []
    for worker in unit.resolved():
        cls = verified.get(id(worker.record))
        if cls is not None:
            worker.cls = cls
            continue
        found = import_class(unit, worker)
        if found:
            problems += found
        elif worker.cls is not None:
            verified[id(worker.record)] = worker.cls
    unit.code_checks = CodeChecks.RAN
    return problems
