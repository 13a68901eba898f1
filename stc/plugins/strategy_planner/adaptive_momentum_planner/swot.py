"""The SWOT arithmetic of ``AdaptiveMomentumPlanner``: the confidence formula, choosing
the opportunity, and the directive's causality chain (see ``worker`` for the rules).

Module functions apart from the planner class because ``make native`` compiles this
module with the runtime, and a worker class must stay an ordinary Python class: the
compiler reads its handlers' signatures, annotations and code (docs/decisions.md,
"Session 13, plugnative"). The worker re-exports ``best_entry`` and
``is_close_signal``. Since session 14 the whole per-tick decision lives here too
(:class:`SwotDirector`): the worker's ``on_swot`` is one call into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from stc.plugins.dtos import MarketStructure
from stc.runtime.dtos import (
    CausalityChain,
    EntryDirective,
    ExitDirective,
    OpportunitySignal,
    PriceZone,
    RoutingDirective,
    SizeDirective,
    StrategyDirective,
    SWOTInputs,
)
from stc.runtime.dtos.common import Direction
from stc.runtime.dtos.directives import Scope

ZERO = Decimal(0)
ONE = Decimal(1)
AGGRESSIVENESS_FACTOR = Decimal("0.8")
"""The seed's ``aggressiveness = confidence * 0.8``."""


def clamp(value: Decimal) -> Decimal:
    """Keep a score inside 0..1."""
    return min(ONE, max(ZERO, value))


def is_close_signal(signal: OpportunitySignal) -> bool:
    """An opportunity that asks to close positions rather than open one."""
    return str(signal.metadata.get("action", "")).lower() == "close"


def best_entry(signals: Iterable[OpportunitySignal]) -> OpportunitySignal | None:
    """The highest-confidence entry signal; None when there is none or when the best
    BUY and the best SELL are tied (the SWOT cannot say which way to trade)."""
    best: OpportunitySignal | None = None
    tied_opposite = False
    for signal in signals:
        if best is None or signal.confidence > best.confidence:
            best, tied_opposite = signal, False
        elif signal.confidence == best.confidence and signal.direction != best.direction:
            tied_opposite = True
    return None if tied_opposite else best


def swot_confidence(
    swot: SWOTInputs,
    opportunity: OpportunitySignal,
    weights: tuple[Decimal, Decimal, Decimal, Decimal],
) -> Decimal:
    """The seed's SWOT formula for one opportunity, clamped to 0..1: ``weights`` are
    the strength, opportunity, threat and weakness weights; the threat is the highest
    severity of the tick (0 without threats)."""
    w_strength, w_opportunity, w_threat, w_weakness = weights
    threat = max((t.severity for t in swot.threat_signals), default=ZERO)
    assessment = swot.context_assessment
    raw = (
        assessment.strength * w_strength
        + opportunity.confidence * w_opportunity
        - threat * w_threat
        - assessment.weakness * w_weakness
    )
    return clamp(raw)


def causality_chain(swot: SWOTInputs, directive_id: str) -> CausalityChain:
    """The chain of a directive decided on ``swot``: the tick, its assessment, every
    opportunity and threat id of the tick, and the directive's own id."""
    return CausalityChain(
        tick_time=swot.timestamp,
        context_assessment_id=swot.context_assessment.assessment_id,
        opportunity_ids=tuple([s.signal_id for s in swot.opportunity_signals]),
        threat_ids=tuple([t.threat_id for t in swot.threat_signals]),
        strategy_directive_id=directive_id,
    )


def _confidence_of(signal: OpportunitySignal) -> Decimal:
    """Sort key of the close signals (a module function: no closure in compiled code)."""
    return signal.confidence


class SwotDirector:
    """The planner's per-tick work: choose the opportunity, score it, build the
    directive and its sub-directives (the worker's ``on_swot`` calls :meth:`decide`).

    A helper class held by the worker, never a worker base: the worker class stays
    Python (the compiler reads its handlers) and nothing derives from this one. It
    keeps the caches of the immutable sub-directives (a handful of distinct values,
    keyed by the confidence's digits: 0.9 and 0.90 stay distinct), bounded.
    """

    def __init__(
        self,
        weights: tuple[Decimal, Decimal, Decimal, Decimal],
        min_confidence: Decimal,
        max_risk_amount: Decimal | None,
        account_risk_pct: Decimal,
        max_total_slippage_pct: Decimal,
        exit_directive: ExitDirective,
    ) -> None:
        self.weights = weights
        self.min_confidence = min_confidence
        self.max_risk_amount = max_risk_amount
        self.account_risk_pct = account_risk_pct
        self.max_total_slippage_pct = max_total_slippage_pct
        self.exit_directive = exit_directive
        self.by_confidence: dict[Any, tuple[SizeDirective, RoutingDirective]] = {}
        self.entries: dict[Any, EntryDirective] = {}

    def decide(self, swot: SWOTInputs, worker: Any) -> StrategyDirective | None:
        """The directive for the tick's best opportunity, or None (no trade).
        ``worker`` is the planner: its ``new_id``, ``ledger`` (read only when a close
        signal needs the open positions), ``context`` and ``worker_id``."""
        closing = self.close_directive(swot, worker)
        if closing is not None:
            return closing
        opportunity = best_entry([s for s in swot.opportunity_signals if not is_close_signal(s)])
        if opportunity is None:
            return None
        confidence = swot_confidence(swot, opportunity, self.weights)
        if confidence <= ZERO or confidence < self.min_confidence:
            return None
        return self.directive(swot, opportunity, confidence, "NEW_TRADE", (), worker)

    def close_directive(self, swot: SWOTInputs, worker: Any) -> StrategyDirective | None:
        """A CLOSE_EXISTING directive for the strongest close signal that has open
        positions to close (read from the ledger), else None."""
        closes = [s for s in swot.opportunity_signals if is_close_signal(s)]
        for signal in sorted(closes, key=_confidence_of, reverse=True):
            targets = open_trades_against(worker.ledger, swot.symbol, signal.direction)
            if targets:
                confidence = swot_confidence(swot, signal, self.weights)
                return self.directive(swot, signal, confidence, "CLOSE_EXISTING", targets, worker)
        return None

    def directive(
        self,
        swot: SWOTInputs,
        opportunity: OpportunitySignal,
        confidence: Decimal,
        scope: Scope,
        targets: tuple[str, ...],
        worker: Any,
    ) -> StrategyDirective:
        """Build the directive and its four hint/constraint sub-directives."""
        directive_id: str = worker.new_id("STR", when=swot.timestamp)
        size, routing = self.hints(confidence)
        causality = causality_chain(swot, directive_id)
        return StrategyDirective(
            directive_id=directive_id,
            timestamp=swot.timestamp,
            causality=causality,
            confidence=confidence,
            reference_price=swot.reference_price,
            entry_directive=self.entry(swot, opportunity.direction, confidence, worker.context),
            size_directive=size,
            exit_directive=self.exit_directive,
            routing_directive=routing,
            scope=scope,
            target_trade_ids=targets,
            source_worker_id=worker.worker_id,
        )

    def hints(self, confidence: Decimal) -> tuple[SizeDirective, RoutingDirective]:
        """The size and routing sub-directives for ``confidence`` (cached)."""
        key = confidence.as_tuple()  # not the value: 0.9 and 0.90 must stay distinct
        found = self.by_confidence.get(key)
        if found is None:
            found = (
                SizeDirective(
                    aggressiveness=confidence * AGGRESSIVENESS_FACTOR,
                    max_risk_amount=self.max_risk_amount,
                    account_risk_pct=self.account_risk_pct,
                ),
                RoutingDirective(
                    execution_urgency=confidence,
                    max_total_slippage_pct=self.max_total_slippage_pct,
                ),
            )
            if len(self.by_confidence) < 4096:  # bounded, whatever the inputs
                self.by_confidence[key] = found
        return found

    def entry(
        self, swot: SWOTInputs, direction: Direction, confidence: Decimal, context: Any
    ) -> EntryDirective:
        """Entry hints: urgency = confidence, and a price zone when structure is known
        (without a zone the hints are cached like the size and routing hints)."""
        zone = price_zone(context, swot.reference_price, direction)
        if zone is not None:
            return EntryDirective(
                symbol=swot.symbol,
                direction=direction,
                timing_preference=confidence,
                preferred_price_zone=zone,
            )
        key = (swot.symbol, direction, confidence.as_tuple())  # 0.9 and 0.90 stay distinct
        found = self.entries.get(key)
        if found is None:
            found = EntryDirective(
                symbol=swot.symbol,
                direction=direction,
                timing_preference=confidence,
                preferred_price_zone=None,
            )
            if len(self.entries) < 4096:  # bounded, whatever the inputs
                self.entries[key] = found
        return found


def open_trades_against(ledger: Any, symbol: str, direction: Direction) -> tuple[str, ...]:
    """IDs of open positions on ``symbol`` that a ``direction`` order would close."""
    positions = ledger.snapshot().open_positions
    return tuple([p.trade_id for p in positions if p.symbol == symbol and p.direction != direction])


def price_zone(context: Any, reference: Decimal, direction: Direction) -> PriceZone | None:
    """Between the last swing and the price (BUY: swing low … price, SELL: price …
    swing high) when a MarketStructure is in the context; optional, never required."""
    structure = context.get(MarketStructure) if context is not None else None
    if structure is None:
        return None
    if direction == "BUY" and structure.last_swing_low is not None:
        low = Decimal(str(structure.last_swing_low))
        return PriceZone(low=low, high=reference) if ZERO < low < reference else None
    if direction == "SELL" and structure.last_swing_high is not None:
        high = Decimal(str(structure.last_swing_high))
        return PriceZone(low=reference, high=high) if high > reference else None
    return None
