"""Phase 4b: the PlanningAggregator coordinates trade planning (seed, Fase 4b).

It tracks the three parallel plans of the current directive, publishes
``ROUTING_PLANNING_REQUESTED`` (a RoutingRequest) only when entry, size *and* exit are
all in, and turns the routing plan into the ExecutionDirective with the full
CausalityChain. It never selects planners (the matchers do) and holds no business
logic. Flows run one at a time, so one pending slot suffices.
"""

from __future__ import annotations

from typing import Any

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.plans import (
    EntryPlan,
    ExecutionDirective,
    ExitPlan,
    RoutingPlan,
    RoutingRequest,
    SizePlan,
    stop_on_wrong_side,
)
from stc.runtime.dtos.trusted import trusted
from stc.runtime.envelope import Disposition, DispositionEnvelope
from stc.runtime.errors import PlanningError as PlanningError


class PlanningAggregator:
    """Platform component ``planning_aggregator``."""

    def __init__(self, ids: IdFactory) -> None:
        self._ids = ids
        self.directive: StrategyDirective | None = None
        self.entry: EntryPlan | None = None
        self.size: SizePlan | None = None
        self.exit: ExitPlan | None = None
        self.routing_requested = False
        self.result: ExecutionDirective | None = None

    def begin(self, directive: StrategyDirective) -> None:
        """Start collecting plans for ``directive`` (forgets any unfinished flow)."""
        self.directive = directive
        self.entry = self.size = self.exit = None
        self.routing_requested = False
        self.result = None

    def abandon(self) -> None:
        """Drop the current flow (it ended without an ExecutionDirective)."""
        self.directive = None
        self.entry = self.size = self.exit = None
        self.routing_requested = False

    @property
    def pending(self) -> bool:
        """True while a flow started but no ExecutionDirective came out of it."""
        return self.directive is not None and self.result is None

    def missing(self) -> tuple[str, ...]:
        """Kinds of plan still missing for the current flow."""
        out = [
            kind
            for kind, plan in (("entry", self.entry), ("size", self.size), ("exit", self.exit))
            if plan is None
        ]
        if not out and self.result is None:
            out.append("routing")
        return tuple(out)

    def on_entry_plan(self, plan: EntryPlan) -> DispositionEnvelope | None:
        """Record the entry plan; request routing if it completes the parallel phase."""
        self._check_open("entry")
        self.entry = plan
        return self._maybe_request_routing()

    def on_size_plan(self, plan: SizePlan) -> DispositionEnvelope | None:
        """Record the size plan; request routing if it completes the parallel phase."""
        self._check_open("size")
        self.size = plan
        return self._maybe_request_routing()

    def on_exit_plan(self, plan: ExitPlan) -> DispositionEnvelope | None:
        """Record the exit plan; request routing if it completes the parallel phase."""
        self._check_open("exit")
        self.exit = plan
        return self._maybe_request_routing()

    def on_routing_plan(self, plan: RoutingPlan) -> DispositionEnvelope:
        """Aggregate the four plans into the ExecutionDirective."""
        if not self.routing_requested or self.directive is None:
            raise PlanningError("a routing plan arrived before routing was requested")
        assert self.entry is not None and self.size is not None and self.exit is not None
        directive = self.directive
        exe_id = self._ids.new("EXE", directive.timestamp)
        # Every id added here was validated already (by its own DTO or the id factory),
        # so a copy suffices; ``with_ids`` would dump and revalidate the whole chain.
        causality = directive.causality.model_copy(
            update={
                "strategy_directive_id": directive.directive_id,
                "entry_plan_id": self.entry.plan_id,
                "size_plan_id": self.size.plan_id,
                "exit_plan_id": self.exit.plan_id,
                "routing_plan_id": plan.plan_id,
                "execution_directive_id": exe_id,
            }
        )
        fields: dict[str, Any] = {
            "directive_id": exe_id,
            "timestamp": directive.timestamp,
            "causality": causality,
            "entry_plan": self.entry,
            "size_plan": self.size,
            "exit_plan": self.exit,
            "routing_plan": plan,
        }
        # The four plans passed their contract checks when published and the id and
        # time are the platform's: only the stop-side rule can still fail, and then the
        # validating constructor raises exactly the error it always raised.
        if stop_on_wrong_side(self.entry, self.exit):
            ExecutionDirective(**fields)
        self.result = trusted(ExecutionDirective, **fields)
        return publish("EXECUTION_DIRECTIVE_READY", self.result)

    def _check_open(self, kind: str) -> None:
        if self.directive is None:
            raise PlanningError(f"a {kind} plan arrived outside a planning flow")
        if self.routing_requested:
            raise PlanningError(f"a second {kind} plan arrived after routing was requested")

    def _maybe_request_routing(self) -> DispositionEnvelope | None:
        if self.entry is None or self.size is None or self.exit is None:
            return None
        assert self.directive is not None
        self.routing_requested = True
        request = trusted(  # the directive and the plans passed their contract checks
            RoutingRequest,
            strategy_directive=self.directive,
            entry_plan=self.entry,
            size_plan=self.size,
            exit_plan=self.exit,
        )
        return publish("ROUTING_PLANNING_REQUESTED", request)


def publish(event: str, payload: object) -> DispositionEnvelope:
    """The platform's PUBLISH envelope of ``payload`` on ``event`` (a non-empty event
    name of the platform's own: nothing for the envelope's validator to find)."""
    return trusted(
        DispositionEnvelope, disposition=Disposition.PUBLISH, event_name=event, payload=payload
    )
