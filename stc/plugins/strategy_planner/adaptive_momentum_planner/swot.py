"""The SWOT arithmetic of ``AdaptiveMomentumPlanner``: the confidence formula, choosing
the opportunity, and the directive's causality chain (see ``worker`` for the rules).

Module functions apart from the planner class because ``make native`` compiles this
module with the runtime, and a worker class must stay an ordinary Python class: the
compiler reads its handlers' signatures, annotations and code (docs/decisions.md,
"Session 13, plugnative"). The worker re-exports ``best_entry`` and
``is_close_signal``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from stc.runtime.dtos import CausalityChain, OpportunitySignal, SWOTInputs

ZERO = Decimal(0)
ONE = Decimal(1)


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
