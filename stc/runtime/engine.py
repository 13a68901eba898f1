"""The tick loop: executes a compiled :class:`~stc.runtime.plan.Plan` bar by bar.

The engine is five small parts (docs/runtime.md, "The engine's parts"):
:mod:`~stc.runtime.bootstrap` instantiates and binds the workers,
:func:`~stc.runtime.dispatch.build_dispatch_table` resolves the wiring map into a frozen
table of bound calls, :class:`~stc.runtime.bus.EventBus` delivers what workers publish,
:class:`~stc.runtime.planning_stage.PlanningStage` turns directives into plans, and
:class:`~stc.runtime.flow_recorder.FlowRecorder` journals each flow. This module is the
loop that drives them; per tick bar ``t``:

1. windows: append ``t`` to the tick window; resamplers release closed higher bars;
2. execution: the handler matches its book against ``t`` (orders decided on earlier
   ticks), the ledger is marked at ``t``'s close;
3. the tick's *flow* (one fault-isolation unit, one journal transaction):
   ``LEDGER_UPDATE`` (after fills) → ``POSITION_UPDATE`` (per open trade) → scheduled
   events → context chain → ``CONTEXT_READY`` → opportunities and ``TICK_RECEIVED``
   threats → the SWOT join → planning → execution directive → handler (orders for
   ``t + 1``) → ``_flow_stop``.

A plugin exception aborts the rest of that flow: the handler's staged book changes
are rolled back, the fault is journaled with the worker its call was tagged with
(:mod:`stc.runtime.blame`), tick and traceback, and the run continues with the next
tick (``fail_fast`` re-raises instead). A result that breaks its worker's contract
(see :mod:`stc.runtime.contracts`) raises a PluginContractError when it is published
and is handled the same way.

Data quality rides along cheaply: bad rows the data stream skipped (``on_bad_bar``)
are journaled as ``bad_bar_skipped`` notes in the flow of the next good bar, and gaps
in the tick data are counted by one time comparison per bar (no journal rows).

Shape for skipping quiet bars (issue 23): :meth:`Engine._tick` is windows →
:meth:`Engine._fills` (execution and mark-to-market) → :meth:`Engine._flow`; a
"next bar where something can happen" query plugs into :meth:`Engine.run`'s loop, and
a bulk mark-to-market over a skipped stretch replaces the per-bar ``_fills`` there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stc.runtime.batch import BarArrays
from stc.runtime.blame import blame
from stc.runtime.bootstrap import attach_handler, instantiate, make_windows, targets, warmup_needs
from stc.runtime.bus import EventBus
from stc.runtime.contracts import Contracts
from stc.runtime.data import GapCounter, SkippedBar
from stc.runtime.dispatch import build_dispatch_table
from stc.runtime.dtos.common import FrozenDTO, build_deferred
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.ledger import Trade
from stc.runtime.dtos.market import Bar, LazyContext
from stc.runtime.dtos.signals import AggregatedContextAssessment
from stc.runtime.envelope import DispositionEnvelope
from stc.runtime.errors import PluginFaultError
from stc.runtime.execution.connector import ExchangeConnector
from stc.runtime.flow_recorder import FlowRecorder
from stc.runtime.guard import RunGuard
from stc.runtime.journal import Journal
from stc.runtime.ledger import Ledger
from stc.runtime.plan import Plan
from stc.runtime.planning_stage import PlanningStage
from stc.runtime.platform.context_aggregator import ContextAggregator
from stc.runtime.platform.flow_terminator import FlowTerminator
from stc.runtime.platform.planning_aggregator import PlanningAggregator
from stc.runtime.run_result import EngineMode
from stc.runtime.run_result import EngineResult as EngineResult
from stc.runtime.run_result import Fault as Fault
from stc.runtime.tick_windows import TickWindows
from stc.runtime.workers import Worker


class Engine:
    """One run of a plan over a bar sequence: bootstrap, then the tick loop."""

    def __init__(
        self,
        plan: Plan,
        bars: Sequence[Bar] | Iterable[Bar] | BarArrays,
        *,
        journal: Journal | None = None,
        plugin_roots: Sequence[Path] = (),
        fail_fast: bool = False,
        connector: ExchangeConnector | None = None,
        worker_classes: Mapping[str, type[Worker]] | None = None,
        total_bars: int | None = None,
        skipped: list[SkippedBar] | None = None,
        plugin_timeout: float | None = None,
        keep_history: bool = True,
        trade_sink: Callable[[Trade], None] | None = None,
        engine: EngineMode = "incremental",
    ) -> None:
        self.plan = plan
        self.mode = engine
        self.fast: Any = None
        """The fast run's loop once ``run`` started one (its ``skipped_bars``)."""
        if isinstance(bars, BarArrays):
            from stc.runtime.batched import ArrayBars

            bars = ArrayBars(bars)
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
        self._skipped = skipped if skipped is not None else []  # filled by the data stream
        self.bad_bars_skipped = 0
        self.tick_tf = plan.timeframes[0]
        needs = warmup_needs(plan)
        self.windows = make_windows(plan, needs)
        self.frames = TickWindows(plan.timeframes, self.windows, needs)
        self.context = LazyContext(plan.symbol, self.windows)
        self.context.set_assessment_builder(self._build_assessment)
        self.ledger = Ledger(
            plan.starting_capital, plan.symbol, keep_history=keep_history, trade_sink=trade_sink
        )
        agg = plan.aggregation
        self.context_aggregator = ContextAggregator(
            self.ids, agg.method, agg.weights, agg.consensus_threshold
        )
        self.planning = PlanningAggregator(self.ids)
        self.recorder = FlowRecorder(journal, self.context, self.planning, "")
        self.terminator = FlowTerminator(self.recorder.note, self.recorder.decision_chain)
        self.contracts = Contracts(plan)
        self.gaps = GapCounter(self.tick_tf)
        self._bootstrap(plugin_roots, connector, dict(worker_classes or {}))

    def _bootstrap(
        self,
        roots: Sequence[Path],
        connector: ExchangeConnector | None,
        classes: dict[str, type[Worker]],
    ) -> None:
        plan, recorder = self.plan, self.recorder
        self.workers = {
            s.id: instantiate(s, roots, classes, self.ids, self.context, self.ledger,
                              recorder.note_for)
            for s in plan.workers
        }  # fmt: skip
        self.handler, self._handler_id, hooks = attach_handler(
            plan, self.workers, self.ledger, self.ids, connector
        )
        recorder.handler_id = self._handler_id
        self._on_bar, self._begin_flow, self._commit, self._drain_cancelled = hooks
        platform = {
            "context_aggregator": self.context_aggregator,
            "planning_aggregator": self.planning,
            "flow_terminator": self.terminator,
        }
        self.table = build_dispatch_table(plan, targets(plan, self.workers, platform), self.tick_tf)
        self.bus = EventBus(
            self.table, self.contracts, recorder, self.planning, self.context, plan.symbol
        )
        self.bus.stage = PlanningStage(
            self.ids, self.context, self.planning, self.handler, recorder,
            self.bus.handle, self.bus.checked,
        )  # fmt: skip

    # ------------------------------------------------------------------ run
    def run(self, progress: Callable[[int, int], None] | None = None) -> EngineResult:
        """Process every bar, close what is open at the end, return the result. The
        fast mode (``engine="fast"``) runs :class:`~stc.runtime.fast_loop.FastLoop` when the
        bars are a sequence (the data known ahead); a stream runs the incremental loop."""
        bars = self._bars
        build_deferred(FrozenDTO, DispositionEnvelope)  # not from a compiled frame's stack
        with self.guard:
            if self.mode == "fast" and isinstance(bars, Sequence) and len(bars) > 0:
                from stc.runtime.fast_loop import FastLoop

                self.fast = FastLoop(self, bars)
                first, count = bars[0], len(bars)
                last = self.fast.run(progress, self._total or len(bars))
                self._bars = bars = ()  # the data is not needed any more
            else:
                first, last, count = self._loop(progress)
            if last is not None:
                self._finish(last)
        if progress is not None:
            progress(count, self._total or count)
        return self._result(first, last)

    def _loop(
        self, progress: Callable[[int, int], None] | None
    ) -> tuple[Bar | None, Bar | None, int]:
        """The incremental loop: every bar, every worker; (first, last, count)."""
        first: Bar | None = None
        last: Bar | None = None
        count = 0
        step = max(self._total // 100, 1)
        gaps = self.gaps
        slack = gaps.slack
        due = datetime.max.replace(tzinfo=UTC)  # no gap before the first bar
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
        return first, last, count

    def _result(self, first: Bar | None, last: Bar | None) -> EngineResult:
        gaps = self.gaps
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
            metrics=self.ledger.metrics,
        )

    def _tick(self, bar: Bar, index: int) -> None:
        warm = self.frames.advance(bar)
        self.context.begin_tick(bar)
        self.context_aggregator.ready = False
        if self._skipped:
            self._journal_skipped()
        self.flow_seq += 1
        marks = self.ledger.marks
        try:
            changed = self._fills(bar, index)
        except BaseException as exc:  # a fill the ledger cannot book: this tick's fault
            blame(exc, self._handler_id)
            self._guarded_fault(exc)
            self._after_fill_fault(bar, marks)
            self.flow_seq += 1
            self.recorder.end_flow()
            return
        bus = self.bus
        if bus.join_opps:  # a new tick: forget the signals buffered for the join
            bus.join_opps = []
        if bus.join_threats:
            bus.join_threats = []
        try:
            try:
                self._begin_flow(index)
            except BaseException as exc:
                blame(exc, self._handler_id)
                raise
            self._flow(bar, warm, changed)
            try:
                self._commit()
            except BaseException as exc:
                blame(exc, self._handler_id)
                raise
        except BaseException as exc:  # whatever a plugin raises costs its flow only
            self.handler.rollback()
            self.planning.abandon()
            self._guarded_fault(exc)
        self.flow_seq += 1
        if self.recorder.rec is not None:
            self.recorder.end_flow()

    def _flow_seq(self) -> int:
        """``flow_seq`` (for the guard's watchdog thread)."""
        return self.flow_seq

    def _after_fill_fault(self, bar: Bar, marks: int) -> None:
        """Keep the books whole after a fault in fill processing: the bar is marked
        (one equity point per bar) and the fills booked before the fault journaled."""
        ledger = self.ledger
        if ledger.marks == marks:
            ledger.mark(bar)
        if ledger.changes:
            self.recorder.changes(ledger.drain_changes())

    def _fills(self, bar: Bar, index: int) -> bool:
        """The handler matches its book against ``bar``, the ledger is marked; the fills
        and cancellations are journaled. True when the ledger changed."""
        ledger = self.ledger
        self._on_bar(bar, index)
        ledger.mark(bar)
        changed = bool(ledger.changes)
        if changed:
            self.recorder.changes(ledger.drain_changes())
        drain = self._drain_cancelled
        if drain is not None:
            cancelled = drain()
            if cancelled:  # no call on the (usual) bar without cancellations
                self.recorder.cancelled(cancelled)
        return changed

    def _guarded_fault(self, exc: BaseException) -> None:
        """Journal ``exc`` as the fault of this tick's flow, unless it must end the run:
        the user's Ctrl-C (re-raised: the run stops resumably) or any fault under
        ``fail_fast`` (an Exception re-raised as is, anything else as a
        PluginFaultError, so ``sys.exit`` in a plugin never becomes stc's exit)."""
        if self.guard.lets_through(exc):
            self.flow_seq += 1
            raise exc
        worker, error, text, tick_time = self.recorder.fault(exc, "platform")
        self.faults.append(Fault(self.recorder.record().flow_id, worker, tick_time, error, text))
        if self.fail_fast:
            self.flow_seq += 1
            self.recorder.end_flow()
            if isinstance(exc, Exception):
                raise exc
            raise PluginFaultError(f"{type(exc).__name__} in {worker}") from exc

    def _flow(self, bar: Bar, warm: bool, ledger_changed: bool) -> None:
        ctx, table, bus, released = self.context, self.table, self.bus, self.frames.released
        if warm:
            if ledger_changed and table.ledger_routes:
                self.recorder.caused_by_fills(True)
                try:
                    bus.publish("LEDGER_UPDATE", self.ledger.snapshot())
                finally:
                    self.recorder.caused_by_fills(False)
            if table.position_routes and self.ledger.open:
                for update in self.ledger.position_updates(bar):
                    bus.publish("POSITION_UPDATE", update)
        if table.schedules:
            bus.fire_schedules(bar, warm)
        for call, wid, honoured, frame in table.context_chain:
            try:
                if frame is not None:
                    bus.framed_context(call, wid, honoured, frame, released)
                    continue
                result = call(ctx)
                if result is not None:
                    if type(result) in honoured:
                        ctx.provide(result)
                    else:
                        bus.context_result(call, wid, result, honoured)
            except BaseException as exc:
                blame(exc, wid)
                raise
        for ready in table.context_ready:
            try:
                ready.call(ctx)
            except BaseException as exc:
                blame(exc, ready.worker)
                raise
        # Opportunity and tick-threat workers see every bar, also during warm-up, so
        # that their own incremental indicators warm; only their *signals* wait until
        # every worker is warm (SPEC §6).
        for call, wid, timeframe, event in table.signal_workers:
            try:
                if timeframe is not None:
                    bus.framed_signals(call, wid, timeframe, released, warm, event)
                    continue
                result = call(ctx)
                if warm and result is not None:
                    bus.handle(wid, result, event, call)
            except BaseException as exc:
                blame(exc, wid)
                raise
        if warm and table.has_join and (bus.join_opps or bus.join_threats):
            bus.swot_join(bar)

    def _build_assessment(self) -> AggregatedContextAssessment | None:
        if not self.context_aggregator.ready:
            return None
        return self.context_aggregator.build(self.context)

    # ------------------------------------------------------------------ journal
    def _journal_skipped(self) -> None:
        """Journal the rows the data stream dropped before this bar (``on_bad_bar``)."""
        self.bad_bars_skipped += self.recorder.skipped(self._skipped)
        self._skipped.clear()

    def _finish(self, last: Bar) -> None:
        if self._skipped:  # bad rows after the last good bar
            self._journal_skipped()
        self.handler.finish(last)
        changes = self.ledger.drain_changes()
        if changes:
            self.recorder.changes(changes)
            self.recorder.record().kind = "end_of_data"
        if self._drain_cancelled is not None:
            self.recorder.cancelled(self._drain_cancelled())
        self.recorder.end_flow()


def _len_or_zero(bars: Any) -> int:
    try:
        return len(bars)
    except TypeError:
        return 0
