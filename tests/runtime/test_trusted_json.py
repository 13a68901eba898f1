"""The journal's JSON without pydantic's serializer (stc.runtime.dtos.trusted_json,
issue 23 item 3): byte for byte what pydantic writes, or pydantic writes it.

Every DTO class the module handles is built here with ``model_construct`` (no
validation, so the values range beyond what a validated DTO admits: Decimals with any
exponent, negative zero, NaN and infinities, every unicode string hypothesis draws,
every offset, huge ints, None in optional fields) and, for some examples, with values
the module does not write (a float where a Decimal belongs, a list for a tuple, a
zone with seconds, a lone surrogate, a reordered, shortened or extended ``__dict__``).
``to_json`` must then give exactly pydantic's bytes (or raise as pydantic does), and
for the values it claims (``fast_json`` not None) those bytes are its own.
"""

from __future__ import annotations

import random
import warnings
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from stc.runtime.dtos import trusted_json as tj
from stc.runtime.dtos.ledger import Fill, Trade
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.journal import to_json as pydantic_json

NOW = datetime(2024, 1, 1, 9, tzinfo=UTC)

_offsets = st.one_of(
    st.integers(-1439, 1439).map(lambda m: timedelta(minutes=m)),
    st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)),
)
_zones = st.one_of(st.none(), st.just(UTC), _offsets.map(timezone))
datetimes = st.datetimes(timezones=_zones)
decimals = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=10),
    st.builds(Decimal, st.from_regex(r"-?[0-9]{1,30}(\.[0-9]{0,30})?(E[+-]?[0-9]{1,4})?", fullmatch=True)),
    st.sampled_from([Decimal("-0"), Decimal("0E-10"), Decimal("-0.000"), Decimal("1E+400"), Decimal("sNaN")]),
)
texts = st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=0x9F)), st.just(""))
ints = st.one_of(st.integers(-(2**70), 2**70), st.integers(-3, 1001))
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(st.none(), st.booleans(), ints, floats, texts, decimals)
metadata = st.dictionaries(texts, scalars, max_size=4)
odd = st.one_of(
    st.floats(allow_nan=False), st.lists(st.integers(), max_size=2), st.just(True),
    st.just("\ud800"), st.just(datetime(2024, 1, 1).date()), st.just(NOW.replace(tzinfo=None)),
    st.dictionaries(st.integers(), st.integers(), max_size=1), st.just(object()),
)  # fmt: skip
"""Values of kinds the module refuses to write (pydantic must decide)."""


def _value(kind: int, nested: type | None, draw: Any, deep: int) -> Any:
    if kind == tj.STR:
        return draw(texts)
    if kind == tj.DEC:
        return draw(decimals)
    if kind == tj.DT:
        return draw(datetimes)
    if kind == tj.INT:
        return draw(ints)
    if kind == tj.META:
        return draw(st.one_of(metadata, st.dictionaries(texts, odd, min_size=1, max_size=2)))
    if kind == tj.MODEL:
        assert nested is not None
        return _model(nested, draw, deep + 1)
    size = draw(st.integers(0, 3))
    inner = {tj.STRS: tj.STR, tj.DECS: tj.DEC, tj.MODELS: tj.MODEL}[kind]
    return tuple(_value(inner, nested, draw, deep) for _ in range(size))


def _model(cls: type, draw: Any, deep: int = 0) -> Any:
    values: dict[str, Any] = {}
    for name, (kind, optional, nested) in tj.table_of(cls).items():
        if optional and draw(st.booleans()):
            values[name] = None
        elif deep == 0 and draw(st.integers(0, 30)) == 0:
            values[name] = draw(st.one_of(odd, st.none()))  # a kind pydantic must handle
        else:
            values[name] = _value(kind, nested, draw, deep)
    model_cls: type[BaseModel] = cls
    return model_cls.model_construct(**values)


def _reshaped(dto: Any, how: int) -> Any:
    """``dto`` with its ``__dict__`` reordered (1), short of a field (2), or with an
    extra key (3); pydantic follows the dict's order and skips unknown keys."""
    fields = dict(dto.__dict__)
    if how == 1:
        keys = list(fields)
        random.Random(len(keys)).shuffle(keys)
        fields = {k: fields[k] for k in keys}
    elif how == 2 and fields:
        fields.pop(next(iter(fields)))
    elif how == 3:
        fields["extra"] = 1
    object.__setattr__(dto, "__dict__", fields)
    return dto


def _pydantic(dto: Any) -> str | type[BaseException]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pydantic_json(dto)
        except Exception as exc:  # the journal would raise it: so must to_json
            return type(exc)


def _ours(dto: Any) -> str | type[BaseException]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tj.to_json(dto)
        except Exception as exc:
            return type(exc)


@pytest.mark.parametrize("cls", tj.handled(), ids=lambda c: c.__name__)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_bytes_are_pydantics(cls: type, data: st.DataObject) -> None:
    dto = _model(cls, data.draw)
    how = data.draw(st.sampled_from([0, 0, 0, 1, 2, 3]))
    if how:
        dto = _reshaped(dto, how)
    fast = tj.fast_json(dto)
    expected = _pydantic(dto)
    assert _ours(dto) == expected
    if fast is not None:
        assert fast == expected


def _fill(**changes: Any) -> Fill:
    fields: dict[str, Any] = {
        "trade_id": "TRD_20240101_090000_0000a", "timestamp": NOW, "side": "BUY",
        "price": Decimal("1.25"), "size": Decimal("3"), "fee": Decimal("0.0"),
        "purpose": "ENTRY",
    }  # fmt: skip
    fields.update(changes)
    return Fill(**fields)


def test_the_common_values_are_written_here_not_by_pydantic() -> None:
    """The fast path is taken for what a run journals (else the gain is silently lost)."""
    trade = Trade(
        trade_id="TRD_20240101_090000_0000a", symbol="EURUSD", direction="SELL",
        execution_directive_id=None, entry_time=NOW, entry_price=Decimal("1.1"),
        size=Decimal("10"), exit_time=NOW + timedelta(hours=3), exit_price=Decimal("1.0"),
        exit_reason="STOP_LOSS", pnl=Decimal("-1E-8"),
    )  # fmt: skip
    signal = OpportunitySignal(
        signal_id="OPP_20240101_090000_00001", timestamp=NOW, asset="EURUSD",
        direction="BUY", signal_type="cross", confidence=Decimal("0.75"),
        metadata={"fast": 1.1217318477226808, "n": 3, "ok": True, "none": None, "s": "é"},
    )  # fmt: skip
    for dto in (_fill(), trade, signal):
        assert tj.fast_json(dto) is not None
        assert tj.fast_json(dto) == pydantic_json(dto)


@pytest.mark.parametrize(
    "value",
    [1e-05, 2.6444317786892554e-05, float("nan"), float("inf")],
)
def test_floats_pydantic_writes_its_own_way_go_to_pydantic(value: float) -> None:
    signal = OpportunitySignal.model_construct(
        signal_id="OPP_20240101_090000_00001", timestamp=NOW, asset="X", direction="BUY",
        signal_type="t", confidence=Decimal("0.5"), metadata={"x": value},
    )  # fmt: skip
    assert tj.fast_json(signal) is None
    assert tj.to_json(signal) == pydantic_json(signal)


def test_offsets_in_seconds_and_named_zones_go_to_pydantic() -> None:
    from zoneinfo import ZoneInfo

    for stamp in (
        NOW.replace(tzinfo=timezone(timedelta(seconds=37))),
        NOW.replace(tzinfo=ZoneInfo("Europe/Amsterdam")),
    ):
        fill = _fill().model_copy(update={"timestamp": stamp})
        assert tj.fast_json(fill) is None
        assert tj.to_json(fill) == pydantic_json(fill)


def test_a_lone_surrogate_raises_as_pydantic_does() -> None:
    fill = Fill.model_construct(**{**_fill().__dict__, "side": "\ud800"})
    with pytest.raises(Exception) as ours:
        tj.to_json(fill)
    with pytest.raises(Exception) as theirs:
        pydantic_json(fill)
    assert type(ours.value) is type(theirs.value)


def test_a_subclass_goes_to_pydantic() -> None:
    class Wider(Fill):
        note: str = "x"

    wide = Wider(**_fill().__dict__)
    assert tj.fast_json(wide) is None
    assert tj.to_json(wide) == pydantic_json(wide)


def test_every_table_names_its_class_fields_in_order() -> None:
    for cls in tj.handled():
        model_cls: type[BaseModel] = cls
        assert list(tj.table_of(cls)) == list(model_cls.model_fields)
