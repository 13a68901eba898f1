"""SWOT inputs: the context assessment (S/W), opportunities (O) and threats (T)."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from stc.runtime.dtos.common import Direction, FrozenDTO, Metadata, Score
from stc.runtime.dtos.ids import CtxId, OppId, ThrId

Polarity = Literal["strength", "weakness"]


class FactorContribution(FrozenDTO):
    """One context factor as it entered the aggregation (for the decision chain)."""

    name: str
    value: Score
    weight: Score
    polarity: Polarity
    worker_id: str


class AggregatedContextAssessment(FrozenDTO):
    """Phase 1b output: how strong and how weak the market looks this tick."""

    assessment_id: CtxId
    timestamp: datetime
    strength: Score
    weakness: Score
    method: Literal["weighted_average", "max", "consensus"] = "weighted_average"
    contributing_factors: tuple[FactorContribution, ...] = ()


class OpportunitySignal(FrozenDTO):
    """Phase 2a output: a trade idea with a confidence, not yet a plan."""

    signal_id: OppId
    timestamp: datetime
    asset: str = Field(min_length=1)
    direction: Direction
    signal_type: str = Field(min_length=1)
    confidence: Score
    source_worker_id: str = ""
    metadata: Metadata = Field(default_factory=dict)


class ThreatSignal(FrozenDTO):
    """Phase 2b output: a warning with a severity; threats never trade themselves."""

    threat_id: ThrId
    timestamp: datetime
    threat_type: str = Field(min_length=1)
    severity: Score
    source_worker_id: str = ""
    affected_asset: str | None = None
    metadata: Metadata = Field(default_factory=dict)
