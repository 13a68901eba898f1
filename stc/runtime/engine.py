"""The tick loop: executes a compiled :class:`~stc.runtime.plan.Plan` bar by bar.

Bootstrap (phase 0) turns the wiring map into precomputed tuples of bound handler
callables, one set per event; the per-tick path then does attribute reads and calls
only (no graph work, no reflection, no name lookups). See ``docs/runtime.md`` for the
semantics; in short, per tick bar ``t``:

1. windows: append ``t`` to the tick window; resamplers release closed higher bars;
2. execution: the handler matches its book against ``t`` (orders decided on earlier
   ticks), the ledger is marked at ``t``'s close;
3. the tick's *flow* (one fault-isolation unit, one journal transaction):
   ``LEDGER_UPDATE`` (after fills) → ``POSITION_UPDATE`` (per open trade) → scheduled
   events → context chain → ``CONTEXT_READY`` → opportunities and ``TICK_RECEIVED``
   threats → the SWOT join → planning → execution directive → handler (orders for
   ``t + 1``) → ``_flow_stop``.

A plugin exception aborts the rest of that flow: the handler's staged book changes
are rolled back, the fault is journaled with worker id, tick and traceback, and the
run continues with the next tick (``fail_fast`` re-raises instead). A result that
breaks its worker's contract (wrong type, NaN/negative numbers, an undeclared event;
see :mod:`stc.runtime.contracts`) raises a PluginContractError when it is published and is
handled the same way.

Data quality rides along cheaply: bad rows the data stream skipped (``on_bad_bar``)
are journaled as ``bad_bar_skipped`` notes in the flow of the next good bar, and gaps
in the tick data are counted by one time comparison per bar (no journal rows).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stc.runtime.contracts import Contracts, PluginContractError
from stc.runtime.data import GapCounter, Resampler, SkippedBar, bucket_start, timeframe_seconds
from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.ledger import Fill, ScheduledTick, Trade
from stc.runtime.dtos.market import Bar, LazyContext, OHLCVWindow
from stc.runtime.dtos.plans import (
    EntryPlan,
    ExecutionDirective,
    ExitPlan,
    RoutingPlan,
    RoutingRequest,
    SizePlan,
)
from stc.runtime.dtos.signals import AggregatedContextAssessment, OpportunitySignal, ThreatSignal
from stc.runtime.dtos.swot import SWOTInputs
from stc.runtime.envelope import Disposition, DispositionEnvelope
from stc.runtime.errors import PluginFaultError
from stc.runtime.execution.connector import ExchangeConnector
from stc.runtime.execution.handler import BarHooks, ExecutionPort, ExecutionServices
from stc.runtime.execution.venue import VenueSettings
from stc.runtime.frames import Frame
from stc.runtime.guard import RunGuard
from stc.runtime.journal import FlowRecord, Journal, to_json
from stc.runtime.ledger import Ledger, dec
from stc.runtime.ledger_view import ReadOnlyLedger
from stc.runtime.plan import Plan, PlanError, WorkerSpec, load_worker_class
from stc.runtime.platform.context_aggregator import ContextAggregator
from stc.runtime.platform.flow_terminator import FlowTerminator
from stc.runtime.platform.planner_matcher import SUB_DIRECTIVE, PlannerMatcher
from stc.runtime.platform.planning_aggregator import PlanningAggregator
from stc.runtime.workers import Worker

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

_ID_FIELD: dict[type, str] = {
    AggregatedContextAssessment: "assessment_id",
    OpportunitySignal: "signal_id",
    ThreatSignal: "threat_id",
    StrategyDirective: "directive_id",
    EntryPlan: "plan_id",
    SizePlan: "plan_id",
    ExitPlan: "plan_id",
    RoutingPlan: "plan_id",
    ExecutionDirective: "directive_id",
}
_TRADE_PLANNERS = ("entry_planner", "size_planner", "exit_planner")
_WINDOW_SLACK = 64


@dataclass(frozen=True)
class Fault:
    """A plugin exception that aborted one flow."""

    flow_id: int
    worker: str
    tick_time: str
    error: str
    traceback: str


@dataclass(frozen=True)
class EngineResult:
    """What a finished run produced."""

    trades: Sequence[Trade]  # a TradeLog (compact; items are rebuilt on access)
    equity_curve: Sequence[float]  # an array('d'): one float per bar
    times: tuple[datetime, ...]  # (first, last) bar time: the span, for annualising
    exposed_bars: int
    faults: tuple[Fault, ...]
    starting_capital: float
    tick_timeframe: str
    gaps: GapCounter | None = None
    bad_bars_skipped: int = 0


@dataclass(frozen=True)
class Route:
    """One subscription, resolved at bootstrap."""

    call: Callable[[Any], Any]
    worker: str
    kind: str
    matcher: PlannerMatcher | None = None
    adapter: str | None = None


@dataclass(frozen=True)
class EventRoutes:
    """An event's subscribers, split by how the engine delivers to them."""

    plain: tuple[Route, ...] = ()
    planning: tuple[Route, ...] = ()
    join: bool = False


class Engine:
    """One run of a plan over a bar sequence."""

    def __init__(
        self,
        plan: Plan,
        bars: Sequence[Bar] | Iterable[Bar],
        *,
        journal: Journal | None = None,
        plugin_roots: Sequence[Path] = (),
        fail_fast: bool = False,
        connector: ExchangeConnector | None = None,
        worker_classes: Mapping[str, type[Worker]] | None = None,
        total_bars: int | None = None,
        skipped: list[SkippedBar] | None = None,
        plugin_timeout: float | None = None,
    ) -> None:
        self.plan = plan
        self.flow_seq = 0
        """Odd while a tick's guarded work runs (the timeout watchdog's view of progress:
        a native int the engine bumps, cheaper than a call per tick)."""
        self.guard = RunGuard(plugin_timeout, self._flow_seq)
        self._bars = bars
        self._total = total_bars if total_bars is not None else _len_or_zero(bars)
        self.journal = journal
        self.fail_fast = fail_fast
        self.ids = IdFactory()
        self.faults: list[Fault] = []
        self._flows = 0
        self._rec: FlowRecord | None = None
        self._current = "platform"
        self._fill_count: dict[str, int] = {}
        self._ctx_logged: AggregatedContextAssessment | None = None
        self._join_opps: list[OpportunitySignal] = []
        self._join_threats: list[ThreatSignal] = []
        self._skipped = skipped if skipped is not None else []  # filled by the data stream
        self.bad_bars_skipped = 0
        self._ledger_causes: list[str] = []
        """Ids of this tick's journaled fills: the parents of a signal raised on
        ``LEDGER_UPDATE``, which no context assessment precedes."""
        self._in_ledger_update = False
        self._update_exit: Callable[[ExitPlan], object] | None = None
        """The handler's ``on_exit_plan_update``: how MODIFY_EXISTING reaches a trade."""
        self._bootstrap(plugin_roots, connector, dict(worker_classes or {}))

    # ------------------------------------------------------------------ bootstrap
    def _bootstrap(
        self,
        roots: Sequence[Path],
        connector: ExchangeConnector | None,
        classes: dict[str, type[Worker]],
    ) -> None:
        plan = self.plan
        self.tick_tf = plan.timeframes[0]
        self._warm_needs = self._warmup_needs()
        self.windows = {
            tf: OHLCVWindow(tf, max(self._warm_needs.get(tf, 1), 1) * 2 + _WINDOW_SLACK)
            for tf in plan.timeframes
        }
        self._tick_window = self.windows[self.tick_tf]
        self._resamplers = tuple(
            (Resampler(tf, self.tick_tf), self.windows[tf]) for tf in plan.timeframes[1:]
        )
        self._closed = dict.fromkeys(plan.timeframes, 0)
        self._released: dict[str, list[Bar]] = {}  # higher bars closed by this tick
        self._warm = False
        self.context = LazyContext(plan.symbol, self.windows)
        self.context._builder = self._build_assessment
        self.ledger = Ledger(plan.starting_capital, plan.symbol)
        agg = plan.aggregation
        self.context_aggregator = ContextAggregator(
            self.ids, agg.method, agg.weights, agg.consensus_threshold
        )
        self.planning = PlanningAggregator(self.ids)
        self.terminator = FlowTerminator(self._platform_note)
        self.contracts = Contracts(plan)
        self.gaps = GapCounter(self.tick_tf)
        self.workers = {s.id: self._instantiate(s, roots, classes) for s in plan.workers}
        self.handler = self._attach_handler(connector)
        self._build_routes()

    def _warmup_needs(self) -> dict[str, int]:
        needs: dict[str, int] = {}
        for spec in self.plan.workers:
            tf = spec.timeframe or self.plan.timeframes[0]
            if tf not in self.plan.timeframes:
                raise PlanError(f"worker {spec.id!r}: timeframe {tf} is not in the plan")
            needs[tf] = max(needs.get(tf, 0), spec.warmup)
        return needs

    def _instantiate(
        self, spec: WorkerSpec, roots: Sequence[Path], classes: dict[str, type[Worker]]
    ) -> Worker:
        cls = classes.get(spec.id) or load_worker_class(spec, roots)
        worker = cls(spec.params)
        caps = spec.capabilities
        worker.bind(
            spec.id,
            self.ids,
            context=self.context,
            state={} if caps.get("state") else None,
            ledger=ReadOnlyLedger(self.ledger) if caps.get("ledger") == "read" else None,
            journal=self._note_for(spec.id) if caps.get("journaling") else None,
        )
        return worker

    def _attach_handler(self, connector: ExchangeConnector | None) -> ExecutionPort:
        handlers = [s for s in self.plan.workers if s.type == "execution_handler"]
        if len(handlers) != 1:
            raise PlanError(f"the plan needs exactly one execution handler, has {len(handlers)}")
        handler = self.workers[handlers[0].id]
        if not isinstance(handler, ExecutionPort):
            raise PlanError(
                f"execution handler {handlers[0].id!r} does not implement ExecutionPort "
                "(attach, on_bar, begin_flow, commit, rollback, close_trades, finish)"
            )
        execution = self.plan.execution
        settings = VenueSettings(
            slippage_pct=execution.slippage_pct,
            fee_pct=execution.fee_pct,
            twap_duration_bars=execution.twap_duration_bars,
        )
        handler.attach(ExecutionServices(self.ledger, self.ids, settings, connector))
        self._handler_id = handlers[0].id
        resolve = getattr(handler, "bar_hooks", None)
        hooks: BarHooks = (
            resolve()
            if callable(resolve)
            else BarHooks(
                handler.on_bar,
                handler.begin_flow,
                handler.commit,
                getattr(handler, "drain_cancelled", None),
            )
        )
        self._on_bar, self._begin_flow, self._commit, self._drain_cancelled = hooks
        self._update_exit = getattr(handler, "on_exit_plan_update", None)
        return handler

    def _target(self, worker: str) -> tuple[object, str]:
        platform: dict[str, object] = {
            "context_aggregator": self.context_aggregator,
            "planning_aggregator": self.planning,
            "flow_terminator": self.terminator,
        }
        if worker in platform:
            return platform[worker], "platform"
        if worker not in self.workers:
            raise PlanError(f"event wiring names unknown worker {worker!r}")
        return self.workers[worker], self.plan.worker(worker).type

    def _route(self, worker: str, method: str, adapter: str | None) -> Route:
        target, kind = self._target(worker)
        call = getattr(target, method, None)
        if not callable(call):
            raise PlanError(f"worker {worker!r} has no handler method {method!r}")
        matcher = None
        if kind in SUB_DIRECTIVE:
            try:
                matcher = PlannerMatcher(kind, self.plan.worker(worker).triggers)
            except ValueError as exc:
                raise PlanError(f"worker {worker!r}: {exc}") from exc
        return Route(call, worker, kind, matcher, adapter)

    def _build_routes(self) -> None:
        routes: dict[str, EventRoutes] = {}
        for spec in self.plan.events:
            resolved = [self._route(s.worker, s.method, s.adapter) for s in spec.subscribers]
            planning = tuple(
                r
                for r in resolved
                if r.kind in SUB_DIRECTIVE
                and spec.event != "TICK_RECEIVED"
                and r.adapter != "swot_join"
            )
            plain = tuple(r for r in resolved if r not in planning and r.adapter != "swot_join")
            join = any(r.adapter == "swot_join" for r in resolved)
            routes[spec.event] = EventRoutes(plain, planning, join)
            if join:
                self._join = next(r for r in resolved if r.adapter == "swot_join")
        self._routes = routes
        tick = routes.get("TICK_RECEIVED", EventRoutes())
        # Each context worker carries the set of result types already found to honour
        # its contract, so the per-tick check is one set look-up.
        # A worker on a higher timeframe carries its Frame (context workers) or its
        # timeframe (opportunity/threat workers); None = driven by every tick.
        self._ctx_chain = tuple(
            (r.call, r.worker, set[type](), self._frame_of(r.worker))
            for r in tick.plain
            if r.kind == "context_worker"
        )
        self._ctx_ready = tuple(r.call for r in routes.get("CONTEXT_READY", EventRoutes()).plain)
        assess = routes.get("CONTEXT_ASSESSMENT_READY", EventRoutes())
        # opportunity workers, then tick-threat workers: one loop, each with its event
        self._signal_workers = tuple(
            (r.call, r.worker, self._timeframe_of(r.worker), "OPPORTUNITY_DETECTED")
            for r in assess.plain
        ) + tuple(
            (r.call, r.worker, self._timeframe_of(r.worker), "THREAT_DETECTED")
            for r in tick.plain
            if r.kind != "context_worker"
        )
        self._has_join = assess.join or routes.get("OPPORTUNITY_DETECTED", EventRoutes()).join
        # Snapshots and position updates are built only when someone subscribes.
        self._ledger_routes = _has_subscribers(routes.get("LEDGER_UPDATE"))
        self._position_routes = _has_subscribers(routes.get("POSITION_UPDATE"))
        self._schedules = tuple(
            (event, period) for event, period in sorted(self.plan.schedules.items())
        )
        for _, period in self._schedules:
            timeframe_seconds(period)  # validates the period
        self._last_bucket: dict[str, datetime] = {}

    def _timeframe_of(self, worker: str) -> str | None:
        """The higher timeframe ``worker`` is driven by; None for the tick timeframe."""
        spec = next((s for s in self.plan.workers if s.id == worker), None)
        timeframe = spec.timeframe if spec is not None else None
        return timeframe if timeframe and timeframe != self.tick_tf else None

    def _frame_of(self, worker: str) -> Frame | None:
        timeframe = self._timeframe_of(worker)
        return Frame(timeframe, worker) if timeframe is not None else None

    # ------------------------------------------------------------------ run
    def run(self, progress: Callable[[int, int], None] | None = None) -> EngineResult:
        """Process every bar, close what is open at the end, return the result."""
        first: Bar | None = None
        last: Bar | None = None
        count = 0
        step = max(self._total // 100, 1)
        gaps = self.gaps
        slack = gaps.slack
        due = datetime.max.replace(tzinfo=UTC)  # no gap before the first bar
        with self.guard:
            for index, bar in enumerate(self._bars):
                when = bar.time
                if when >= due and last is not None:
                    gaps.record(last.time, when)
                self._tick(bar, index)
                first = first or bar
                last = bar
                count += 1
                due = when + slack if slack is not None else gaps.due(when)
                if progress is not None and (index + 1) % step == 0:
                    progress(index + 1, self._total)
            if last is not None:
                self._finish(last)
        if progress is not None:
            progress(count, self._total or count)
        return EngineResult(
            trades=self.ledger.closed,
            equity_curve=self.ledger.equity_curve,
            times=(first.time, last.time) if first and last else (),
            exposed_bars=self.ledger.exposed_bars,
            faults=tuple(self.faults),
            starting_capital=self.plan.starting_capital,
            tick_timeframe=self.tick_tf,
            gaps=gaps,
            bad_bars_skipped=self.bad_bars_skipped,
        )

    def _is_warm(self) -> bool:
        closed = self._closed
        return all(closed[tf] >= need for tf, need in self._warm_needs.items())

    def _tick(self, bar: Bar, index: int) -> None:
        self._tick_window.append(bar)
        if self._resamplers:
            released = self._released
            if released:
                released.clear()
            for resampler, window in self._resamplers:
                for higher in resampler.push(bar):
                    window.append(higher)
                    self._closed[window.timeframe] += 1
                    released.setdefault(window.timeframe, []).append(higher)
        warm = self._warm
        if not warm:
            self._closed[self.tick_tf] += 1
            warm = self._warm = self._is_warm()
        self.context.begin_tick(bar)
        self.context_aggregator.ready = False
        if self._skipped:
            self._journal_skipped()
        self.flow_seq += 1
        marks = len(self.ledger.equity_curve)
        try:
            changed = self._fills(bar, index)
        except BaseException as exc:  # a fill the ledger cannot book: this tick's fault
            self._current = self._handler_id
            self._guarded_fault(exc)
            self._after_fill_fault(bar, marks)
            self.flow_seq += 1
            self._end_flow()
            return
        if self._join_opps:
            self._join_opps = []
        if self._join_threats:
            self._join_threats = []
        try:
            self._begin_flow(index)
            self._flow(bar, warm, changed)
            self._commit()
        except BaseException as exc:  # whatever a plugin raises costs its flow only
            self.handler.rollback()
            self.planning.abandon()
            self._guarded_fault(exc)
        self.flow_seq += 1
        if self._rec is not None:
            self._end_flow()

    def _flow_seq(self) -> int:
        """``flow_seq`` (for the guard's watchdog thread)."""
        return self.flow_seq

    def _after_fill_fault(self, bar: Bar, marks: int) -> None:
        """Keep the books whole after a fault in fill processing: the bar is marked
        (one equity point per bar) and the fills booked before the fault journaled."""
        ledger = self.ledger
        if len(ledger.equity_curve) == marks:
            ledger.mark(bar)
        if ledger.changes:
            self._journal_changes(ledger.drain_changes())

    def _fills(self, bar: Bar, index: int) -> bool:
        """The handler matches its book against ``bar``, the ledger is marked; the fills
        and cancellations are journaled. True when the ledger changed."""
        ledger = self.ledger
        self._on_bar(bar, index)
        ledger.mark(bar)
        changed = bool(ledger.changes)
        if changed:
            self._journal_changes(ledger.drain_changes())
        drain = self._drain_cancelled
        if drain is not None:
            for order_id, reason in drain():
                self._platform_note("order_cancelled", {"order_id": order_id, "reason": reason})
        return changed

    def _guarded_fault(self, exc: BaseException) -> None:
        """Journal ``exc`` as the fault of this tick's flow, unless it must end the run:
        the user's Ctrl-C (re-raised: the run stops resumably) or any fault under
        ``fail_fast`` (an Exception re-raised as is, anything else as a
        PluginFaultError, so ``sys.exit`` in a plugin never becomes stc's exit)."""
        if self.guard.lets_through(exc):
            self.flow_seq += 1
            raise exc
        self._fault(exc)
        if self.fail_fast:
            self.flow_seq += 1
            self._end_flow()
            if isinstance(exc, Exception):
                raise exc
            raise PluginFaultError(f"{type(exc).__name__} in {self._record_worker(exc)}") from exc

    def _flow(self, bar: Bar, warm: bool, ledger_changed: bool) -> None:
        ctx = self.context
        if warm:
            if ledger_changed and self._ledger_routes:
                self._in_ledger_update = True
                try:
                    self._publish("LEDGER_UPDATE", self.ledger.snapshot())
                finally:
                    self._in_ledger_update = False
            if self._position_routes and self.ledger.open:
                for update in self.ledger.position_updates(bar):
                    self._publish("POSITION_UPDATE", update)
        if self._schedules:
            self._fire_schedules(bar, warm)
        for call, wid, honoured, frame in self._ctx_chain:
            self._current = wid
            if frame is not None:
                self._framed_context(call, wid, honoured, frame)
                continue
            result = call(ctx)
            if result is not None:
                if type(result) in honoured:
                    ctx.provide(result)
                else:
                    self._context_result(call, wid, result, honoured)
        self._current = "context_aggregator"
        for ready in self._ctx_ready:
            ready(ctx)
        # Opportunity and tick-threat workers see every bar, also during warm-up, so
        # that their own incremental indicators warm; only their *signals* wait until
        # every worker is warm (SPEC §6).
        for call, wid, timeframe, event in self._signal_workers:
            self._current = wid
            if timeframe is not None:
                self._framed_signals(call, wid, timeframe, warm, event)
                continue
            result = call(ctx)
            if warm and result is not None:
                self._handle(wid, result, event, call)
        if warm and self._has_join and (self._join_opps or self._join_threats):
            self._swot_join(bar)

    # ------------------------------------------------------------------ timeframes
    def _framed_context(
        self, call: Callable[[Any], Any], worker: str, honoured: set[type], frame: Frame
    ) -> None:
        """A context worker on a higher timeframe: called once per bar of its timeframe
        this tick closed (with that bar as ``context.bar``); on other ticks its last
        output is replayed (docs/runtime.md, "Multiple timeframes")."""
        ctx = self.context
        closed = self._released.get(frame.timeframe)
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
                else:
                    self._context_result(call, worker, result, honoured)
            frame.keep(None if isinstance(result, DispositionEnvelope) else result, ctx)

    def _framed_signals(
        self, call: Callable[[Any], Any], worker: str, timeframe: str, warm: bool, event: str
    ) -> None:
        """An opportunity/threat worker on a higher timeframe: called once per bar of
        its timeframe this tick closed; a signal is published once, on that tick."""
        ctx = self.context
        for higher in self._released.get(timeframe, ()):
            ctx.enter_frame(higher, timeframe)
            try:
                result = call(ctx)
            finally:
                ctx.leave_frame()
            if warm and result is not None:
                self._handle(worker, result, event, call)

    # ------------------------------------------------------------------ dispatch
    def _context_result(
        self, call: Callable[[Any], Any], worker: str, result: Any, honoured: set[type]
    ) -> None:
        """A context worker's result of a type not seen from it yet: an envelope is
        published; a DTO is checked against the worker's contract (once per type)."""
        if isinstance(result, DispositionEnvelope):
            self._handle(worker, result, None, call)
            return
        self.contracts.check_context(worker, _method(call), result)
        honoured.add(type(result))
        self.context.provide(result)

    def _handle(
        self,
        publisher: str,
        result: Any,
        default: str | None = None,
        call: Callable[[Any], Any] | None = None,
    ) -> None:
        """Turn a worker's return value into events (the EventAdapter): a STOP envelope
        ends the flow, anything else is published once its contract check passed."""
        if isinstance(result, DispositionEnvelope) and result.disposition is Disposition.STOP:
            self._stop(publisher, result)
            return
        event, payload = self._checked(publisher, result, default, call)
        if event is not None:
            self._emit(publisher, event, payload)

    def _checked(
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
        if isinstance(result, DispositionEnvelope):
            if result.disposition is not Disposition.PUBLISH:
                return None, None
            event = result.event_name
            self.contracts.check_publish(publisher, _method(call), event, result.payload, True)
            assert event is not None
            return event, result.payload
        event = DEFAULT_EVENT.get(type(result)) or default
        if isinstance(result, ExitPlan) and result.trade_id is not None:
            event = "EXIT_PLAN_UPDATED"
        self.contracts.check_publish(publisher, _method(call), event, result, False)
        if event is None:
            raise TypeError(f"{publisher} returned {type(result).__name__}, which has no event")
        return event, result

    def _emit(self, publisher: str, event: str, payload: Any) -> None:
        self._journal_dto(publisher, payload)
        self._publish(event, payload)

    def _publish(self, event: str, payload: Any) -> None:
        routes = self._routes.get(event)
        if routes is None:
            return
        if routes.join:
            if isinstance(payload, OpportunitySignal):
                self._join_opps.append(payload)
            elif isinstance(payload, ThreatSignal):
                self._join_threats.append(payload)
        if routes.planning:
            if isinstance(payload, RoutingRequest):
                self._plan_routing(payload, routes.planning)
            else:
                self._plan_trade(self._as_directive(payload), routes.planning)
        for route in routes.plain:
            self._current = route.worker
            result = route.call(payload)
            if result is not None:
                self._handle(route.worker, result, None, route.call)

    def _stop(self, publisher: str, envelope: DispositionEnvelope) -> None:
        directive = self.planning.result
        trade_id = envelope.metadata.get("trade_id")
        if directive is not None and trade_id:
            self._link(directive.directive_id, str(trade_id))
        if directive is not None:
            self._publish("_flow_stop", directive)

    # ------------------------------------------------------------------ planning
    def _as_directive(self, payload: Any) -> StrategyDirective:
        if isinstance(payload, StrategyDirective):
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
        self._journal_dto("platform", directive)
        return directive

    def _plan_trade(self, directive: StrategyDirective, planners: tuple[Route, ...]) -> None:
        if directive.scope == "CLOSE_EXISTING":
            self.handler.close_trades(directive.target_trade_ids)
            self._end_planning(f"close requested for {', '.join(directive.target_trade_ids)}")
            return
        if directive.scope == "MODIFY_EXISTING":
            self._modify_trades(directive, planners)
            return
        chosen: dict[str, Route] = {}
        for route in planners:
            if route.kind in _TRADE_PLANNERS and route.kind not in chosen:
                assert route.matcher is not None
                if route.matcher.matches(directive):
                    chosen[route.kind] = route
        missing = [k for k in _TRADE_PLANNERS if k not in chosen]
        if missing:
            self._end_planning(
                f"{directive.directive_id}: no {'/'.join(missing)} matched "
                f"(confidence={directive.confidence})"
            )
            return
        self.planning.begin(directive)
        for route in planners:
            if chosen.get(route.kind) is not route:
                continue
            self._current = route.worker
            result = route.call(directive)
            if result is None:
                self._end_planning(f"{directive.directive_id}: {route.worker} returned no plan")
                return
            self._handle(route.worker, result, None, route.call)
        if self.planning.pending and not self.planning.routing_requested:
            self._end_planning(
                f"{directive.directive_id}: missing {'/'.join(self.planning.missing())} plan"
            )

    def _modify_trades(self, directive: StrategyDirective, planners: tuple[Route, ...]) -> None:
        """MODIFY_EXISTING: the first exit planner whose triggers match plans the new
        stop/target, and the handler gives every targeted trade that exit (an open
        trade, or the pending entry orders of one). Entry, size and routing planners
        do not run; the flow ends with the reason journaled."""
        label, update_exit = directive.directive_id, self._update_exit
        if update_exit is None:
            self._end_planning(f"{label}: the execution handler cannot change exits "
                               "(it has no on_exit_plan_update)")  # fmt: skip
            return
        if not directive.target_trade_ids:
            self._end_planning(f"{label}: MODIFY_EXISTING names no target_trade_ids")
            return
        route = next((r for r in planners if _modifies_exit(r, directive)), None)
        if route is None:
            confidence = directive.confidence
            self._end_planning(f"{label}: no exit_planner matched (confidence={confidence})")
            return
        self.planning.begin(directive)  # the plan's journal parent; ended below
        plan = self._exit_for_modification(route, directive)
        if plan is None:
            self._end_planning(f"{label}: {route.worker} returned no plan")
            return
        self._journal_dto(route.worker, plan)
        for trade_id in directive.target_trade_ids:
            update_exit(self._exit_of_trade(plan, trade_id))
        self._end_planning(f"{label}: exit replaced for {', '.join(directive.target_trade_ids)}")

    def _exit_for_modification(self, route: Route, directive: StrategyDirective) -> ExitPlan | None:
        """The exit planner's plan for a MODIFY_EXISTING directive, checked against its
        contract like any published plan (an envelope must PUBLISH one)."""
        self._current = route.worker
        result = route.call(directive)
        if result is None:
            return None
        _, payload = self._checked(route.worker, result, None, route.call)
        if payload is None:
            return None
        if not isinstance(payload, ExitPlan):
            raise TypeError(f"{route.worker} returned {type(payload).__name__}, not an ExitPlan")
        return payload

    def _exit_of_trade(self, plan: ExitPlan, trade_id: str) -> ExitPlan:
        """``plan`` for one target trade: a platform ExitPlan naming it, journaled and
        linked from the planner's plan (and, through ``_parents``, from the trade)."""
        assert self.context.timestamp is not None
        update = ExitPlan(
            plan_id=self.ids.new("EXT", self.context.timestamp),
            stop_loss_price=plan.stop_loss_price,
            take_profit_price=plan.take_profit_price,
            trade_id=trade_id,
        )
        self._journal_dto("platform", update)
        self._link(plan.plan_id, update.plan_id)
        return update

    def _plan_routing(self, request: RoutingRequest, planners: tuple[Route, ...]) -> None:
        directive = request.strategy_directive
        for route in planners:
            assert route.matcher is not None
            if route.kind == "routing_planner" and route.matcher.matches(directive):
                self._current = route.worker
                result = route.call(request)
                if result is None:
                    self._end_planning(f"{directive.directive_id}: {route.worker} gave no route")
                else:
                    self._handle(route.worker, result, None, route.call)
                return
        self._end_planning(f"{directive.directive_id}: no routing planner matched")

    def _end_planning(self, reason: str) -> None:
        self.planning.abandon()
        self._platform_note("flow_ended", {"reason": reason})
        rec = self._record()
        rec.outcome = "ended"
        rec.reason = reason if not rec.reason else f"{rec.reason}; {reason}"

    def _swot_join(self, bar: Bar) -> None:
        ctx = self.context
        assessment = ctx.assessment
        if assessment is None or ctx.timestamp is None:
            self._end_planning("SWOT join without a context assessment")
            return
        inputs = SWOTInputs(
            timestamp=ctx.timestamp,
            symbol=self.plan.symbol,
            reference_price=dec(bar.close),
            context_assessment=assessment,
            opportunity_signals=tuple(self._join_opps),
            threat_signals=tuple(self._join_threats),
        )
        self._current = self._join.worker
        result = self._join.call(inputs)
        if result is not None:
            self._handle(self._join.worker, result, "STRATEGY_DIRECTIVE_ISSUED", self._join.call)

    def _fire_schedules(self, bar: Bar, warm: bool) -> None:
        for event, period in self._schedules:
            bucket = bucket_start(bar.time, period)
            previous = self._last_bucket.get(event)
            self._last_bucket[event] = bucket
            if previous is None or previous == bucket or not warm:
                continue
            tick = ScheduledTick(
                event=event,
                timestamp=bar.time,
                reference_price=dec(bar.close),
                symbol=self.plan.symbol,
            )
            self._platform_note("schedule", {"event": event, "period": period})
            self._publish(event, tick)

    def _build_assessment(self) -> AggregatedContextAssessment | None:
        if not self.context_aggregator.ready:
            return None
        return self.context_aggregator.build(self.context)

    # ------------------------------------------------------------------ journal
    def _record(self) -> FlowRecord:
        if self._rec is None:
            stamp = self.context.timestamp
            self._rec = FlowRecord(self._flows + 1, stamp.isoformat() if stamp else "")
        return self._rec

    def _end_flow(self) -> None:
        rec, self._rec = self._rec, None
        if rec is None or rec.empty:
            return
        self._flows += 1
        if self.journal is not None:
            self.journal.write(rec)

    def _journal_dto(self, worker: str, dto: Any) -> None:
        field = _ID_FIELD.get(type(dto))
        if field is None or self.journal is None:
            return
        dto_id = getattr(dto, field)
        parents = self._parents(dto)  # may build the assessment (signals link to it)
        if field != "assessment_id":
            self._journal_assessment()
        rec = self._record()
        rec.dtos.append((dto_id, type(dto).__name__, worker, to_json(dto)))
        for parent in parents:
            rec.links.append((parent, dto_id))

    def _journal_assessment(self) -> None:
        """Journal the tick's assessment once, when a DTO that depends on it is journaled
        (a worker merely reading ``context.assessment`` costs no I/O)."""
        built = self.context._cached
        if built is not None and built is not self._ctx_logged:
            self._ctx_logged = built
            self._journal_dto("context_aggregator", built)

    def _parents(self, dto: Any) -> tuple[str, ...]:
        if isinstance(dto, OpportunitySignal | ThreatSignal):
            if self._in_ledger_update:  # caused by the fills, before the context chain
                return tuple(self._ledger_causes)
            assessment = self.context.assessment
            return (assessment.assessment_id,) if assessment else ()
        if isinstance(dto, StrategyDirective):
            return dto.causality.all_ids()
        planning = self.planning
        if isinstance(dto, EntryPlan | SizePlan) or (
            isinstance(dto, ExitPlan) and dto.trade_id is None
        ):
            return (planning.directive.directive_id,) if planning.directive else ()
        if isinstance(dto, ExitPlan):
            return (str(dto.trade_id),)
        if isinstance(dto, RoutingPlan):
            return tuple(p.plan_id for p in (planning.entry, planning.size, planning.exit) if p)
        if isinstance(dto, ExecutionDirective):
            return (dto.routing_plan.plan_id,)
        return ()

    def _link(self, parent: str, child: str) -> None:
        self._record().links.append((parent, child))

    def _journal_changes(self, changes: list[Any]) -> None:
        if self.journal is None:
            return
        rec = self._record()
        causes = self._ledger_causes = []
        for change in changes:
            if isinstance(change, Fill):
                n = self._fill_count.get(change.trade_id, 0) + 1
                self._fill_count[change.trade_id] = n
                fill_id = f"{change.trade_id}/F{n}"
                rec.dtos.append((fill_id, "Fill", self._handler_id, to_json(change)))
                rec.links.append((change.trade_id, fill_id))
                causes.append(fill_id)
            elif isinstance(change, Trade):
                rec.dtos.append((change.trade_id, "Trade", self._handler_id, to_json(change)))

    def _journal_cancelled(self) -> None:
        drain = self._drain_cancelled
        if drain is None:
            return
        for order_id, reason in drain():
            self._platform_note("order_cancelled", {"order_id": order_id, "reason": reason})

    def _platform_note(self, note: str, fields: Mapping[str, Any]) -> None:
        self._record().notes.append(("platform", note, to_json(dict(fields))))

    def _note_for(self, worker_id: str) -> Callable[[str, Mapping[str, Any]], None]:
        def note(text: str, fields: Mapping[str, Any]) -> None:
            self._record().notes.append((worker_id, text, to_json(dict(fields))))

        return note

    def _journal_skipped(self) -> None:
        """Journal the rows the data stream dropped before this bar (``on_bad_bar``)."""
        for bad in self._skipped:
            self._platform_note(
                "bad_bar_skipped", {"file": bad.file, "line": bad.line, "reason": bad.reason}
            )
        self.bad_bars_skipped += len(self._skipped)
        self._skipped.clear()

    def _record_worker(self, exc: BaseException) -> str:
        """The worker a fault is blamed on: a contract error names it, else the one
        running when ``exc`` was raised."""
        return exc.worker if isinstance(exc, PluginContractError) else self._current

    def _fault(self, exc: BaseException) -> None:
        worker = self._record_worker(exc)
        rec = self._record()
        rec.outcome = "aborted"
        rec.reason = f"{type(exc).__name__} in {worker}"
        text = "".join(traceback.format_exception(exc))
        error = f"{type(exc).__name__}: {exc}"
        rec.faults.append((worker, error, text))
        self.faults.append(Fault(rec.flow_id, worker, rec.tick_time, error, text))

    def _finish(self, last: Bar) -> None:
        if self._skipped:  # bad rows after the last good bar
            self._journal_skipped()
        self.handler.finish(last)
        changes = self.ledger.drain_changes()
        if changes:
            self._journal_changes(changes)
            self._record().kind = "end_of_data"
        self._journal_cancelled()
        self._end_flow()


def _modifies_exit(route: Route, directive: StrategyDirective) -> bool:
    """An exit planner whose triggers accept ``directive`` (MODIFY_EXISTING)."""
    matcher = route.matcher
    return route.kind == "exit_planner" and matcher is not None and matcher.matches(directive)


def _method(call: Callable[[Any], Any] | None) -> str:
    """The handler method's name, for contract faults."""
    return str(getattr(call, "__name__", "?"))


def _has_subscribers(routes: EventRoutes | None) -> bool:
    """True when publishing to ``routes`` reaches anyone."""
    return routes is not None and bool(routes.plain or routes.planning or routes.join)


def _len_or_zero(bars: Any) -> int:
    try:
        return len(bars)
    except TypeError:
        return 0
