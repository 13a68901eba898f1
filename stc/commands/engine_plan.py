"""``stc check --engine-plan``: per worker, whether the fast engine runs it in batch
form, and if not, the compiler's reason (issue 23).

Why here: ``stc check`` is what a user runs on a blueprint to see what the compiler
thinks of it, before any data is involved; batchability is such a verdict, but not a
problem (a worker without a batch form is not an error), so it is not a diagnostic and
not a warning: it is printed on request, on stdout, after the diagnostics (stderr).
The text is a pure function of the compile unit (blueprint order, no paths that depend
on the working directory beyond the file as given), so it is snapshot-tested.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from stc.compiler.batchable import BatchVerdict
    from stc.compiler.pipeline import CompileOutcome

PER_BAR_SLOTS = ("context_workers", "opportunity_workers")
"""The slots whose workers can have batch forms (``stc.compiler.batchable``)."""


def write_engine_plans(outcomes: Sequence[CompileOutcome], out: IO[str]) -> None:
    """The engine plan of every compiled strategy among ``outcomes``, in order."""
    from stc.compiler.batchable import batch_plan
    from stc.compiler.diagnostics import Severity

    for outcome in outcomes:
        unit = outcome.unit
        if unit is None:  # not a strategy (a manifest, platform.yaml, an operation itself)
            continue
        name = unit.blueprint.name
        out.write(f"engine plan of {name} ({outcome.file}):\n")
        if any(d.severity == Severity.ERROR for d in outcome.diagnostics):
            out.write("  none: the blueprint has errors (see above)\n")
            continue
        verdicts = batch_plan(unit)
        slots = {w.id: w.slot for w in unit.resolved()}
        out.write(render_verdicts(list(verdicts.values()), slots))


def render_verdicts(verdicts: Sequence[BatchVerdict], slots: Mapping[str, str]) -> str:
    """One aligned line per worker (``batched`` or ``not batched``, its id, the reason)
    and a summary of the context and opportunity workers, the ones batching is for."""
    rows = [("batched" if v.batchable else "not batched", v.worker, v.reason) for v in verdicts]
    width = max((len(worker) for _, worker, _ in rows), default=0)
    lines = [f"  {status:<11} {worker:<{width}}  {reason}\n" for status, worker, reason in rows]
    per_bar = [v for v in verdicts if slots.get(v.worker) in PER_BAR_SLOTS]
    batched = sum(v.batchable for v in per_bar)
    lines.append(
        f"  {batched} of {len(per_bar)} context and opportunity workers batched; whether "
        "`stc run --engine fast` also skips quiet bars depends on the whole plan (its "
        "`engine` line says)\n"
    )
    return "".join(lines)
