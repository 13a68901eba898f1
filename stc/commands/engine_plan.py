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

from collections.abc import Collection, Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from stc.compiler.batchable import BatchVerdict
    from stc.compiler.pipeline import CompileOutcome
    from stc.compiler.unit import WorkerInstance

PER_BAR_SLOTS = ("context_workers", "opportunity_workers")
"""The slots whose workers run on every bar (with the tick-threat workers: threat
workers on ``TICK_RECEIVED``); they can have batch forms (``stc.compiler.batchable``)."""


def runs_per_bar(worker: WorkerInstance) -> bool:
    """A context, opportunity or tick-threat worker: the ones batching is for."""
    if worker.slot == "threat_workers":
        return (worker.trigger or "TICK_RECEIVED") == "TICK_RECEIVED"
    return worker.slot in PER_BAR_SLOTS


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
        per_bar = {w.id for w in unit.resolved() if runs_per_bar(w)}
        out.write(render_verdicts(list(verdicts.values()), per_bar))


def render_verdicts(verdicts: Sequence[BatchVerdict], per_bar_ids: Collection[str]) -> str:
    """One aligned line per worker (``batched`` or ``not batched``, its id, the reason)
    and a summary of the workers that run on every bar (``per_bar_ids``: context,
    opportunity and tick-threat workers), the ones batching is for."""
    rows = [("batched" if v.batchable else "not batched", v.worker, v.reason) for v in verdicts]
    width = max((len(worker) for _, worker, _ in rows), default=0)
    lines = [f"  {status:<11} {worker:<{width}}  {reason}\n" for status, worker, reason in rows]
    per_bar = [v for v in verdicts if v.worker in per_bar_ids]
    batched = sum(v.batchable for v in per_bar)
    lines.append(
        f"  {batched} of {len(per_bar)} context, opportunity and tick-threat workers batched; "
        "whether "
        "`stc run --engine fast` also skips quiet bars depends on the whole plan (its "
        "`engine` line says)\n"
    )
    return "".join(lines)
