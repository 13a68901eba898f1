"""Data-flow checks: every DTO a worker requires must be provided upstream of it.

Upstream means earlier in the context chain (blueprint order) or in an earlier
phase: context (1a) → aggregation (1b) → opportunities/threats (2) → strategy
planning (3) → trade planning (4a) → routing → execution (5).
"""

from __future__ import annotations

from bisect import bisect_left

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.suggest import help_for
from stc.compiler.unit import CompileUnit, WorkerInstance

SLOT_RANK: dict[str, int] = {
    "context_workers": 10,
    "opportunity_workers": 30,
    "threat_workers": 30,
    "strategy_planner": 40,
    "entry": 50,
    "size": 50,
    "exit": 50,
    "routing": 60,
    "execution": 70,
}
PLATFORM_PROVIDED: dict[str, int] = {
    "TradingContext": 0,
    "OHLCVWindow": 0,
    "Bar": 0,
    "AggregatedContextAssessment": 20,
    "OpportunitySignal": 30,
    "ThreatSignal": 30,
    "SWOTInputs": 35,
    "StrategyDirective": 40,
    "EntryPlan": 55,
    "SizePlan": 55,
    "ExitPlan": 55,
    "RoutingRequest": 55,
    "RoutingPlan": 65,
    "ExecutionDirective": 65,
    "LedgerSnapshot": 0,
    "PositionUpdate": 0,
    "ScheduledTick": 0,
}
"""DTOs the platform makes available, with the position from which they exist."""


def position(worker: WorkerInstance) -> tuple[int, int]:
    """Where the worker runs in the tick flow: (phase rank, order within the chain)."""
    rank = SLOT_RANK[worker.slot]
    return (rank, worker.order if worker.slot == "context_workers" else 0)


def _providers(unit: CompileUnit) -> dict[str, list[WorkerInstance]]:
    """Providers of each DTO sorted by position (earliest first), so that "is there one
    upstream" is a look at the first and "how many upstream" a bisection."""
    providers: dict[str, list[WorkerInstance]] = {}
    for worker in unit.resolved():
        assert worker.record is not None
        for dto in worker.record.manifest.dependencies.provides_dtos:
            providers.setdefault(dto, []).append(worker)
    for found in providers.values():
        found.sort(key=position)
    return providers


Heads = dict[str, list[tuple[tuple[int, int], WorkerInstance]]]


def _heads(providers: dict[str, list[WorkerInstance]]) -> Heads:
    """The first two providers of each DTO with their positions: enough to decide
    the common cases of both checks without a position computed per requirement."""
    return {dto: [(position(p), p) for p in found[:2]] for dto, found in providers.items()}


STC010 = Rule(
    "STC010",
    Severity.ERROR,
    "required DTO provided by no worker upstream",
    """A required DTO is provided by no worker upstream.

    Why it is bad: the worker would read ``None`` from the TradingContext on every tick
    and silently never fire. Example: ``FVGEntryDetector`` requires ``MarketStructure``
    but no ``MarketStructureDetector`` is in ``context_workers``. Fix: add the
    providing plugin (the help names one).""",
    bad=(
        "context_workers:\n"
        "  - plugin: EMADetector\n"
        "opportunity_workers:\n"
        "  - plugin: FVGEntryDetector  # requires MarketStructure"
    ),
    fixed=(
        "context_workers:\n"
        "  - plugin: EMADetector\n"
        "  - plugin: MarketStructureDetector\n"
        "opportunity_workers:\n"
        "  - plugin: FVGEntryDetector"
    ),
)


STC011 = Rule(
    "STC011",
    Severity.ERROR,
    "required DTO provided only later",
    """A required DTO is provided only later in the chain or a later phase.

    Why it is bad: context workers run in list order, so the consumer reads the DTO
    before its provider has written it: ``None`` on every tick, and the worker never
    fires. Example: ``TrendFilter`` (needs ``EMAValues``) listed before
    ``EMADetector``. Fix: move the provider earlier in the chain.""",
    bad=(
        "context_workers:\n  - plugin: TrendFilter  # requires EMAValues\n  - plugin: EMADetector"
    ),
    fixed=("context_workers:\n  - plugin: EMADetector\n  - plugin: TrendFilter"),
)


def check_requirements(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC010, STC011 (the rules above say why)."""
    providers = _providers(unit)
    heads = _heads(providers)
    problems: list[Diagnostic] = []
    for worker in unit.resolved():
        assert worker.record is not None
        here = position(worker)
        for index, dto in enumerate(worker.record.manifest.dependencies.requires_dtos):
            if not _provided_upstream(worker, here, dto, heads):
                problems += _check_one(unit, worker, index, dto, providers)
    return problems


def _provided_upstream(
    worker: WorkerInstance, here: tuple[int, int], dto: str, heads: Heads
) -> bool:
    """The common case, decided without building anything: the platform or the
    earliest other provider is upstream. False sends the requirement to
    ``_check_one``, which decides (and explains) every case."""
    platform = PLATFORM_PROVIDED.get(dto)
    if platform is not None and platform < here[0]:
        return True
    for where, provider in heads.get(dto, ()):
        if provider is not worker:
            return where < here
    return False


def _check_one(
    unit: CompileUnit,
    worker: WorkerInstance,
    index: int,
    dto: str,
    providers: dict[str, list[WorkerInstance]],
) -> list[Diagnostic]:
    here = position(worker)
    if dto in PLATFORM_PROVIDED and PLATFORM_PROVIDED[dto] < here[0]:
        return []
    candidates = providers.get(dto, [])
    earliest = next((p for p in candidates if p is not worker), None)
    if earliest is not None and position(earliest) < here:
        return []
    found = [p for p in candidates if p is not worker]
    loc = (*worker.loc, "plugin")
    if not found and _unresolved_upstream(unit, worker):
        return []  # the unknown plugin may be the provider: STC003 already says why
    if not found:
        known = [*providers, *PLATFORM_PROVIDED]
        hint = help_for(dto, known) or _provider_help(unit, worker, dto)
        return [
            unit.diag(
                STC010,
                f"{worker.label} requires `{dto}`, but no worker upstream provides it",
                loc,
                hint,
                subjects=(worker.id,),
            )
        ]
    later = found[0]
    return [
        unit.diag(
            STC011,
            f"{worker.label} requires `{dto}`, which is provided only later by {later.label}",
            loc,
            f"move {later.label} before {worker.label} in the blueprint",
            related=(unit.related(f"`{dto}` is provided here", later.loc),),
            subjects=(worker.id, later.id),
        )
    ]


def _provider_help(unit: CompileUnit, worker: WorkerInstance, dto: str) -> str:
    """Name the installed plugins that provide ``dto`` (the fix is to add one)."""
    plugins = [
        name
        for name in unit.registry.names()
        if dto in unit.registry.plugins[name].manifest.dependencies.provides_dtos
    ]
    if not plugins:
        return f"no installed plugin provides `{dto}`; write one (`stc new plugin`)"
    names = " or ".join(f"`{p}`" for p in plugins)
    return f"add {names} (provides `{dto}`) to `context_workers` before {worker.label}"


def _unresolved_upstream(unit: CompileUnit, worker: WorkerInstance) -> bool:
    return any(w.record is None and position(w) < position(worker) for w in unit.workers)


STC012 = Rule(
    "STC012",
    Severity.WARNING,
    "two workers provide the same DTO to one consumer",
    """Two workers provide the same DTO to the same consumer.

    Why it is bad: the TradingContext keeps one DTO per type, so the later provider
    silently replaces the earlier one and the consumer sees only that one. Example: two
    ``EMADetector`` instances with different periods feeding ``FVGEntryDetector``. Fix:
    keep one provider, or give the consumers what they need from one worker.""",
    bad=(
        "context_workers:\n"
        "  - {id: structure_fast, plugin: MarketStructureDetector, params: {lookback: 3}}\n"
        "  - {id: structure_slow, plugin: MarketStructureDetector, params: {lookback: 10}}"
    ),
    fixed=(
        "context_workers:\n"
        "  - {id: structure, plugin: MarketStructureDetector, params: {lookback: 10}}"
    ),
)


def check_ambiguous_providers(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC012 (the rule above says why)."""
    providers = _providers(unit)
    heads = _heads(providers)
    problems: list[Diagnostic] = []
    for worker in unit.resolved():
        assert worker.record is not None
        here = position(worker)
        for dto in worker.record.manifest.dependencies.requires_dtos:
            first_two = heads.get(dto, ())
            if len(first_two) < 2 or not first_two[1][0] < here:
                continue  # fewer than two providers upstream (they are sorted)
            found = providers[dto]
            upstream = found[: bisect_left(found, here, key=position)]
            if len(upstream) < 2:
                continue
            winner = max(upstream, key=position)
            others = ", ".join(p.label for p in upstream if p is not winner)
            problems.append(
                unit.diag(
                    STC012,
                    f"`{dto}` reaches {worker.label} from {len(upstream)} workers; "
                    f"{winner.label} wins over {others}",
                    (*winner.loc, "plugin"),
                    f"keep a single provider of `{dto}` upstream of {worker.label}",
                    related=tuple(
                        unit.related(f"also provides `{dto}`", p.loc)
                        for p in upstream
                        if p is not winner
                    ),
                    subjects=(worker.id, *(p.id for p in upstream)),
                )
            )
    return problems


CHECKS = (check_requirements, check_ambiguous_providers)
