"""The flow recorder: turns what one tick's flow produced into a journal record.

It buffers a :class:`FlowRecord` (DTOs, causality links, notes, faults) while the flow
runs and hands it to the :class:`Journal` when the flow ends (an empty flow costs no
I/O). Which ids a journaled DTO links to is a table keyed by the DTO's type
(:data:`PARENTS`), not a chain of ``isinstance`` tests; the one answer that depends on
the moment is explicit: a signal published on ``LEDGER_UPDATE`` is caused by the fills
of this tick (:meth:`FlowRecorder.caused_by_fills`), any other signal by the tick's
context assessment.

What it may touch: the journal, the context's already-built assessment (never building
one), the planning aggregator's current plans (read only). It calls no plugin.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from typing import Any

from stc.runtime.blame import blamed_worker
from stc.runtime.data import SkippedBar
from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.ids import tick_text
from stc.runtime.dtos.ledger import Fill, Trade
from stc.runtime.dtos.market import LazyContext
from stc.runtime.dtos.plans import EntryPlan, ExecutionDirective, ExitPlan, RoutingPlan, SizePlan
from stc.runtime.dtos.signals import AggregatedContextAssessment, OpportunitySignal, ThreatSignal
from stc.runtime.journal import FlowRecord, Journal, to_json
from stc.runtime.journal_codec import (
    CHAIN_NOTE,
    chain_note,
    encode_execution,
    encode_links,
    encode_strategy,
    fields_json,
)
from stc.runtime.platform.planning_aggregator import PlanningAggregator


class FlowRecorder:
    """The journal side of a run: one buffered record per flow."""

    def __init__(
        self,
        journal: Journal | None,
        context: LazyContext,
        planning: PlanningAggregator,
        handler_id: str,
    ) -> None:
        self.journal = journal
        self.context = context
        self.planning = planning
        self.handler_id = handler_id
        self.flows = 0
        self.rec: FlowRecord | None = None
        self.fill_causes: tuple[str, ...] | None = None
        """While LEDGER_UPDATE is published: the ids of this tick's fills, the parents of
        a signal it raises (no assessment precedes it). None otherwise."""
        self._ledger_causes: list[str] = []
        self._fill_count: dict[str, int] = {}
        self._ctx_logged: AggregatedContextAssessment | None = None
        self._plans: dict[str, tuple[object, str]] = {}
        """The plans journaled in this flow (id → (plan, JSON)): an ExecutionDirective
        of the same flow stores them by reference (:mod:`stc.runtime.journal_codec`)."""
        self._execution: object = None
        """The ExecutionDirective journaled in this flow: its decision_chain note is
        stored by reference to it (:meth:`decision_chain`)."""

    def record(self) -> FlowRecord:
        """The current flow's record (started on first use)."""
        if self.rec is None:
            stamp = self.context.timestamp
            self.rec = FlowRecord(self.flows + 1, tick_text(stamp) if stamp else "")
        return self.rec

    def end_flow(self) -> None:
        """Hand the flow's record to the journal (nothing when the flow was quiet)."""
        rec, self.rec = self.rec, None
        if self._plans:
            self._plans = {}
        self._execution = None
        if rec is None or rec.empty:
            return
        self.flows += 1
        if self.journal is not None:
            self.journal.write(rec)

    def caused_by_fills(self, on: bool) -> None:
        """Signals journaled from now on are caused by this tick's fills (``on``) or,
        again, by the context assessment."""
        self.fill_causes = tuple(self._ledger_causes) if on else None

    def dto(self, worker: str, dto: Any) -> None:
        """Journal ``dto`` as published by ``worker``, linked to its parents."""
        entry = PARENTS.get(type(dto))
        if entry is None or self.journal is None:
            return
        field, parents_of = entry
        dto_id = getattr(dto, field)
        parents = parents_of(self, dto)  # may build the assessment (signals link to it)
        if field != "assessment_id":
            self._assessment()
        rec = self.record()
        flow_id = rec.flow_id
        kind = type(dto)
        if kind is ExecutionDirective:
            text = encode_execution(dto, self._plans, dto_json)
            self._execution = dto
        elif kind is StrategyDirective:  # its chain by reference to its links (format 3)
            text = encode_strategy(dto, parents, dto_json)
        else:
            text = dto_json(dto)
            if kind in _PLANS:
                self._plans[dto_id] = (dto, text)
        links = encode_links(parents) if parents else None  # on the row (journal format 2)
        rec.dtos.append((flow_id, dto_id, kind.__name__, rec.tick_time, worker, text, links))

    def _assessment(self) -> None:
        """Journal the tick's assessment once, when a DTO that depends on it is journaled
        (a worker merely reading ``context.assessment`` costs no I/O)."""
        built = self.context.built_assessment()
        if built is not None and built is not self._ctx_logged:
            self._ctx_logged = built
            self.dto("context_aggregator", built)

    def link(self, parent: str, child: str) -> None:
        """A causality link the DTO table cannot know (a trade's exit update, a stop)."""
        self.record().link(parent, child)

    def changes(self, changes: list[Any]) -> None:
        """Journal the ledger's fills (each linked from its trade) and trades."""
        if self.journal is None:
            return
        rec = self.record()
        flow_id, tick_time, handler = rec.flow_id, rec.tick_time, self.handler_id
        causes = self._ledger_causes = []
        for change in changes:
            if isinstance(change, Fill):
                n = self._fill_count.get(change.trade_id, 0) + 1
                self._fill_count[change.trade_id] = n
                fill_id = f"{change.trade_id}/F{n}"
                links = encode_links((change.trade_id,))
                text = dto_json(change)
                rec.dtos.append((flow_id, fill_id, "Fill", tick_time, handler, text, links))
                causes.append(fill_id)
            elif isinstance(change, Trade):
                trade_id = change.trade_id
                text = dto_json(change)
                rec.dtos.append((flow_id, trade_id, "Trade", tick_time, handler, text, None))

    def note(self, note: str, fields: Mapping[str, Any]) -> None:
        """A platform note."""
        rec = self.record()
        text = fields_json(fields, to_json)
        rec.notes.append((rec.flow_id, rec.tick_time, "platform", note, text))

    def skipped(self, bad_rows: list[SkippedBar]) -> int:
        """Note the rows the data stream dropped (``on_bad_bar``); returns how many."""
        for bad in bad_rows:
            self.note("bad_bar_skipped", {"file": bad.file, "line": bad.line, "reason": bad.reason})
        return len(bad_rows)

    def cancelled(self, orders: list[tuple[str, str]]) -> None:
        """Note the orders the handler cancelled: (order id, reason) each."""
        for order_id, reason in orders:
            self.note("order_cancelled", {"order_id": order_id, "reason": reason})

    def decision_chain(self, directive: ExecutionDirective) -> None:
        """The FlowTerminator's ``decision_chain`` note of ``directive``: by reference
        (its id) when it is the directive journaled in this flow and its chain's tick is
        the flow's (the reader rebuilds the ids from that row, format 3), else whole."""
        rec = self.record()
        chain = directive.causality
        tick = tick_text(chain.tick_time)
        text = None
        if directive is self._execution and tick == rec.tick_time:
            text = chain_note(directive.directive_id)
        if text is None:
            fields = {"execution_directive_id": directive.directive_id, "tick_time": tick}
            text = to_json({**fields, "ids": list(chain.all_ids())})
        rec.notes.append((rec.flow_id, rec.tick_time, "platform", CHAIN_NOTE, text))

    def note_for(self, worker_id: str) -> Callable[[str, Mapping[str, Any]], None]:
        """The ``journal`` capability of ``worker_id``: notes in its name."""

        def note(text: str, fields: Mapping[str, Any]) -> None:
            rec = self.record()
            encoded = fields_json(fields, to_json)
            rec.notes.append((rec.flow_id, rec.tick_time, worker_id, text, encoded))

        return note

    def end_reason(self, reason: str) -> None:
        """The flow ended early (planning found nothing to do): say why."""
        self.note("flow_ended", {"reason": reason})
        rec = self.record()
        rec.outcome = "ended"
        rec.reason = reason if not rec.reason else f"{rec.reason}; {reason}"

    def fault(self, exc: BaseException, default: str) -> tuple[str, str, str, str]:
        """Record ``exc`` as the fault that aborted this flow, blamed on the worker its
        call tagged (``default`` when untagged); returns (worker, error, traceback,
        tick time)."""
        worker = blamed_worker(exc, default)
        rec = self.record()
        rec.outcome = "aborted"
        rec.reason = f"{type(exc).__name__} in {worker}"
        text = "".join(traceback.format_exception(exc))
        error = f"{type(exc).__name__}: {exc}"
        rec.faults.append((rec.flow_id, worker, rec.tick_time, error, text))
        return worker, error, text, rec.tick_time


def dto_json(dto: Any) -> str:
    """A DTO's journal JSON: its class's serializer, as ``journal.to_json`` calls it,
    without that function's look-up of the serializer and its other cases (it is not
    compiled: ~2-3 k instructions a DTO)."""
    text: str = type(dto).__pydantic_serializer__.to_json(dto).decode()
    return text


def _signal_parents(recorder: FlowRecorder, dto: Any) -> tuple[str, ...]:
    fills = recorder.fill_causes
    if fills is not None:  # raised on LEDGER_UPDATE: caused by the fills
        return fills
    assessment = recorder.context.assessment
    return (assessment.assessment_id,) if assessment else ()


def _directive_parents(recorder: FlowRecorder, dto: Any) -> tuple[str, ...]:
    chain: tuple[str, ...] = dto.causality.all_ids()
    return chain


def _plan_parents(recorder: FlowRecorder, dto: Any) -> tuple[str, ...]:
    directive = recorder.planning.directive
    return (directive.directive_id,) if directive else ()


def _exit_parents(recorder: FlowRecorder, dto: Any) -> tuple[str, ...]:
    """A trade's exit update hangs off the trade; a new trade's exit plan off its directive."""
    return (str(dto.trade_id),) if dto.trade_id is not None else _plan_parents(recorder, dto)


def _routing_parents(recorder: FlowRecorder, dto: Any) -> tuple[str, ...]:
    planning = recorder.planning
    return tuple(p.plan_id for p in (planning.entry, planning.size, planning.exit) if p)


def _execution_parents(recorder: FlowRecorder, dto: Any) -> tuple[str, ...]:
    return (dto.routing_plan.plan_id,)


def _no_parents(recorder: FlowRecorder, dto: Any) -> tuple[str, ...]:
    return ()


Parents = Callable[[FlowRecorder, Any], tuple[str, ...]]

_PLANS = (EntryPlan, SizePlan, ExitPlan, RoutingPlan)
"""The plan types an ExecutionDirective embeds (and stores by reference)."""

PARENTS: dict[type, tuple[str, Parents]] = {
    AggregatedContextAssessment: ("assessment_id", _no_parents),
    OpportunitySignal: ("signal_id", _signal_parents),
    ThreatSignal: ("threat_id", _signal_parents),
    StrategyDirective: ("directive_id", _directive_parents),
    EntryPlan: ("plan_id", _plan_parents),
    SizePlan: ("plan_id", _plan_parents),
    ExitPlan: ("plan_id", _exit_parents),
    RoutingPlan: ("plan_id", _routing_parents),
    ExecutionDirective: ("directive_id", _execution_parents),
}
"""The journaled DTO types: (the field holding the id, the ids it is linked from)."""
