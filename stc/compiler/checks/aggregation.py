"""Context aggregation checks (SPEC §4.4): weights name real factors and sum to 1."""

from __future__ import annotations

import math

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.sources import locate
from stc.compiler.suggest import help_for
from stc.compiler.unit import CompileUnit


def _provided_factors(unit: CompileUnit) -> dict[str, str]:
    factors: dict[str, str] = {}
    for worker in unit.resolved():
        if worker.slot != "context_workers":
            continue
        assert worker.record is not None
        for decl in worker.record.manifest.dependencies.provides_factors:
            factors.setdefault(decl.name, worker.id)
    return factors


def _weights_diag(
    unit: CompileUnit, rule: Rule, message: str, name: str | None, help: str
) -> Diagnostic:
    """At weight ``name`` (or all weights) where they are written: the blueprint's
    ``aggregation:``, or else the platform's, the layer they came from. A misspelt
    factor in the blueprint gets its did-you-mean as a fix."""
    loc = ("aggregation", "weights", *([name] if name else []))
    if unit.aggregation_from_blueprint or unit.platform_loaded is None:
        fixes = unit.rename(loc, name, _provided_factors(unit), key=True)[1] if name else ()
        return unit.diag(rule, message, loc, help, key=True, suggestions=fixes)
    mark = locate(unit.platform_loaded.data, loc, key=True)
    return rule.at(message, unit.platform_file, mark, help)


STC060 = Rule(
    "STC060",
    Severity.ERROR,
    "aggregation weight names an unknown factor",
    """An aggregation weight names a factor no context worker provides.

    Why it is bad: the weight is silently ignored and the assessment is computed from
    different factors than the quant intended. Example: ``weights: {trend_strenght:
    0.4}``. Fix: use a factor listed in a context worker's ``provides_factors``.""",
    bad=(
        "aggregation:\n"
        "  method: weighted_average\n"
        "  weights: {trend_strenght: 0.5, structure_quality: 0.5}"
    ),
    fixed=(
        "aggregation:\n"
        "  method: weighted_average\n"
        "  weights: {trend_strength: 0.5, structure_quality: 0.5}"
    ),
)


def check_weight_factors(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC060 (the rule above says why)."""
    if any(w.record is None for w in unit.workers if w.slot == "context_workers"):
        return []  # an unresolved context worker may provide the factor: STC003 says why
    factors = _provided_factors(unit)
    problems = []
    for name in unit.aggregation.weights:
        if name in factors:
            continue
        hint = help_for(name, factors)
        listed = ", ".join(sorted(factors)) or "none"
        problems.append(
            _weights_diag(
                unit,
                STC060,
                f"aggregation weight `{name}` names a factor no context worker provides",
                name,
                hint or f"factors provided by this blueprint's context workers: {listed}",
            )
        )
    return problems


STC061 = Rule(
    "STC061",
    Severity.WARNING,
    "aggregation weights do not sum to 1",
    """Aggregation weights do not sum to 1.

    Why it is bad: ``weighted_average`` normalises by the total, so the numbers the
    quant wrote are not the shares actually used. Example: weights 0.4, 0.3, 0.4. Fix:
    scale them to sum to 1.""",
    bad="weights: {trend_strength: 0.6, structure_quality: 0.5}",
    fixed="weights: {trend_strength: 0.5, structure_quality: 0.5}",
)


def check_weight_sum(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC061 (the rule above says why)."""
    weights = unit.aggregation.weights
    if not weights or unit.aggregation.method != "weighted_average":
        return []
    total = math.fsum(weights.values())
    if math.isclose(total, 1.0, abs_tol=1e-9):
        return []
    return [
        _weights_diag(
            unit,
            STC061,
            f"aggregation weights sum to {total:g}, not 1",
            None,
            "scale the weights so that they sum to 1 (they are normalised anyway)",
        )
    ]


CHECKS = (check_weight_factors, check_weight_sum)
