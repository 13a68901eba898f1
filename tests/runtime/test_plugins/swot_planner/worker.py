"""SWOT planner: trade the strongest opportunity, damped by threats."""

from __future__ import annotations

from decimal import Decimal

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.swot import SWOTInputs
from stc.runtime.workers import StrategyPlanner


class SwotPlanner(StrategyPlanner):
    def setup(self) -> None:
        self.calls = 0

    def on_swot(self, inputs: SWOTInputs) -> StrategyDirective | None:
        self.calls += 1
        if not inputs.opportunity_signals:
            return None
        best = max(inputs.opportunity_signals, key=lambda s: s.confidence)
        severity = max((t.severity for t in inputs.threat_signals), default=Decimal(0))
        confidence = best.confidence * (Decimal(1) - severity / 2)
        ctx = inputs.context_assessment
        return StrategyDirective(
            directive_id=self.new_id("STR"),
            timestamp=inputs.timestamp,
            causality=CausalityChain(
                tick_time=inputs.timestamp,
                context_assessment_id=ctx.assessment_id,
                opportunity_ids=tuple(s.signal_id for s in inputs.opportunity_signals),
                threat_ids=tuple(t.threat_id for t in inputs.threat_signals),
            ),
            confidence=confidence.quantize(Decimal("0.0001")),
            reference_price=inputs.reference_price,
            entry_directive=EntryDirective(symbol=inputs.symbol, direction=best.direction),
            source_worker_id=self.worker_id,
        )
