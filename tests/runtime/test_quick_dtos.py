"""``validated(cls, **values)`` is ``cls(**values)`` (stc.runtime.dtos.quick, issue 23).

The cheaper builder must return what the constructor returns (equal, same field order,
same ``model_fields_set``, same JSON, a ``dict`` field copied, not shared) and raise what
it raises (the same ``ValidationError`` errors), for canonical values and for every kind
of value the constructor converts or refuses: floats, ints and strings for Decimals,
NaN and infinities, broken bounds, ids of another shape, str subclasses, dicts for
nested models, unknown and missing fields, and a model validator that objects.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from stc.runtime.dtos import (
    CausalityChain,
    EntryDirective,
    EntryPlan,
    ExitPlan,
    FrozenDTO,
    OpportunitySignal,
    RoutingPlan,
    SizePlan,
    StrategyDirective,
    ThreatSignal,
    validated,
)
from stc.runtime.dtos.quick import _plan

T = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class _Str(str):
    """A str subclass: the constructor keeps or converts it; the builder must agree."""


def _ids(prefix: str) -> st.SearchStrategy[Any]:
    good = f"{prefix}_20240301_120000_0000a"
    return st.sampled_from(
        [
            good,
            f"{prefix}_20240301_120000_00001f",
            f"{prefix}_2024030_120000_0000a",
            f"{prefix}_20240301_120000_0000A",
            good + "\n",
            "OPP_20240301_120000_0000a" if prefix != "OPP" else "THR_20240301_120000_0000a",
            f"{prefix}_٢٠٢٤٠٣٠١_120000_0000a",
            _Str(good),
            5,
            None,
            "",
        ]
    )


def _decimals() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True, places=4),
        st.sampled_from(
            [
                Decimal("0"),
                Decimal("1"),
                Decimal("-0"),
                Decimal("0.5"),
                Decimal("1.0000001"),
                Decimal("sNaN"),
                Decimal("1E+400"),
            ]
        ),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-3, 3),
        st.sampled_from(["0.5", "x", True, None, (Decimal(1),)]),
    )


def _strings() -> st.SearchStrategy[Any]:
    return st.one_of(st.text(max_size=4), st.sampled_from([_Str("EURUSD"), 3, None, b"ab"]))


def _directions() -> st.SearchStrategy[Any]:
    return st.sampled_from(["BUY", "SELL", "buy", _Str("BUY"), None, 1])


def _times() -> st.SearchStrategy[Any]:
    return st.sampled_from([T, datetime(2024, 3, 1), "2024-03-01T12:00:00Z", 0, None])


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field's value or its absence (a missing field)."""
    return st.one_of(strategy, st.just(_ABSENT))


_ABSENT: Any = object()

_CHAIN_AND_ENTRY = (CausalityChain(tick_time=T), EntryDirective(symbol="EURUSD", direction="BUY"))


_GOOD: dict[str, Any] = {
    "signal_id": "OPP_20240301_120000_0000a",
    "timestamp": T,
    "asset": "EURUSD",
    "symbol": "EURUSD",
    "direction": "BUY",
    "signal_type": "ema_cross",
    "threat_type": "drawdown",
    "source_worker_id": "w",
    "affected_asset": None,
    "confidence": Decimal("0.9"),
    "severity": Decimal("0.25"),
    "metadata": {"a": 1.5},
    "order_type": "MARKET",
    "limit_price": None,
    "stop_price": None,
    "layers": (),
    "stop_loss_price": Decimal("1.07"),
    "take_profit_price": Decimal("1.2"),
    "trade_id": None,
    "timing": "IMMEDIATE",
    "time_in_force": "IOC",
    "max_slippage_pct": Decimal("0.005"),
    "execution_urgency": Decimal("0.5"),
    "iceberg_preference": None,
    "slices": 1,
    "position_size": Decimal("1000"),
    "position_value": Decimal("1080.5"),
    "risk_amount": Decimal("10"),
    "leverage": Decimal("1"),
    "directive_id": "STR_20240301_120000_0000a",
    "reference_price": Decimal("1.08"),
    "scope": "NEW_TRADE",
    "target_trade_ids": (),
    "threat_id": "THR_20240301_120000_0000a",
    "causality": _CHAIN_AND_ENTRY[0],
    "entry_directive": _CHAIN_AND_ENTRY[1],
}
"""A canonical value per field name (the values a reference plugin passes): most
examples are mostly these, so the cheap path is exercised, not only the fall-back."""


def _kwargs(
    draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]], plan_id: str = ""
) -> dict[str, Any]:
    clean = draw(st.booleans())  # few or no odd values: the cheap path's inputs
    good = {**_GOOD, "plan_id": plan_id}
    values: dict[str, Any] = {}
    for name, strategy in fields.items():
        if name in good and draw(st.integers(0, 19)) < (19 if clean else 10):
            values[name] = good[name]
        else:
            values[name] = draw(strategy if clean else _maybe(strategy))
    out = {name: value for name, value in values.items() if value is not _ABSENT}
    if not clean and draw(st.booleans()) and draw(st.booleans()):
        out["unknown_field"] = 1
    if draw(st.booleans()):  # another order than the fields'
        out = dict(reversed(list(out.items())))
    return out


def _same(cls: type[BaseModel], values: dict[str, Any]) -> None:
    """``validated(cls, **values)`` and ``cls(**values)`` agree."""
    try:
        expected = cls(**values)
    except ValidationError as exc:
        with pytest.raises(ValidationError) as raised:
            validated(cls, **values)
        assert str(raised.value) == str(exc)
        assert raised.value.json() == exc.json()  # ctx errors as text (objects differ)
        return
    got = validated(cls, **values)
    assert type(got) is type(expected)
    assert got == expected
    assert list(got.__dict__) == list(expected.__dict__)
    assert got.model_fields_set == expected.model_fields_set
    assert got.model_dump_json() == expected.model_dump_json()
    assert repr(got) == repr(expected)
    for name, value in got.__dict__.items():
        assert type(value) is type(expected.__dict__[name])
        if isinstance(value, dict):
            assert value is not values.get(name)  # copied, as the constructor copies


@st.composite
def _signal_values(draw: st.DrawFn) -> dict[str, Any]:
    return _kwargs(
        draw,
        {
            "signal_id": _ids("OPP"),
            "timestamp": _times(),
            "asset": _strings(),
            "direction": _directions(),
            "signal_type": _strings(),
            "confidence": _decimals(),
            "source_worker_id": _strings(),
            "metadata": st.sampled_from([{}, {"a": 1.5}, {1: "x"}, [("a", 1)], None]),
        },
    )


@st.composite
def _entry_values(draw: st.DrawFn) -> dict[str, Any]:
    return _kwargs(
        draw,
        {
            "plan_id": _ids("ENT"),
            "symbol": _strings(),
            "direction": _directions(),
            "order_type": st.sampled_from(["MARKET", "LIMIT", "STOP_LIMIT", "market"]),
            "limit_price": _decimals(),
            "stop_price": _decimals(),
            "layers": st.sampled_from([(), (Decimal(1),), (Decimal(-1),), [Decimal(1)], (1.5,)]),
        },
        "ENT_20240301_120000_0000a",
    )


@st.composite
def _exit_values(draw: st.DrawFn) -> dict[str, Any]:
    return _kwargs(
        draw,
        {
            "plan_id": _ids("EXT"),
            "stop_loss_price": _decimals(),
            "take_profit_price": _decimals(),
            "trade_id": _ids("TRD"),
        },
        "EXT_20240301_120000_0000a",
    )


@st.composite
def _routing_values(draw: st.DrawFn) -> dict[str, Any]:
    return _kwargs(
        draw,
        {
            "plan_id": _ids("ROU"),
            "timing": st.sampled_from(["IMMEDIATE", "TWAP", "NOW"]),
            "time_in_force": st.sampled_from(["GTC", "IOC", "FOK", None]),
            "max_slippage_pct": _decimals(),
            "execution_urgency": _decimals(),
            "iceberg_preference": _decimals(),
            "slices": st.one_of(st.integers(-1, 1002), st.sampled_from([True, 2.0, "3", None])),
        },
        "ROU_20240301_120000_0000a",
    )


@st.composite
def _size_values(draw: st.DrawFn) -> dict[str, Any]:
    return _kwargs(
        draw,
        {
            "plan_id": _ids("SIZ"),
            "position_size": _decimals(),
            "position_value": _decimals(),
            "risk_amount": _decimals(),
            "leverage": _decimals(),
        },
        "SIZ_20240301_120000_0000a",
    )


@st.composite
def _directive_values(draw: st.DrawFn) -> dict[str, Any]:
    chain, entry = _CHAIN_AND_ENTRY
    return _kwargs(
        draw,
        {
            "directive_id": _ids("STR"),
            "timestamp": _times(),
            "causality": st.sampled_from([chain, {"tick_time": T}, None]),
            "confidence": _decimals(),
            "reference_price": _decimals(),
            "entry_directive": st.sampled_from([entry, {"symbol": "EURUSD", "direction": "SELL"}]),
            "scope": st.sampled_from(["NEW_TRADE", "CLOSE_EXISTING", "MODIFY_EXISTING", "x"]),
            "target_trade_ids": st.sampled_from(
                [(), ("TRD_20240301_120000_0000a",), ("x",), ["TRD_20240301_120000_0000a"]]
            ),
            "source_worker_id": _strings(),
        },
    )


@st.composite
def _threat_values(draw: st.DrawFn) -> dict[str, Any]:
    return _kwargs(
        draw,
        {
            "threat_id": _ids("THR"),
            "timestamp": _times(),
            "threat_type": _strings(),
            "severity": _decimals(),
            "affected_asset": _strings(),
            "metadata": st.sampled_from([{}, {"k": [1]}, None]),
        },
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        _signal_values().map(lambda v: (OpportunitySignal, v)),
        _entry_values().map(lambda v: (EntryPlan, v)),
        _exit_values().map(lambda v: (ExitPlan, v)),
        _routing_values().map(lambda v: (RoutingPlan, v)),
        _size_values().map(lambda v: (SizePlan, v)),
        _directive_values().map(lambda v: (StrategyDirective, v)),
        _threat_values().map(lambda v: (ThreatSignal, v)),
    )
)
def test_validated_is_the_constructor(case: tuple[type[BaseModel], dict[str, Any]]) -> None:
    _same(*case)


def test_the_reference_flow_values_take_the_cheap_path() -> None:
    """The values a reference plugin passes are canonical: built without pydantic (a
    constructor that would be called raises here), and equal to the validated DTO."""
    values: dict[str, Any] = {
        "plan_id": "EXT_20240301_120000_0000a",
        "stop_loss_price": Decimal("1.08"),
        "take_profit_price": Decimal("1.2"),
    }
    plan = _plan(ExitPlan)
    assert plan is not None
    assert validated(ExitPlan, **values) == ExitPlan(**values)
    metadata = {"fast_ema": 1.1, "slow_ema": 1.0}
    signal = validated(
        OpportunitySignal,
        signal_id="OPP_20240301_120000_0000a",
        timestamp=T,
        asset="EURUSD",
        direction="BUY",
        signal_type="ema_cross",
        confidence=Decimal("0.9"),
        source_worker_id="cross",
        metadata=metadata,
    )
    assert signal.metadata == metadata and signal.metadata is not metadata


def test_an_objecting_model_validator_raises_the_constructors_error() -> None:
    values: dict[str, Any] = {
        "plan_id": "ENT_20240301_120000_0000a",
        "symbol": "EURUSD",
        "direction": "BUY",
        "order_type": "LIMIT",
    }
    with pytest.raises(ValidationError) as raised:
        validated(EntryPlan, **values)
    assert "needs a limit_price" in str(raised.value)


class _WithValidator(FrozenDTO):
    name: str

    @field_validator("name")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class _OtherConfig(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", allow_inf_nan=False, str_strip_whitespace=True
    )
    name: str


class _FloatField(FrozenDTO):
    value: float


@pytest.mark.parametrize("cls", [_WithValidator, _OtherConfig, _FloatField])
def test_a_class_it_does_not_model_takes_the_constructor(cls: type[BaseModel]) -> None:
    """A field validator, other config, a type it has no rule for: no plan, and the
    result is the constructor's (its conversions included)."""
    assert _plan(cls) is None
    value = " a " if cls is not _FloatField else 1
    built = validated(cls, **({"name": value} if cls is not _FloatField else {"value": value}))
    expected = cls(**({"name": value} if cls is not _FloatField else {"value": value}))
    assert built == expected and type(built.__dict__[next(iter(built.__dict__))]) is type(
        expected.__dict__[next(iter(expected.__dict__))]
    )
