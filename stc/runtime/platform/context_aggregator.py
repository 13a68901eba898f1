"""Phase 1b: the ContextAggregator combines this tick's factor scores (SPEC §4.4).

The engine calls :meth:`ContextAggregator.on_context_ready` every tick, which only
records that the context is complete. The pydantic ``AggregatedContextAssessment`` is
built lazily by :meth:`build` the first time something needs it (an opportunity or
threat fired, a worker read ``context.assessment``); the numbers are the same as an
eager build, but quiet ticks pay nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import AggregatedContextAssessment, FactorContribution
from stc.runtime.dtos.trusted import trusted

MEMO_SIZE = 256
"""How many factor contributions and scores an aggregator keeps at most. A factor
scored from a continuous quantity (ict_smc's ADX regime clarity) never repeats, so a
full memo is emptied and refilled: the values that do repeat are back after a few
ticks, and the memory stays ~0.2 MB (4,096 kept contributions cost ict_smc ~3.7 MB of
peak RSS at 100k bars)."""

Factors = Mapping[str, tuple[float, str, str]]
"""factor name → (value 0..1, polarity, worker id), as ``TradingContext.factors``."""


def aggregate(
    method: str, weights: Mapping[str, float], threshold: float, factors: Factors
) -> tuple[float, float]:
    """(strength, weakness) of ``factors`` under ``method``.

    weighted_average: Σ w·v / Σ w per polarity (missing weight = 1; zero total → 0);
    max: the largest value per polarity (0 if none); consensus: the share of the
    polarity's factors whose value is ≥ ``threshold`` (0 if none).

    One pass over the factors for both polarities (it ran once per polarity, each
    time building a list and summing generators: ~10 k instructions an assessment,
    built on every tick with a signal). The floats are the same: each sum adds the
    same values in the factors' order from 0 (``sum`` of floats adds them one by one
    on this Python), ``max`` keeps the first of equal values (``-0.0`` stays
    ``-0.0``), and the consensus share divides the same two counts. The old two-pass
    form is the reference of ``tests/runtime/platform/test_aggregate_one_pass.py``.
    """
    if method == "max":
        return _largest(factors)
    if method == "consensus":
        return _shares(threshold, factors)
    s_weight = s_sum = w_weight = w_sum = 0.0
    s_any = w_any = False
    for name, (value, polarity, _) in factors.items():
        weight = weights.get(name, 1.0)
        if polarity == "strength":
            s_any = True
            s_weight += weight
            s_sum += weight * value
        elif polarity == "weakness":
            w_any = True
            w_weight += weight
            w_sum += weight * value
    return _ratio(s_sum, s_weight, s_any), _ratio(w_sum, w_weight, w_any)


def _ratio(weighted: float, total: float, present: bool) -> float:
    """Σ w·v / Σ w, or 0 without factors or with a total of weights that is not > 0."""
    if not present or total <= 0.0:
        return 0.0
    return weighted / total


def _largest(factors: Factors) -> tuple[float, float]:
    """``max``: per polarity the first value, replaced by each later one that is
    greater (what ``max`` does); 0 for a polarity without factors."""
    strength = weakness = 0.0
    s_any = w_any = False
    for value, polarity, _ in factors.values():
        if polarity == "strength":
            if not s_any or value > strength:
                strength, s_any = value, True
        elif polarity == "weakness" and (not w_any or value > weakness):
            weakness, w_any = value, True
    return strength, weakness


def _shares(threshold: float, factors: Factors) -> tuple[float, float]:
    """``consensus``: per polarity, the share of values ≥ ``threshold`` (0 if none)."""
    s_hits = s_count = w_hits = w_count = 0
    for value, polarity, _ in factors.values():
        if polarity == "strength":
            s_count += 1
            s_hits += value >= threshold
        elif polarity == "weakness":
            w_count += 1
            w_hits += value >= threshold
    return (s_hits / s_count if s_count else 0.0, w_hits / w_count if w_count else 0.0)


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
        self._contributions: dict[tuple[str, float, str, str], FactorContribution] = {}
        self._scores: dict[float, Decimal] = {}
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
            [
                self._contribution(name, value, polarity, worker)
                for name, (value, polarity, worker) in sorted(context.factors.items())
            ]
        )
        return trusted(
            AggregatedContextAssessment,
            assessment_id=self._ids.new("CTX", context.timestamp),
            timestamp=context.timestamp,
            strength=self._score(strength),
            weakness=self._score(weakness),
            method=self.method,
            contributing_factors=contributions,
        )

    def _contribution(
        self, name: str, value: float, polarity: str, worker: str
    ) -> FactorContribution:
        """The factor's contribution, the same immutable object for the same factor,
        value, polarity and worker (ict_smc's EMA stack scores four values and its
        structure quality a few dozen: two thirds of the factors an assessment
        carries were built before). ``-0.0`` equals ``0.0`` as a key but scores
        ``-0E-10``: it is never looked up. At most ``MEMO_SIZE`` are kept."""
        if _negative_zero(value):
            return self._new_contribution(name, value, polarity, worker)
        key = (name, value, polarity, worker)
        found = self._contributions.get(key)
        if found is None:
            found = self._new_contribution(name, value, polarity, worker)
            _keep(self._contributions, key, found)
        return found

    def _new_contribution(
        self, name: str, value: float, polarity: str, worker: str
    ) -> FactorContribution:
        """A new contribution of the factor (its value and weight as scores)."""
        return trusted(
            FactorContribution,
            name=name,
            value=to_score(value),
            weight=self._weight_score(name),
            polarity="weakness" if polarity == "weakness" else "strength",
            worker_id=worker,
        )

    def _score(self, value: float) -> Decimal:
        """``to_score(value)``, kept for the values seen before (a blueprint without
        weakness factors scores a weakness of 0 on every assessment); ``-0.0`` is
        never looked up (it scores ``-0E-10``). At most ``MEMO_SIZE`` are kept."""
        if _negative_zero(value):
            return to_score(value)
        found = self._scores.get(value)
        if found is None:
            found = to_score(value)
            _keep(self._scores, value, found)
        return found

    def _weight_score(self, name: str) -> Decimal:
        """``to_score`` of factor ``name``'s weight (missing weight = 1), cached."""
        score = self._weight_scores.get(name)
        if score is None:
            score = self._weight_scores[name] = to_score(self.weights.get(name, 1.0))
        return score


def _negative_zero(value: float) -> bool:
    """``-0.0``: equal to ``0.0`` as a memo key, but it scores ``-0E-10``."""
    return value == 0.0 and math.copysign(1.0, value) < 0.0


def _keep(memo: dict[Any, Any], key: object, value: object) -> None:
    """``memo[key] = value``, the memo emptied first when it holds ``MEMO_SIZE``."""
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value
