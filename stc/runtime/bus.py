"""The event bus: delivers a published payload along the dispatch table.

A worker's return value becomes events here (the EventAdapter): a STOP envelope ends
the flow, a PUBLISH envelope or a bare DTO is checked against the worker's contract,
journaled and published; subscribers are called in wiring order and their results
handled the same way, recursively. Planning events go to the planning stage, signals
that feed the SWOT join are buffered until the join runs.

What it may touch: the dispatch table, the contracts, the flow recorder, the planning
stage and aggregator. Every subscriber call carries its worker id for fault blame.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from stc.runtime.blame import blame
from stc.runtime.contracts import Contracts
from stc.runtime.contracts import method_name as method_name
from stc.runtime.data import bucket_start
from stc.runtime.dispatch import DispatchTable, EventRoutes
from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.ledger import ScheduledTick
from stc.runtime.dtos.market import Bar, LazyContext
from stc.runtime.dtos.plans import (
    EntryPlan,
    ExecutionDirective,
    ExitPlan,
    RoutingPlan,
    RoutingRequest,
    SizePlan,
)
from stc.runtime.dtos.signals import OpportunitySignal, ThreatSignal
from stc.runtime.dtos.swot import SWOTInputs
from stc.runtime.dtos.trusted import trusted
from stc.runtime.envelope import Disposition, DispositionEnvelope
from stc.runtime.flow_recorder import FlowRecorder
from stc.runtime.frames import Frame
from stc.runtime.ledger import dec
from stc.runtime.planning_stage import PlanningStage
from stc.runtime.platform.planning_aggregator import PlanningAggregator

DEFAULT_EVENT: dict[type, str] = {
    OpportunitySignal: "OPPORTUNITY_DETECTED",
    ThreatSignal: "THREAT_DETECTED",
    StrategyDirective: "STRATEGY_DIRECTIVE_ISSUED",
    EntryPlan: "ENTRY_PLAN_CREATED",
    SizePlan: "SIZE_PLAN_CREATED",
    ExitPlan: "EXIT_PLAN_CREATED",
    RoutingRequest: "ROUTING_PLANNING_REQUESTED",
    RoutingPlan: "ROUTING_PLAN_CREATED",
    ExecutionDirective: "EXECUTION_DIRECTIVE_READY",
}
"""The event a bare DTO returned by a worker is published as."""


class EventBus:
    """Publishing, result handling and the SWOT join of one run."""

    def __init__(
        self,
        table: DispatchTable,
        contracts: Contracts,
        recorder: FlowRecorder,
        planning: PlanningAggregator,
        context: LazyContext,
        symbol: str,
    ) -> None:
        self.routes: Mapping[str, EventRoutes] = table.routes
        self.table = table
        self.contracts = contracts
        self.recorder = recorder
        self.planning = planning
        self.context = context
        self.symbol = symbol
        self.stage: PlanningStage | None = None
        """Set once the planning stage exists (it publishes through this bus)."""
        self.join_opps: list[OpportunitySignal] = []
        self.join_threats: list[ThreatSignal] = []
        self.last_bucket: dict[str, datetime] = {}
        """The period bucket each scheduled event last saw."""

    def publish(self, event: str, payload: Any) -> None:
        """Deliver ``payload`` to ``event``'s subscribers."""
        routes = self.routes.get(event)
        if routes is None:
            return
        if routes.join:
            if type(payload) is OpportunitySignal or isinstance(payload, OpportunitySignal):
                self.join_opps.append(payload)
            elif isinstance(payload, ThreatSignal):
                self.join_threats.append(payload)
        if routes.planning:
            assert self.stage is not None
            self.stage.on_event(payload, routes.planning)
        for route in routes.plain:
            try:
                result = route.call(payload)
                if result is not None:
                    self.handle(route.worker, result, None, route.call)
            except BaseException as exc:
                blame(exc, route.worker)
                raise

    def handle(
        self,
        publisher: str,
        result: Any,
        default: str | None = None,
        call: Callable[[Any], Any] | None = None,
    ) -> None:
        """Turn a worker's return value into events (the EventAdapter): a STOP envelope
        ends the flow, anything else is published once its contract check passed."""
        if is_envelope(result) and result.disposition is Disposition.STOP:
            self._stop(result)
            return
        event, payload = self.checked(publisher, result, default, call)
        if event is not None:
            self.recorder.dto(publisher, payload)
            self.publish(event, payload)

    def checked(
        self,
        publisher: str,
        result: Any,
        default: str | None,
        call: Callable[[Any], Any] | None,
    ) -> tuple[str | None, Any]:
        """The event and payload a worker's return value publishes, checked against the
        worker's contract (``call`` names the method in faults): a PUBLISH envelope's
        own, a bare DTO's default event; ``(None, None)`` for an envelope that does not
        publish. The one rule every path that takes a worker's result goes through."""
        cls = type(result)
        event = DEFAULT_EVENT.get(cls)
        listed = event is not None  # an exact platform DTO: never an envelope
        if not listed and isinstance(result, DispositionEnvelope):
            if result.disposition is not Disposition.PUBLISH:
                return None, None
            event = result.event_name
            self.contracts.check_publish(publisher, call, event, result.payload, True)
            assert event is not None
            return event, result.payload
        if not listed:
            event = default
        # no DEFAULT_EVENT type derives from ExitPlan: only ExitPlan or an unlisted type
        # can be one (isinstance is a Python-level call on a pydantic class)
        if (cls is ExitPlan or (not listed and isinstance(result, ExitPlan))) and (
            result.trade_id is not None
        ):
            event = "EXIT_PLAN_UPDATED"
        self.contracts.check_publish(publisher, call, event, result, False)
        if event is None:
            raise TypeError(f"{publisher} returned {type(result).__name__}, which has no event")
        return event, result

    def context_result(
        self, call: Callable[[Any], Any], worker: str, result: Any, honoured: set[type]
    ) -> None:
        """A context worker's result of a type not seen from it yet: an envelope is
        published; a DTO is checked against the worker's contract (once per type)."""
        if isinstance(result, DispositionEnvelope):
            self.handle(worker, result, None, call)
            return
        self.contracts.check_context(worker, method_name(call), result)
        honoured.add(type(result))
        self.context.provide(result)

    def fire_schedules(self, bar: Bar, warm: bool) -> None:
        """Publish every scheduled event whose period bucket ``bar`` opened (once warm);
        the bucket of the first bar only starts the count."""
        for event, period in self.table.schedules:
            bucket = bucket_start(bar.time, period)
            previous = self.last_bucket.get(event)
            self.last_bucket[event] = bucket
            if previous is None or previous == bucket or not warm:
                continue
            tick = ScheduledTick(
                event=event,
                timestamp=bar.time,
                reference_price=dec(bar.close),
                symbol=self.symbol,
            )
            self.recorder.note("schedule", {"event": event, "period": period})
            self.publish(event, tick)

    def framed_context(
        self,
        call: Callable[[Any], Any],
        worker: str,
        honoured: set[type],
        frame: Frame,
        released: Mapping[str, list[Bar]],
        on_new: Callable[[Any], None] | None = None,
    ) -> None:
        """A context worker on a higher timeframe: called once per bar of its timeframe
        this tick closed (with that bar as ``context.bar``); on other ticks its last
        output is replayed (docs/runtime.md, "Multiple timeframes"). ``on_new`` takes a
        result of a type not honoured yet instead of :meth:`context_result` (the fast
        engine's carry over a skipped close: ``stc.runtime.frame_carry``)."""
        ctx = self.context
        closed = released.get(frame.timeframe)
        if not closed:
            frame.replay(ctx)
            return
        for higher in closed:
            ctx.enter_frame(higher, frame.timeframe)
            try:
                result = call(ctx)
            finally:
                ctx.leave_frame()
            if result is not None:
                if type(result) in honoured:
                    ctx.provide(result)
                elif on_new is not None:
                    on_new(result)
                else:
                    self.context_result(call, worker, result, honoured)
            frame.keep(None if isinstance(result, DispositionEnvelope) else result, ctx)

    def framed_signals(
        self,
        call: Callable[[Any], Any],
        worker: str,
        timeframe: str,
        released: Mapping[str, list[Bar]],
        warm: bool,
        event: str,
    ) -> None:
        """An opportunity/threat worker on a higher timeframe: called once per bar of
        its timeframe this tick closed; a signal is published once, on that tick."""
        ctx = self.context
        for higher in released.get(timeframe, ()):
            ctx.enter_frame(higher, timeframe)
            try:
                result = call(ctx)
            finally:
                ctx.leave_frame()
            if warm and result is not None:
                self.handle(worker, result, event, call)

    def _stop(self, envelope: DispositionEnvelope) -> None:
        directive = self.planning.result
        trade_id = envelope.metadata.get("trade_id")
        if directive is not None and trade_id:
            self.recorder.link(directive.directive_id, str(trade_id))
        if directive is not None:
            self.publish("_flow_stop", directive)

    def swot_join(self, bar: Bar) -> None:
        """Run the SWOT join over this tick's buffered signals and the assessment."""
        ctx = self.context
        assessment = ctx.assessment
        if assessment is None or ctx.timestamp is None:
            assert self.stage is not None
            self.stage.end("SWOT join without a context assessment")
            return
        join = self.table.join
        assert join is not None
        price = dec(bar.close)
        fields: dict[str, Any] = {
            "timestamp": ctx.timestamp,
            "symbol": self.symbol,
            "reference_price": price,
            "context_assessment": assessment,
            "opportunity_signals": tuple(self.join_opps),
            "threat_signals": tuple(self.join_threats),
        }
        # The signals passed their contract checks, the assessment is the platform's:
        # only a bar built outside the data stream can still give a non-positive price,
        # and then validation raises the error it always raised.
        if not price > 0:
            SWOTInputs(**fields)
        inputs = trusted(SWOTInputs, **fields)
        try:
            result = join.call(inputs)
            if result is not None:
                self.handle(join.worker, result, "STRATEGY_DIRECTIVE_ISSUED", join.call)
        except BaseException as exc:
            blame(exc, join.worker)
            raise


def is_envelope(result: object) -> bool:
    """``isinstance(result, DispositionEnvelope)``, without the call for a result of a
    type in :data:`DEFAULT_EVENT` (an exact platform DTO, never an envelope): pydantic's
    metaclass takes ``isinstance`` through a Python-level ``__instancecheck__`` slot
    (~700 instructions), and every published result was asked twice."""
    cls = type(result)
    return cls is DispositionEnvelope or (
        cls not in DEFAULT_EVENT and isinstance(result, DispositionEnvelope)
    )
