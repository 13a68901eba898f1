"""Phase 1b: the ContextAggregator combines this tick's factor scores (SPEC §4.4).

The engine calls :meth:`ContextAggregator.on_context_ready` every tick, which only
records that the context is complete. The pydantic ``AggregatedContextAssessment`` is
built lazily by :meth:`build` the first time something needs it (an opportunity or
threat fired, a worker read ``context.assessment``); the numbers are the same as an
eager build, but quiet ticks pay nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import AggregatedContextAssessment, FactorContribution
from stc.runtime.dtos.trusted import trusted

Factors = Mapping[str, tuple[float, str, str]]
"""factor name → (value 0..1, polarity, worker id), as ``TradingContext.factors``."""


def aggregate(
    method: str, weights: Mapping[str, float], threshold: float, factors: Factors
) -> tuple[float, float]:
    """(strength, weakness) of ``factors`` under ``method``.

    weighted_average: Σ w·v / Σ w per polarity (missing weight = 1; zero total → 0);
    max: the largest value per polarity (0 if none); consensus: the share of the
    polarity's factors whose value is ≥ ``threshold`` (0 if none).
    """
    return (
        _one(method, weights, threshold, factors, "strength"),
        _one(method, weights, threshold, factors, "weakness"),
    )


def _one(
    method: str, weights: Mapping[str, float], threshold: float, factors: Factors, polarity: str
) -> float:
    values = [(name, v) for name, (v, pol, _) in factors.items() if pol == polarity]
    if not values:
        return 0.0
    if method == "max":
        return max(v for _, v in values)
    if method == "consensus":
        return sum(1 for _, v in values if v >= threshold) / len(values)
    total = sum(weights.get(name, 1.0) for name, _ in values)
    if total <= 0.0:
        return 0.0
    return sum(weights.get(name, 1.0) * v for name, v in values) / total


def to_score(value: float) -> Decimal:
    """A float in 0..1 as a Decimal score, rounded to 10 places and clamped."""
    clamped = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
    return Decimal("%.10f" % clamped)  # noqa: UP031 (the f-string's digits, cheaper)


class ContextAggregator:
    """Platform component ``context_aggregator``."""

    def __init__(
        self, ids: IdFactory, method: str, weights: Mapping[str, float], threshold: float
    ) -> None:
        self._ids = ids
        self.method = method
        self.weights = dict(weights)
        self.threshold = threshold
        self._weight_scores: dict[str, Decimal] = {}
        """Each factor's weight as its score: constant for the run, formatted once."""
        self.ready = False

    def on_context_ready(self, context: TradingContext) -> None:
        """Mark the tick's context as complete (the assessment is built on demand)."""
        self.ready = True

    def build(self, context: TradingContext) -> AggregatedContextAssessment:
        """The assessment of ``context``'s factors for the current tick.

        Built without re-validation (:mod:`stc.runtime.dtos.trusted`): every factor
        value passed ``TradingContext.score`` (a finite number in 0..1, a non-empty
        name and worker id), ``to_score`` clamps to 0..1, the weights and the method
        come from the validated plan, the id from the run's id factory."""
        if context.timestamp is None:
            raise RuntimeError("the context has no tick")
        strength, weakness = aggregate(self.method, self.weights, self.threshold, context.factors)
        contributions = tuple(
            trusted(
                FactorContribution,
                name=name,
                value=to_score(value),
                weight=self._weight_score(name),
                polarity="weakness" if polarity == "weakness" else "strength",
                worker_id=worker,
            )
            for name, (value, polarity, worker) in sorted(context.factors.items())
        )
        return trusted(
            AggregatedContextAssessment,
            assessment_id=self._ids.new("CTX", context.timestamp),
            timestamp=context.timestamp,
            strength=to_score(strength),
            weakness=to_score(weakness),
            method=self.method,
            contributing_factors=contributions,
        )

    def _weight_score(self, name: str) -> Decimal:
        """``to_score`` of factor ``name``'s weight (missing weight = 1), cached."""
        score = self._weight_scores.get(name)
        if score is None:
            score = self._weight_scores[name] = to_score(self.weights.get(name, 1.0))
        return score
