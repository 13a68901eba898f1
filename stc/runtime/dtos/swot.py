"""SWOTInputs: what the SWOT strategy planner receives at the phase-3 join."""

from datetime import datetime

from stc.runtime.dtos.common import FrozenDTO, PositivePrice
from stc.runtime.dtos.signals import AggregatedContextAssessment, OpportunitySignal, ThreatSignal


class SWOTInputs(FrozenDTO):
    """The tick's assessment (S/W) and its opportunities (O) and threats (T).

    Either list may be empty: the planner decides what an empty quadrant means.
    """

    timestamp: datetime
    symbol: str
    reference_price: PositivePrice
    context_assessment: AggregatedContextAssessment
    opportunity_signals: tuple[OpportunitySignal, ...] = ()
    threat_signals: tuple[ThreatSignal, ...] = ()
