"""aggregation_policy: how the ContextAggregator combines factor scores (SPEC §4.4).

The policy itself is part of the plan format (``stc.runtime.plan.model``); this module
adds the file that holds one.
"""

from stc.compiler.model.common import StrictModel
from stc.runtime.plan.model import AggregationPolicy as AggregationPolicy


class AggregationPolicyFile(StrictModel):
    """The ``aggregation_policy.yaml`` file: one ``aggregation:`` mapping."""

    aggregation: AggregationPolicy
