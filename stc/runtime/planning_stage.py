"""The planning stage: from a strategy directive to the plans that make a trade.

It picks the planners whose triggers match a directive and calls them; what they
return goes back out through the ``handle`` callable it was given (the event bus's:
check the worker's contract, journal, publish), so the stage knows no routes but its
planners'. It also answers the directive scopes that do not open a trade
(``CLOSE_EXISTING``, ``MODIFY_EXISTING``) and turns a bare opportunity on a planning
event into a platform directive.

What it may touch: the planning aggregator, the execution handler's ``close_trades``
and ``on_exit_plan_update``, the flow recorder (journal, end reasons), the id factory.
Each planner call carries its worker id for fault blame (:mod:`stc.runtime.blame`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stc.runtime.blame import blame
from stc.runtime.dispatch import Route
from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.market import LazyContext
from stc.runtime.dtos.plans import ExitPlan, RoutingRequest
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.execution.handler import ExecutionPort
from stc.runtime.flow_recorder import FlowRecorder
from stc.runtime.ledger import dec
from stc.runtime.platform.planning_aggregator import PlanningAggregator

_TRADE_PLANNERS = ("entry_planner", "size_planner", "exit_planner")

Handle = Callable[[str, Any, str | None, Callable[[Any], Any] | None], None]
"""Publish a worker's return value: (worker, result, default event, the call)."""
Checked = Callable[[str, Any, str | None, Callable[[Any], Any] | None], tuple[str | None, Any]]
"""A worker's return value checked against its contract: (event, payload)."""


class PlanningStage:
    """Trade, close and modify planning for one run."""

    def __init__(
        self,
        ids: IdFactory,
        context: LazyContext,
        planning: PlanningAggregator,
        handler: ExecutionPort,
        recorder: FlowRecorder,
        handle: Handle,
        checked: Checked,
    ) -> None:
        self.ids = ids
        self.context = context
        self.planning = planning
        self.handler = handler
        self.recorder = recorder
        self.handle = handle
        self.checked = checked
        self.update_exit: Callable[[ExitPlan], object] | None = getattr(
            handler, "on_exit_plan_update", None
        )
        """The handler's ``on_exit_plan_update``: how MODIFY_EXISTING reaches a trade."""

    def on_event(self, payload: Any, planners: tuple[Route, ...]) -> None:
        """A planning event: a routing request goes to the routing planners, anything
        else is a directive (or an opportunity made into one) for the trade planners."""
        # exact types first: ``isinstance`` on a pydantic class is a Python-level call
        cls = type(payload)
        if cls is StrategyDirective:
            self.plan_trade(payload, planners)
        elif cls is RoutingRequest or isinstance(payload, RoutingRequest):
            self.plan_routing(payload, planners)
        else:
            self.plan_trade(self.as_directive(payload), planners)

    def as_directive(self, payload: Any) -> StrategyDirective:
        """``payload`` as a directive: an opportunity becomes a platform directive."""
        if type(payload) is StrategyDirective or isinstance(payload, StrategyDirective):
            return payload
        if not isinstance(payload, OpportunitySignal):
            raise TypeError(f"cannot plan from a {type(payload).__name__}")
        ctx = self.context
        assert ctx.timestamp is not None
        assessment = ctx.assessment
        directive = StrategyDirective(
            directive_id=self.ids.new("STR", ctx.timestamp),
            timestamp=ctx.timestamp,
            causality=CausalityChain(
                tick_time=ctx.timestamp,
                context_assessment_id=assessment.assessment_id if assessment else None,
                opportunity_ids=(payload.signal_id,),
            ),
            confidence=payload.confidence,
            reference_price=dec(ctx.bar.close),
            entry_directive=EntryDirective(symbol=payload.asset, direction=payload.direction),
            source_worker_id="platform",
        )
        self.recorder.dto("platform", directive)
        return directive

    def plan_trade(self, directive: StrategyDirective, planners: tuple[Route, ...]) -> None:
        """NEW_TRADE: one matching entry, size and exit planner each, in wiring order."""
        if directive.scope == "CLOSE_EXISTING":
            self.handler.close_trades(directive.target_trade_ids)
            self.end(f"close requested for {', '.join(directive.target_trade_ids)}")
            return
        if directive.scope == "MODIFY_EXISTING":
            self.modify_trades(directive, planners)
            return
        chosen: dict[str, Route] = {}
        for route in planners:
            if route.kind in _TRADE_PLANNERS and route.kind not in chosen:
                assert route.matcher is not None
                if route.matcher.matches(directive):
                    chosen[route.kind] = route
        missing = [k for k in _TRADE_PLANNERS if k not in chosen]
        if missing:
            self.end(
                f"{directive.directive_id}: no {'/'.join(missing)} matched "
                f"(confidence={directive.confidence})"
            )
            return
        self.planning.begin(directive)
        for route in planners:
            if chosen.get(route.kind) is route and not self._run_planner(route, directive):
                return
        if self.planning.pending and not self.planning.routing_requested:
            self.end(f"{directive.directive_id}: missing {'/'.join(self.planning.missing())} plan")

    def _run_planner(self, route: Route, directive: StrategyDirective) -> bool:
        """Call one planner and publish its plan; False (flow ended) when it gave none."""
        try:
            result = route.call(directive)
            if result is None:
                self.end(f"{directive.directive_id}: {route.worker} returned no plan")
                return False
            self.handle(route.worker, result, None, route.call)
        except BaseException as exc:
            blame(exc, route.worker)
            raise
        return True

    def modify_trades(self, directive: StrategyDirective, planners: tuple[Route, ...]) -> None:
        """MODIFY_EXISTING: the first exit planner whose triggers match plans the new
        stop/target, and the handler gives every targeted trade that exit (an open
        trade, or the pending entry orders of one). Entry, size and routing planners
        do not run; the flow ends with the reason journaled."""
        label, update_exit = directive.directive_id, self.update_exit
        if update_exit is None:
            self.end(f"{label}: the execution handler cannot change exits "
                     "(it has no on_exit_plan_update)")  # fmt: skip
            return
        if not directive.target_trade_ids:
            self.end(f"{label}: MODIFY_EXISTING names no target_trade_ids")
            return
        route = next((r for r in planners if _modifies_exit(r, directive)), None)
        if route is None:
            self.end(f"{label}: no exit_planner matched (confidence={directive.confidence})")
            return
        self.planning.begin(directive)  # the plan's journal parent; ended below
        plan = self._exit_for_modification(route, directive)
        if plan is None:
            self.end(f"{label}: {route.worker} returned no plan")
            return
        self.recorder.dto(route.worker, plan)
        for trade_id in directive.target_trade_ids:
            update_exit(self._exit_of_trade(plan, trade_id))
        self.end(f"{label}: exit replaced for {', '.join(directive.target_trade_ids)}")

    def _exit_for_modification(self, route: Route, directive: StrategyDirective) -> ExitPlan | None:
        """The exit planner's plan for a MODIFY_EXISTING directive, checked against its
        contract like any published plan (an envelope must PUBLISH one)."""
        try:
            result = route.call(directive)
            if result is None:
                return None
            _, payload = self.checked(route.worker, result, None, route.call)
            if payload is None:
                return None
            if not isinstance(payload, ExitPlan):
                raise TypeError(
                    f"{route.worker} returned {type(payload).__name__}, not an ExitPlan"
                )
        except BaseException as exc:
            blame(exc, route.worker)
            raise
        return payload

    def _exit_of_trade(self, plan: ExitPlan, trade_id: str) -> ExitPlan:
        """``plan`` for one target trade: a platform ExitPlan naming it, journaled and
        linked from the planner's plan (and, through the parents table, from the trade)."""
        assert self.context.timestamp is not None
        update = ExitPlan(
            plan_id=self.ids.new("EXT", self.context.timestamp),
            stop_loss_price=plan.stop_loss_price,
            take_profit_price=plan.take_profit_price,
            trade_id=trade_id,
        )
        self.recorder.dto("platform", update)
        self.recorder.link(plan.plan_id, update.plan_id)
        return update

    def plan_routing(self, request: RoutingRequest, planners: tuple[Route, ...]) -> None:
        """The first routing planner whose triggers match the request's directive."""
        directive = request.strategy_directive
        for route in planners:
            assert route.matcher is not None
            if route.kind == "routing_planner" and route.matcher.matches(directive):
                try:
                    result = route.call(request)
                    if result is None:
                        self.end(f"{directive.directive_id}: {route.worker} gave no route")
                    else:
                        self.handle(route.worker, result, None, route.call)
                except BaseException as exc:
                    blame(exc, route.worker)
                    raise
                return
        self.end(f"{directive.directive_id}: no routing planner matched")

    def end(self, reason: str) -> None:
        """Abandon the directive being planned; the flow ends with ``reason``."""
        self.planning.abandon()
        self.recorder.end_reason(reason)


def _modifies_exit(route: Route, directive: StrategyDirective) -> bool:
    """An exit planner whose triggers accept ``directive`` (MODIFY_EXISTING)."""
    matcher = route.matcher
    return route.kind == "exit_planner" and matcher is not None and matcher.matches(directive)
