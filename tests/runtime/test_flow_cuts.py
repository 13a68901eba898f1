"""The flow path's shortcuts (session 12, branch flowcode) give exactly what the long
way gives: each is checked against the code it replaces, written out here.

The reference runs' digests (tests/integration/test_reference_runs.py) check the
same end to end; these cover inputs the reference data never reaches (prices far
below 1, sizes beyond the 28-digit context, gapped bars, either side).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Decimal,
    InvalidOperation,
    localcontext,
)

from hypothesis import given
from hypothesis import strategies as st

from stc.runtime import contracts
from stc.runtime.dtos.market import Bar
from stc.runtime.dtos.plans import EntryPlan, RoutingPlan, SizePlan
from stc.runtime.execution import fill_model as fm
from stc.runtime.execution.venue import Order, _untouched
from stc.runtime.precision import grid_exponent, on_grid, to_places

ROUNDINGS = st.sampled_from([ROUND_HALF_EVEN, ROUND_DOWN, ROUND_FLOOR, ROUND_CEILING])
DECIMALS = st.decimals(
    min_value=Decimal("-1e30"), max_value=Decimal("1e30"), allow_nan=False, allow_infinity=False
)


def to_places_before(value: Decimal, places: int, rounding: str) -> Decimal:
    """``precision.to_places`` as it was: always inside a local context."""
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + places + 2)
        return value.quantize(Decimal(1).scaleb(-places), rounding)


def on_grid_before(value: Decimal, scale: Decimal, rounding: str) -> Decimal:
    """``precision.on_grid`` as it was (planner places and digits)."""
    exponent = grid_exponent(scale, 8, 9)
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() - exponent + 2)
        return value.quantize(Decimal(1).scaleb(exponent), rounding)


@given(DECIMALS, st.integers(0, 12), ROUNDINGS)
def test_to_places_equals_the_local_context_way(value: Decimal, places: int, rounding: str) -> None:
    got, want = to_places(value, places, rounding), to_places_before(value, places, rounding)
    assert (str(got), got.as_tuple()) == (str(want), want.as_tuple())


@given(DECIMALS, st.decimals(min_value=Decimal("1e-12"), max_value=Decimal("1e12"),
                             allow_nan=False, allow_infinity=False), ROUNDINGS)  # fmt: skip
def test_on_grid_equals_the_local_context_way(
    value: Decimal, scale: Decimal, rounding: str
) -> None:
    got, want = on_grid(value, scale, rounding), on_grid_before(value, scale, rounding)
    assert (str(got), got.as_tuple()) == (str(want), want.as_tuple())


def test_a_size_beyond_the_context_still_quantizes() -> None:
    """10^21 lots on the 8-decimal grid needs 30 digits: the local-context path."""
    size = Decimal("1234567890123456789012.123456789")
    assert to_places(size, 8, ROUND_DOWN) == to_places_before(size, 8, ROUND_DOWN)
    assert str(to_places(size, 8, ROUND_DOWN)) == "1234567890123456789012.12345678"


PRICES = st.floats(min_value=0.5, max_value=2.0, allow_nan=False)


@given(PRICES, PRICES, PRICES, PRICES, PRICES, st.sampled_from(["BUY", "SELL"]))
def test_an_untouched_limit_is_what_limit_fill_leaves_unfilled(
    a: float, b: float, c: float, d: float, limit: float, side: str
) -> None:
    """The venue's shortcut for a resting entry limit agrees with the fill model on
    every bar (gaps through the limit, touches at the low or high, misses)."""
    low, high = min(a, b, c, d), max(a, b, c, d)
    bar = Bar(datetime(2024, 1, 1, tzinfo=UTC), a, high, low, d, 1.0)
    order = Order("TRD_20240101_000000_00001-1", "TRD_20240101_000000_00001", side, "LIMIT",
                  Decimal(1))  # fmt: skip
    order.limit = limit
    assert _untouched(order, bar) == (fm.limit_fill(bar, order.side, limit) is None)


def number_problem_before(dto: object) -> str | None:
    """``contracts.number_problem`` as it was: every item compared with both bounds
    (±Infinity when absent) and converted to float."""
    for rule in contracts._rules(type(dto)):  # type: ignore[arg-type]
        field, many, decimal, low, low_closed, high, high_closed = rule
        value = getattr(dto, field, None)
        if value is None:
            continue
        for item in value if many and isinstance(value, tuple) else (value,):
            try:
                if (
                    (item >= low if low_closed else item > low)
                    and (item <= high if high_closed else item < high)
                    and (type(item) is Decimal or not decimal)
                    and math.isfinite(float(item))
                ):
                    continue
            except (TypeError, ValueError, InvalidOperation):
                pass
            return f"{field}={item} {contracts._problem(rule, item)}"
    return None


ANY_NUMBER = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("1E+400"), Decimal("-1E+400"), Decimal("9.99E+307"),
                     Decimal("1.8E+308"), Decimal("sNaN"), Decimal("-0"), Decimal(0)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**300), 10**300),  # past 1e308: OverflowError, before and after
    st.sampled_from(["1.5", True, None, (Decimal(1),)]),
)  # fmt: skip


@given(ANY_NUMBER, ANY_NUMBER, ANY_NUMBER, st.tuples(ANY_NUMBER, ANY_NUMBER))
def test_number_problem_equals_the_way_before(a: object, b: object, c: object,
                                              layers: tuple[object, ...]) -> None:  # fmt: skip
    """Bad numbers are refused with the same message, good ones pass, whatever the
    value (a DTO built without validation can hold anything)."""
    dtos = [
        SizePlan.model_construct(plan_id="SIZ_20240101_000000_00001", position_size=a,
                                 position_value=b, risk_amount=c, leverage=a),
        EntryPlan.model_construct(plan_id="ENT_20240101_000000_00001", symbol="X",
                                  direction="BUY", order_type="LIMIT", limit_price=a,
                                  stop_price=b, layers=layers),
        RoutingPlan.model_construct(plan_id="ROU_20240101_000000_00001", timing="IMMEDIATE",
                                    time_in_force="IOC", max_slippage_pct=a,
                                    execution_urgency=b, iceberg_preference=c, slices=a),
    ]  # fmt: skip
    for dto in dtos:
        assert contracts.number_problem(dto) == number_problem_before(dto)
