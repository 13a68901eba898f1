"""The context aggregation in one pass gives the floats of the two-pass form it
replaced, and an aggregator that keeps the contributions and scores it built before
writes the same assessments (issue 23, session 17: an assessment is built on every
tick with a signal or a threat).

The reference below is the former ``aggregate`` verbatim: one list and two generator
sums per polarity. Equality is checked on ``repr`` (so ``-0.0`` against ``0.0`` and
NaN count), over any floats — scores that passed ``TradingContext.score`` and values
a plugin could write into ``context.factors`` directly — any weights, and all three
methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.market import TradingContext
from stc.runtime.platform.context_aggregator import (
    MEMO_SIZE,
    ContextAggregator,
    aggregate,
    to_score,
)

Factors = Mapping[str, tuple[float, str, str]]


def _reference(
    method: str, weights: Mapping[str, float], threshold: float, factors: Factors
) -> tuple[float, float]:
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


NAMES = ["trend_strength", "regime_clarity", "structure_quality", "vol", "liquidity", "x"]
SCORES = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, -0.0, 1.0, 0.5, 0.1, 0.3, 0.7]))
ANY = st.one_of(SCORES, st.floats(allow_nan=True, allow_infinity=True))
POLARITY = st.sampled_from(["strength", "weakness"])


def _factors(
    values: st.SearchStrategy[float],
) -> st.SearchStrategy[dict[str, tuple[float, str, str]]]:
    entry = st.tuples(values, POLARITY, st.just("worker"))
    return st.dictionaries(st.sampled_from(NAMES), entry, max_size=len(NAMES))


WEIGHTS = st.dictionaries(
    st.sampled_from(NAMES),
    st.one_of(st.floats(0.0, 10.0), st.sampled_from([0.0, 1.0, 0.3, 0.4])),
    max_size=len(NAMES),
)
METHOD = st.sampled_from(["weighted_average", "max", "consensus"])


@given(METHOD, WEIGHTS, st.floats(0.0, 1.0), _factors(SCORES))
def test_one_pass_equals_the_two_pass_form_on_scores(
    method: str, weights: dict[str, float], threshold: float, factors: Factors
) -> None:
    got = aggregate(method, weights, threshold, factors)
    assert repr(got) == repr(_reference(method, weights, threshold, factors))


@given(
    METHOD,
    st.dictionaries(st.sampled_from(NAMES), st.floats(allow_nan=True), max_size=len(NAMES)),
    st.floats(allow_nan=True),
    _factors(ANY),
)
def test_one_pass_equals_the_two_pass_form_on_any_floats(
    method: str, weights: dict[str, float], threshold: float, factors: Factors
) -> None:
    got = aggregate(method, weights, threshold, factors)
    want = _reference(method, weights, threshold, factors)
    assert repr(got) == repr(want)
    assert [str(to_score(v)) for v in got] == [str(to_score(v)) for v in want]


def test_ties_zero_signs_and_empty_polarities() -> None:
    factors = {"a": (-0.0, "strength", "w"), "b": (0.0, "strength", "w"),
               "c": (0.5, "weakness", "w"), "d": (0.5, "weakness", "w")}  # fmt: skip
    assert repr(aggregate("max", {}, 0.5, factors)) == "(-0.0, 0.5)"
    assert aggregate("consensus", {}, 0.5, factors) == (0.0, 1.0)
    assert aggregate("weighted_average", {"c": 0.0, "d": 0.0}, 0.5, factors) == (0.0, 0.0)
    assert aggregate("max", {}, 0.5, {}) == (0.0, 0.0)
    odd = {"a": (0.4, "neither", "w")}  # ignored by both forms
    assert aggregate("weighted_average", {}, 0.5, odd) == _reference(
        "weighted_average", {}, 0.5, odd
    )


# --- the aggregator keeps contributions and scores it built before ---------------------

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _context(factors: Factors, hour: int) -> TradingContext:
    context = TradingContext("X", {})
    context.timestamp = T0 + timedelta(hours=hour)
    context.factors.update(factors)
    return context


def _json(assessment: object) -> str:
    return type(assessment).__pydantic_serializer__.to_json(assessment).decode()  # type: ignore[attr-defined]


@settings(max_examples=60)
@given(METHOD, WEIGHTS, st.lists(_factors(SCORES), min_size=1, max_size=12))
def test_a_warm_aggregator_writes_what_a_fresh_one_writes(
    method: str, weights: dict[str, float], ticks: list[Factors]
) -> None:
    """The same assessments (JSON, ids included) from one aggregator over many ticks as
    from a new aggregator for each tick: the kept contributions and scores change no
    byte, ``-0.0`` and ``0.0`` included."""
    warm = ContextAggregator(IdFactory(), method, weights, 0.5)
    for hour, factors in enumerate(ticks):
        fresh = ContextAggregator(IdFactory(start=hour), method, weights, 0.5)
        context = _context(factors, hour)
        assert _json(warm.build(context)) == _json(fresh.build(context))


def test_signed_zeros_keep_their_own_scores() -> None:
    aggregator = ContextAggregator(IdFactory(), "max", {}, 0.5)
    first = aggregator.build(_context({"a": (0.0, "strength", "w")}, 0))
    second = aggregator.build(_context({"a": (-0.0, "strength", "w")}, 1))
    third = aggregator.build(_context({"a": (0.0, "strength", "w")}, 2))
    assert [str(a.strength) for a in (first, second, third)] == ["0E-10", "-0E-10", "0E-10"]
    values = [str(a.contributing_factors[0].value) for a in (first, second, third)]
    assert values == ["0E-10", "-0E-10", "0E-10"]
    assert third.contributing_factors[0] is first.contributing_factors[0]  # kept


def test_a_full_memo_is_refilled_with_the_same_bytes() -> None:
    """Past ``MEMO_SIZE`` distinct values the memo starts over; what it writes stays
    what a fresh aggregator writes, and it never holds more than ``MEMO_SIZE``."""
    warm = ContextAggregator(IdFactory(), "weighted_average", {}, 0.5)
    for hour in range(3 * MEMO_SIZE):
        value = (hour % (MEMO_SIZE + 7)) / (MEMO_SIZE + 7)
        factors = {"q": (value, "strength", "w"), "t": (0.5, "strength", "w")}
        fresh = ContextAggregator(IdFactory(start=hour), "weighted_average", {}, 0.5)
        context = _context(factors, hour)
        assert _json(warm.build(context)) == _json(fresh.build(context))
        assert len(warm._contributions) <= MEMO_SIZE and len(warm._scores) <= MEMO_SIZE
