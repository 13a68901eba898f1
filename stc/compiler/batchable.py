"""Which workers may run in batch form (issue 23, item 1).

A worker's batch form (``stc.runtime.batch``) computes its outputs over a whole array
of closed bars at once. That is only the same as calling its handler tick by tick when
nothing the worker reads can depend on what happens during the run: the bars are known
ahead, a trade is not. So a worker is **batchable** when all of these hold:

1. it is a context or an opportunity worker (phases 1a/2a; later phases react to
   signals, orders and the ledger), or a tick-threat worker (a threat worker
   triggered by ``TICK_RECEIVED``: it sees the bar, not the run);
2. its manifest says ``batch: true`` and its class defines the batch form's methods
   (``batch`` and ``result_at``);
3. it declares no capability through which the run feeds back into it: no ledger
   (``ledger: read``), no persistent ``state``, no ``events``, no ``journaling`` (a
   note is written during a tick, which a batch form has none of); and a context
   worker's handler draws no ids (its code names no ``new_id``:
   :mod:`stc.compiler.id_draws`; the runtime refuses a draw the code hid,
   :mod:`stc.runtime.batch_ids`), since the fast engine skips its calls on quiet bars;
4. it is wired to nothing but its base event (``TICK_RECEIVED`` for a context or a
   threat worker, ``CONTEXT_ASSESSMENT_READY`` for an opportunity worker): any other
   subscription
   delivers something a later phase produced;
5. every DTO it requires is bars (``OHLCVWindow``) or the output of a batchable
   context worker that runs before it (the one whose DTO it reads: the last provider
   upstream, as ``context.get`` would see it).

The verdicts are a pure function of the compile unit (its resolved workers, their
manifests, classes and subscriptions). Each says why, so that a user who expected
speed can see which rule a worker misses. The wiring map records the batchable ones
(``WorkerSpec.batch``, docs/decisions.md, issue 23); ``CompileResult.batchable`` and
``stc check --engine-plan`` (``stc.commands.engine_plan``) show every verdict and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from stc.compiler.id_draws import id_draw_site
from stc.compiler.unit import CompileUnit, WorkerInstance
from stc.runtime.batch import BATCH_METHODS, offers_batch

BASE_EVENTS: dict[str, str] = {
    "context_workers": "TICK_RECEIVED",
    "opportunity_workers": "CONTEXT_ASSESSMENT_READY",
    "threat_workers": "TICK_RECEIVED",
}
"""Batchable slots → the one event their base wiring delivers."""

BARS_DTO = "OHLCVWindow"


@dataclass(frozen=True)
class BatchVerdict:
    """Whether ``worker`` may run in batch form, and why (or why not)."""

    worker: str
    batchable: bool
    reason: str
    inputs: tuple[str, ...] = ()
    """Ids of the batchable context workers whose outputs it reads (besides bars)."""


def batch_plan(unit: CompileUnit) -> dict[str, BatchVerdict]:
    """A verdict for every resolved worker, by worker id, in blueprint order.

    Context workers are judged in chain order, so that a worker reading another's DTO
    sees that provider's verdict."""
    verdicts: dict[str, BatchVerdict] = {}
    providers: dict[str, str] = {}  # DTO → id of the last context worker providing it
    workers = sorted(unit.resolved(), key=lambda w: (w.slot != "context_workers", w.order))
    for worker in workers:
        verdicts[worker.id] = judge(unit, worker, providers, verdicts)
        if worker.slot == "context_workers" and worker.record is not None:
            for dto in worker.record.manifest.dependencies.provides_dtos:
                providers[dto] = worker.id
    return {w.id: verdicts[w.id] for w in unit.resolved()}


def judge(
    unit: CompileUnit,
    worker: WorkerInstance,
    providers: dict[str, str],
    verdicts: dict[str, BatchVerdict],
) -> BatchVerdict:
    """The verdict of one worker, given the providers and verdicts upstream of it."""
    problem = _declaration_problem(unit, worker) or _wiring_problem(unit, worker)
    if problem:
        return BatchVerdict(worker.id, False, problem)
    assert worker.record is not None
    inputs: list[str] = []
    for dto in worker.record.manifest.dependencies.requires_dtos:
        if dto == BARS_DTO:
            continue
        provider = providers.get(dto)
        if provider is None:
            return BatchVerdict(worker.id, False, f"requires `{dto}`, which no context "
                                "worker before it provides (not bars)")  # fmt: skip
        if not verdicts[provider].batchable:
            return BatchVerdict(worker.id, False, f"requires `{dto}` from `{provider}`, "
                                "which is not batchable")  # fmt: skip
        inputs.append(provider)
    if inputs:
        reason = "reads bars and the batch outputs of " + ", ".join(f"`{i}`" for i in inputs)
    else:
        reason = "reads bars only"
    return BatchVerdict(worker.id, True, reason, tuple(inputs))


def _declaration_problem(unit: CompileUnit, worker: WorkerInstance) -> str | None:
    """Why the slot, the manifest or the class rule batch form out (rules 1-3). The
    class side comes from the compile cache when it skipped importing the classes."""
    if worker.slot not in BASE_EVENTS:
        article = "an" if worker.worker_type[:1] in "aeiou" else "a"
        return f"{article} {worker.worker_type} runs on events, not on bars alone (batch " \
            "forms are for context, opportunity and tick-threat workers)"  # fmt: skip
    if worker.slot == "threat_workers" and (worker.trigger or BASE_EVENTS[worker.slot]) \
            != BASE_EVENTS[worker.slot]:  # fmt: skip
        return f"a threat_worker triggered by `{worker.trigger}` runs on events of the " \
            "run, not on bars alone (batch forms are for tick-threat workers)"  # fmt: skip
    assert worker.record is not None
    manifest = worker.record.manifest
    if not manifest.batch:
        return "its manifest does not declare `batch: true`"
    methods = " and ".join(f"`{m}`" for m in BATCH_METHODS)
    if worker.cls is None and unit.batch_offers is not None:
        if worker.id not in unit.batch_offers:
            return f"its class `{worker.record.class_name}` does not define {methods}"
    elif worker.cls is None:
        return "its class could not be loaded"
    elif not offers_batch(worker.cls):
        return f"its class `{worker.cls.__name__}` does not define {methods}"
    site = _id_draw_site(unit, worker)
    if site is not None:
        return f"its handler draws ids (`{site}` names `new_id`): the fast engine " \
            "skips bars, and every later id would shift"  # fmt: skip
    capabilities = manifest.capabilities
    if capabilities.ledger != "none":
        return "it reads the ledger (`capabilities.ledger: read`)"
    for name in ("state", "events", "journaling"):
        if getattr(capabilities, name):
            return f"it declares `capabilities.{name}: true`"
    return None


def _id_draw_site(unit: CompileUnit, worker: WorkerInstance) -> str | None:
    """Where a context worker's handler draws ids (rule 3b), from its class or from the
    compile cache; None for an opportunity worker, whose ``result_at`` draws its
    signal's id on the bars its output is present (the fast engine runs those)."""
    if worker.slot != "context_workers":
        return None
    if worker.cls is None:
        return unit.batch_id_draws.get(worker.id)
    return id_draw_site(worker.cls, handler_method(unit, worker))


def handler_method(unit: CompileUnit, worker: WorkerInstance) -> str:
    """The method the base event calls on ``worker`` (``on_tick`` when unwired)."""
    base = BASE_EVENTS[worker.slot]
    for subscription in unit.subscriptions:
        if subscription.worker == worker.id and subscription.event == base:
            return subscription.method
    return "on_tick"


def _wiring_problem(unit: CompileUnit, worker: WorkerInstance) -> str | None:
    """Rule 4: a subscription other than the base one feeds the run back into it."""
    base = BASE_EVENTS[worker.slot]
    for subscription in unit.subscriptions:
        if subscription.worker == worker.id and subscription.event != base:
            return f"it is wired to `{subscription.event}` (`{subscription.method}`), " \
                "an event of the run"  # fmt: skip
    return None
