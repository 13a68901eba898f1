"""Event checks: names must exist (STC050), scheduled events need a schedule
(STC051), subscriptions need a publisher (STC030), publications a subscriber (STC031).
"""

from __future__ import annotations

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.suggest import did_you_mean
from stc.compiler.unit import CompileUnit, Loc
from stc.compiler.wiring import SWOT_ADAPTER, known_events, registry_publishers
from stc.runtime.events import PLATFORM_COMPONENTS

QUIET_WHEN_UNSUBSCRIBED = frozenset(
    {"UI_FLOW_TERMINATED", "LEDGER_UPDATE", "POSITION_UPDATE", "_flow_stop"}
)
"""Platform events that may legitimately have no subscriber in a blueprint."""


def _named_events(unit: CompileUnit) -> list[tuple[str, Loc, str]]:
    """(event, location, role) for every event name the blueprint writes."""
    found: list[tuple[str, Loc, str]] = []
    for worker in unit.workers:
        if worker.slot in ("threat_workers", "strategy_planner") and worker.trigger:
            found.append((worker.trigger, (*worker.loc, "trigger"), worker.slot))
    for i, entry in enumerate(unit.blueprint.wiring):
        found.append((entry.event, ("wiring", i, "event"), "wiring"))
    return found


def _classify_unknown(unit: CompileUnit, event: str, role: str) -> Rule:
    """STC051 for a planner trigger that looks like a schedule, STC050 otherwise."""
    close = did_you_mean(event, sorted(known_events(unit)))
    if role == "strategy_planner" and close is None:
        return STC051
    return STC050


def _schedule_help(unit: CompileUnit, event: str) -> str:
    schedule = f"{event}: {{every: 1w}}"
    if unit.operation_file:
        return f"add `{schedule}` under `schedules:` in {unit.operation_file}"
    return (
        f"add `schedules: {{{schedule}}}` to an operation.yaml that links this blueprint, "
        "and compile the operation instead of the blueprint"
    )


STC050 = Rule(
    "STC050",
    Severity.ERROR,
    "unknown event name",
    """An unknown event name in ``wiring:`` or a ``trigger:``.

    Why it is bad: nothing would ever publish the event, so the worker never runs.
    Example: ``trigger: LEDGER_UPDATES`` (did you mean ``LEDGER_UPDATE``?). Fix:
    correct the name.""",
    bad=("- plugin: MaxDrawdownMonitor\n  trigger: LEDGER_UPDATES"),
    fixed=("- plugin: MaxDrawdownMonitor\n  trigger: LEDGER_UPDATE"),
)


STC051 = Rule(
    "STC051",
    Severity.ERROR,
    "scheduled event has no schedule in the operation",
    """A scheduled event (a strategy planner's trigger that is not a platform or custom
    event) has no schedule in the operation.

    Why it is bad: nothing would ever publish the event, so the planner never runs.
    Example: ``trigger: WEEKLY_DCA_TICK`` compiled without an operation that has
    ``schedules: {WEEKLY_DCA_TICK: {every: 1w}}``. Fix: compile the operation that
    schedules the event, or add the schedule to it.""",
    bad=("# operation.yaml (the blueprint's planner has trigger: WEEKLY_DCA_TICK)\nschedules: {}"),
    fixed=("# operation.yaml\nschedules:\n  WEEKLY_DCA_TICK: {every: 1w}"),
)


def check_event_names(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC050, STC051 (the rules above say why)."""
    problems = []
    known = known_events(unit)
    for event, loc, role in _named_events(unit):
        if event in known:
            continue
        code = _classify_unknown(unit, event, role)
        if code is STC051:
            problems.append(
                unit.diag(
                    STC051,
                    f"scheduled event `{event}` has no schedule"
                    + (" in the operation" if unit.operation else " (no operation given)"),
                    loc,
                    _schedule_help(unit, event),
                )
            )
            continue
        close, fixes = unit.rename(loc, event, sorted(known))
        problems.append(
            unit.diag(
                STC050,
                f"unknown event `{event}`",
                loc,
                close or "use a platform event, a scheduled event, or one a plugin publishes",
                suggestions=fixes,
            )
        )
    return problems


STC030 = Rule(
    "STC030",
    Severity.ERROR,
    "subscription to an event nobody publishes",
    """A worker subscribes to an event nobody publishes.

    Why it is bad: the subscription can never fire. Example: a ``wiring:`` entry on a
    custom event that no plugin declares in ``publishes``. Fix: add the publishing
    plugin or remove the subscription.""",
    bad=(
        "threat_workers: [{id: guard, plugin: TrendFlipGuard}]\n"
        "wiring:\n"
        "  - {event: EXIT_PLAN_UPDATED, worker: guard, method: on_exit_plan_update}"
    ),
    fixed=(
        "threat_workers: [{id: guard, plugin: TrendFlipGuard}]\n"
        "wiring: []  # or add a planner that publishes EXIT_PLAN_UPDATED"
    ),
)


def check_unpublished(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC030 (the rule above says why)."""
    known = known_events(unit)
    elsewhere = registry_publishers(unit)
    problems = []
    for sub in unit.subscriptions:
        if sub.event not in known or unit.publishers.get(sub.event):
            continue
        if sub.worker in PLATFORM_COMPONENTS and sub.origin == "base":
            continue  # a platform component waiting on a missing worker: reported there
        if sub.adapter == SWOT_ADAPTER:
            continue  # a SWOT quadrant may stay empty (no threat workers, say)
        worker = unit.worker(sub.worker)
        loc = (*sub.loc, "event") if sub.loc else (worker.loc if worker and worker.loc else None)
        problems.append(
            unit.diag(
                STC030,
                f"`{sub.worker}` subscribes to `{sub.event}`, but no worker publishes it",
                loc,
                _publisher_help(sub.event, elsewhere.get(sub.event, [])),
                subjects=(sub.worker,),
            )
        )
    return problems


def _publisher_help(event: str, plugins: list[str]) -> str:
    if plugins:
        names = " or ".join(f"`{p}`" for p in plugins)
        return f"add {names} (it publishes `{event}`) to the workforce, or remove the wiring"
    return f"add a worker whose manifest publishes `{event}`, or remove the wiring"


STC031 = Rule(
    "STC031",
    Severity.WARNING,
    "event published but nobody subscribes",
    """An event is published but nobody subscribes.

    Why it is bad: the work of the publishing worker is wasted, which usually means a
    missing piece. Example: a custom event declared in a plugin's ``publishes`` with no
    ``wiring:`` entry for it. Fix: subscribe a worker, or drop the worker.""",
    bad=("context_workers:\n  - plugin: TrendFlipPublisher  # publishes TREND_FLIP"),
    fixed=(
        "context_workers:\n"
        "  - plugin: TrendFlipPublisher\n"
        "threat_workers:\n"
        "  - {id: guard, plugin: TrendFlipGuard}\n"
        "wiring:\n"
        "  - {event: TREND_FLIP, worker: guard, method: on_trend_flip}"
    ),
)


def check_unsubscribed(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC031 (the rule above says why)."""
    subscribed = {s.event for s in unit.subscriptions}
    problems = []
    for event, publishers in sorted(unit.publishers.items()):
        if event in subscribed or event in QUIET_WHEN_UNSUBSCRIBED:
            continue
        workers = [unit.worker(p) for p in publishers if p not in PLATFORM_COMPONENTS]
        for worker in (w for w in workers if w is not None and w.loc):
            problems.append(
                unit.diag(
                    STC031,
                    f"{worker.label} publishes `{event}`, but nobody subscribes to it",
                    (*worker.loc, "plugin"),
                    f"subscribe a worker with `wiring: [{{event: {event}, worker: ..., "
                    "method: ...}]`, or remove the publisher",
                    subjects=(worker.id,),
                )
            )
    return problems


CHECKS = (check_unpublished, check_unsubscribed, check_event_names)
