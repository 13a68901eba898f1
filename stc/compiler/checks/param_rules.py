"""Cross-field parameter rules (STC008): the ``constraints:`` a manifest declares,
evaluated on each worker's params with the manifest's defaults applied."""

from __future__ import annotations

from stc.compiler.constraints import RuleError, holds, names_in
from stc.compiler.diagnostics import Diagnostic, Related, Severity
from stc.compiler.rules import Rule
from stc.compiler.sources import STC002, locate
from stc.compiler.unit import CompileUnit, WorkerInstance

STC008 = Rule(
    "STC008",
    Severity.ERROR,
    "params break a cross-field rule of the plugin's manifest",
    """A worker's params break a rule between params that its manifest declares.

    Why it is bad: JSON Schema checks each parameter alone, so ``fast: 50, slow: 20``
    passes it, and the plugin would stop the run with a bare error and no position.
    Example: ``EMACrossDetector`` with ``params: {fast: 50, slow: 20}`` (rule ``fast <
    slow``). Fix: change the params the message names so the rule holds; the note points
    at the rule in the manifest. Plugin authors declare rules as ``constraints: [{rule:
    "fast < slow", message: "..."}]`` (docs/plugins.md).""",
    bad=("- plugin: EMACrossDetector\n  params: {fast: 50, slow: 20}"),
    fixed=("- plugin: EMACrossDetector\n  params: {fast: 20, slow: 50}"),
)


def check_param_rules(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC008 (the rule above says why)."""
    problems: list[Diagnostic] = []
    for worker in unit.resolved():
        assert worker.record is not None
        for index, rule in enumerate(worker.record.manifest.constraints):
            problems.extend(_check_one(unit, worker, index, rule.rule, rule.message))
    return problems


def _check_one(
    unit: CompileUnit, worker: WorkerInstance, index: int, rule: str, message: str
) -> list[Diagnostic]:
    record = worker.record
    assert record is not None
    names = names_in(rule)
    rule_mark = locate(record.loaded.data, ("constraints", index, "rule"))
    if not all(name in worker.params for name in names):
        return []  # params invalid (reported) or a param without value: nothing to evaluate
    try:
        if holds(rule, worker.params):
            return []
    except RuleError as exc:
        return [STC002.at(str(exc), record.display_file, rule_mark, None)]
    written = [n for n in names if isinstance(worker.ref.params, dict) and n in worker.ref.params]
    loc = (*worker.loc, "params", written[0]) if written else (*worker.loc, "plugin")
    values = ", ".join(f"{n}={worker.params[n]!r}" for n in names)
    related = [unit.related(f"`{n}` is set here", (*worker.loc, "params", n)) for n in written[1:]]
    related.append(
        Related(
            message=f"rule `{rule}` of {worker.plugin}",
            file=record.display_file,
            line=rule_mark.line if rule_mark else None,
            column=rule_mark.column if rule_mark else None,
        )
    )
    defaults = [n for n in names if n not in written]
    shown = f" ({', '.join(defaults)} from the manifest's defaults)" if defaults else ""
    return [
        unit.diag(
            STC008,
            f"params of worker `{worker.id}` ({worker.plugin}): {message}: `{rule}` is false "
            f"for {values}{shown}",
            loc,
            f"change {' or '.join(f'`{n}`' for n in names)} so that `{rule}` holds",
            related=tuple(related),
            subjects=(worker.id,),
        )
    ]


CHECKS = (check_param_rules,)
