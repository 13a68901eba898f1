"""aggregation_policy: how the ContextAggregator combines factor scores (SPEC §4.4)."""

from typing import Annotated, Literal

from pydantic import Field

from stc.compiler.model.common import StrictModel, empty_dict

Weight = Annotated[float, Field(ge=0.0, le=1.0)]


class AggregationPolicy(StrictModel):
    """``weighted_average`` (weights per factor, missing weights count 1),
    ``max`` (the strongest factor of each polarity), or ``consensus`` (the share of
    factors of each polarity scoring at least ``consensus_threshold``)."""

    method: Literal["weighted_average", "max", "consensus"] = "weighted_average"
    weights: dict[str, Weight] = Field(default_factory=empty_dict)
    consensus_threshold: float = Field(default=0.5, ge=0.0, le=1.0)


class AggregationPolicyFile(StrictModel):
    """The ``aggregation_policy.yaml`` file: one ``aggregation:`` mapping."""

    aggregation: AggregationPolicy
