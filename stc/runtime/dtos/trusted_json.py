"""The journal's JSON of the flow DTOs, written without pydantic's serializer.

Why: a round-trip trade journals ~16 DTOs, and their JSON through pydantic-core's
``SchemaSerializer.to_json`` was ~90 µs of a trade's ~500 µs of flows (issue 23 item
3). Most of that is the serializer's per-call and per-field machinery, not the
formatting: the values are strings, Decimals, datetimes, ids and a few nested models.
This module (compiled with mypyc, ``stc.runtime._native``) writes the same text from
the same values directly.

**Byte-identical, or not at all.** :func:`fast_json` writes a model only when every
value in it has exactly a type whose JSON it reproduces (each case below copies what
pydantic-core 2 does, and ``tests/runtime/test_trusted_json.py`` compares both over
hypothesis-generated values of every field type); at the first value it does not know
it returns None and :func:`to_json` hands the whole DTO to pydantic's serializer, as
before. So a plugin's DTO built with ``model_construct``, ``model_copy`` or mutated
(a float in a Decimal field, a list for a tuple, a subclass, a missing or an extra
field, a non-UTC zone) still gets exactly pydantic's bytes, warnings and errors. The
cases it writes:

- the keys in the order of the instance's ``__dict__`` (pydantic's order: a field
  table keyed by name, not the class's field order); every key must be one of the
  class's fields and every field present, else pydantic decides;
- ``str``: JSON-escaped like serde_json (``"``, ``\\``, control characters; non-ASCII
  raw), which is what ``json.encoder.encode_basestring`` does; a string that is not
  valid UTF-8 (a lone surrogate) goes to pydantic, which raises;
- ``Decimal``: its ``str`` in quotes (pydantic-core calls ``str`` too: exponents,
  ``-0``, ``NaN`` alike);
- ``datetime`` (exactly that class) naive, or with a ``datetime.timezone`` of whole
  minutes: ``isoformat()``, with ``Z`` for a zero offset (pydantic's form);
- ``None`` where the field is optional; ``int`` within ±2**63; ``bool``;
- ``float`` in a metadata dict when finite and its ``repr`` has no negative exponent
  (pydantic writes ``1e-05`` as ``0.00001``); tuples of the above; nested models of
  exactly the declared class (recursively, by the same rules);
- a metadata dict (``dict[str, Any]``): string keys, scalar values as above.

Which DTOs: every journaled flow DTO whose fields are of these kinds, plugin-built
ones included, since the gate is the value, not who built it (:data:`_TABLES`).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, Final

from pydantic import BaseModel

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import (
    EntryDirective,
    ExitDirective,
    PriceZone,
    RoutingDirective,
    SizeDirective,
    StrategyDirective,
)
from stc.runtime.dtos.ledger import Fill, Trade
from stc.runtime.dtos.plans import EntryPlan, ExitPlan, RoutingPlan, SizePlan
from stc.runtime.dtos.signals import (
    AggregatedContextAssessment,
    FactorContribution,
    OpportunitySignal,
    ThreatSignal,
)
from stc.runtime.journal import to_json as pydantic_json

STR: Final = 0
DEC: Final = 1
DT: Final = 2
INT: Final = 3
MODEL: Final = 4
STRS: Final = 5
DECS: Final = 6
MODELS: Final = 7
META: Final = 8

_INT_LIMIT: Final = 2**63
_ZERO: Final = timedelta(0)
_MINUTE: Final = timedelta(minutes=1)


class Unencodable(Exception):
    """A value this module does not write: pydantic's serializer takes the DTO."""


class FieldSpec:
    """How one field is written: its name, ``"name":`` key, kind, optionality, nested
    class, and ``lead`` (the key with the separator before it at its place in the
    class's field order: ``{`` for the first field, ``,`` for the others)."""

    def __init__(self, name: str, kind: int, optional: bool, nested: type | None) -> None:
        self.name = name
        self.key = encode_basestring(name) + ":"
        self.lead = ""
        self.kind = kind
        self.optional = optional
        self.nested = nested


class Table:
    """One class's fields in order, and by name (for a ``__dict__`` in another order)."""

    def __init__(self, specs: list[FieldSpec]) -> None:
        self.specs = specs
        self.by_name = {spec.name: spec for spec in specs}
        for i, spec in enumerate(specs):
            spec.lead = ("{" if i == 0 else ",") + spec.key


def _spec(name: str, kind: int, optional: bool = False, nested: type | None = None) -> FieldSpec:
    return FieldSpec(name, kind, optional, nested)


def _table(*specs: FieldSpec) -> Table:
    return Table(list(specs))


_OPT: Final = True

_TABLES: Final[dict[type, Table]] = {
    FactorContribution: _table(
        _spec("name", STR), _spec("value", DEC), _spec("weight", DEC),
        _spec("polarity", STR), _spec("worker_id", STR),
    ),
    AggregatedContextAssessment: _table(
        _spec("assessment_id", STR), _spec("timestamp", DT), _spec("strength", DEC),
        _spec("weakness", DEC), _spec("method", STR),
        _spec("contributing_factors", MODELS, nested=FactorContribution),
    ),
    OpportunitySignal: _table(
        _spec("signal_id", STR), _spec("timestamp", DT), _spec("asset", STR),
        _spec("direction", STR), _spec("signal_type", STR), _spec("confidence", DEC),
        _spec("source_worker_id", STR), _spec("metadata", META),
    ),
    ThreatSignal: _table(
        _spec("threat_id", STR), _spec("timestamp", DT), _spec("threat_type", STR),
        _spec("severity", DEC), _spec("source_worker_id", STR),
        _spec("affected_asset", STR, _OPT), _spec("metadata", META),
    ),
    CausalityChain: _table(
        _spec("tick_time", DT), _spec("context_assessment_id", STR, _OPT),
        _spec("opportunity_ids", STRS), _spec("threat_ids", STRS),
        _spec("strategy_directive_id", STR, _OPT), _spec("entry_plan_id", STR, _OPT),
        _spec("size_plan_id", STR, _OPT), _spec("exit_plan_id", STR, _OPT),
        _spec("routing_plan_id", STR, _OPT), _spec("execution_directive_id", STR, _OPT),
    ),
    PriceZone: _table(_spec("low", DEC), _spec("high", DEC)),
    EntryDirective: _table(
        _spec("symbol", STR), _spec("direction", STR), _spec("timing_preference", DEC),
        _spec("preferred_price_zone", MODEL, _OPT, PriceZone),
    ),
    SizeDirective: _table(
        _spec("aggressiveness", DEC), _spec("max_risk_amount", DEC, _OPT),
        _spec("account_risk_pct", DEC),
    ),
    ExitDirective: _table(
        _spec("profit_taking_preference", DEC), _spec("risk_reward_ratio", DEC),
        _spec("stop_loss_tolerance", DEC),
    ),
    RoutingDirective: _table(
        _spec("execution_urgency", DEC), _spec("max_total_slippage_pct", DEC),
    ),
    StrategyDirective: _table(
        _spec("directive_id", STR), _spec("timestamp", DT),
        _spec("causality", MODEL, nested=CausalityChain), _spec("confidence", DEC),
        _spec("reference_price", DEC), _spec("entry_directive", MODEL, nested=EntryDirective),
        _spec("size_directive", MODEL, nested=SizeDirective),
        _spec("exit_directive", MODEL, nested=ExitDirective),
        _spec("routing_directive", MODEL, nested=RoutingDirective), _spec("scope", STR),
        _spec("target_trade_ids", STRS), _spec("source_worker_id", STR),
    ),
    EntryPlan: _table(
        _spec("plan_id", STR), _spec("symbol", STR), _spec("direction", STR),
        _spec("order_type", STR), _spec("limit_price", DEC, _OPT),
        _spec("stop_price", DEC, _OPT), _spec("layers", DECS),
    ),
    SizePlan: _table(
        _spec("plan_id", STR), _spec("position_size", DEC), _spec("position_value", DEC),
        _spec("risk_amount", DEC), _spec("leverage", DEC),
    ),
    ExitPlan: _table(
        _spec("plan_id", STR), _spec("stop_loss_price", DEC),
        _spec("take_profit_price", DEC, _OPT), _spec("trade_id", STR, _OPT),
    ),
    RoutingPlan: _table(
        _spec("plan_id", STR), _spec("timing", STR), _spec("time_in_force", STR),
        _spec("max_slippage_pct", DEC), _spec("execution_urgency", DEC),
        _spec("iceberg_preference", DEC, _OPT), _spec("slices", INT),
    ),
    Fill: _table(
        _spec("trade_id", STR), _spec("timestamp", DT), _spec("side", STR),
        _spec("price", DEC), _spec("size", DEC), _spec("fee", DEC), _spec("purpose", STR),
    ),
    Trade: _table(
        _spec("trade_id", STR), _spec("symbol", STR), _spec("direction", STR),
        _spec("execution_directive_id", STR, _OPT), _spec("entry_time", DT),
        _spec("entry_price", DEC), _spec("size", DEC), _spec("stop_loss_price", DEC, _OPT),
        _spec("take_profit_price", DEC, _OPT), _spec("exit_time", DT, _OPT),
        _spec("exit_price", DEC, _OPT), _spec("exit_reason", STR, _OPT),
        _spec("fees", DEC), _spec("pnl", DEC),
    ),
}  # fmt: skip
"""The DTO classes written here, each field's spec keyed by name."""


def handled() -> tuple[type, ...]:
    """The DTO classes :func:`fast_json` writes (the tests check each against pydantic)."""
    return tuple(_TABLES)


def table_of(cls: type) -> dict[str, tuple[int, bool, type | None]]:
    """``cls``'s field specs as (kind, optional, nested class) by name (for the tests)."""
    return {s.name: (s.kind, s.optional, s.nested) for s in _TABLES[cls].specs}


def to_json(value: Any) -> str:
    """The journal's JSON of ``value``: :func:`fast_json` when it writes it, else
    ``stc.runtime.journal.to_json`` (pydantic's serializer; ``json`` for plain values)."""
    text = fast_json(value)
    return text if text is not None else pydantic_json(value)


def fast_json(value: object) -> str | None:
    """Exactly pydantic's ``model_dump_json()`` of ``value``, or None when a value in it
    is of a kind this module does not write (then nothing is claimed)."""
    cls = type(value)
    if cls not in _TABLES:
        return None
    parts: list[str] = []
    try:
        _model(value, cls, parts)
    except Exception:  # anything unusual: pydantic's serializer decides (and raises)
        return None
    return "".join(parts)


def _model(value: object, cls: type, parts: list[str]) -> None:
    """Append ``value``'s JSON to ``parts`` (one join at the end: no intermediate
    strings, which were most of the cost of writing a DTO field by field)."""
    if type(value) is not cls:
        raise Unencodable(cls.__name__)
    table = _TABLES[cls]
    model: Any = value
    if model.__pydantic_extra__ is not None:
        raise Unencodable("extra fields")
    fields: dict[str, object] = model.__dict__
    specs = table.specs
    if len(fields) != len(specs):
        raise Unencodable("missing or extra fields")
    i = 0
    for name, item in fields.items():
        spec = specs[i]
        if name == spec.name:  # the usual order: the prefix holds the separator
            parts.append(spec.lead)
        else:  # another order (pydantic follows the dict): look the key up
            spec = table.by_name[name]  # KeyError (an unknown key): pydantic decides
            parts.append("{" if i == 0 else ",")
            parts.append(spec.key)
        _field(item, spec, parts)
        i += 1
    if i == 0:
        parts.append("{")
    parts.append("}")


def _field(item: object, spec: FieldSpec, parts: list[str]) -> None:
    if item is None:
        if not spec.optional:
            raise Unencodable("None in a required field")
        parts.append("null")
        return
    kind = spec.kind
    if kind == STR:
        parts.append(_str(item))
    elif kind == DEC:
        parts.append(_decimal(item))
    elif kind == DT:
        parts.append(_datetime(item))
    elif kind == INT:
        parts.append(_int(item))
    elif kind == MODEL:
        nested = spec.nested
        assert nested is not None
        _model(item, nested, parts)
    elif kind == META:
        _meta(item, parts)
    else:
        _array(item, spec, parts)


def _array(item: object, spec: FieldSpec, parts: list[str]) -> None:
    if type(item) is not tuple:
        raise Unencodable("not a tuple")
    kind = spec.kind
    nested = spec.nested
    parts.append("[")
    first = True
    for element in item:
        if not first:
            parts.append(",")
        first = False
        if kind == STRS:
            parts.append(_str(element))
        elif kind == DECS:
            parts.append(_decimal(element))
        elif kind == MODELS and nested is not None:
            _model(element, nested, parts)
        else:
            raise Unencodable(f"kind {kind}")
    parts.append("]")


def _meta(item: object, parts: list[str]) -> None:
    if type(item) is not dict:
        raise Unencodable("metadata is not a dict")
    parts.append("{")
    first = True
    for key, value in item.items():
        if not first:
            parts.append(",")
        first = False
        parts.append(_str(key))
        parts.append(":")
        parts.append(_scalar(value))
    parts.append("}")


def _str(item: object) -> str:
    if type(item) is not str:
        raise Unencodable("not a str")
    text: str = item
    if text.isascii():
        if text.isprintable() and '"' not in text and "\\" not in text:
            return '"' + text + '"'  # nothing to escape (ids, symbols, names)
    else:
        text.encode("utf-8")  # a lone surrogate raises: pydantic's serializer raises too
    escaped: str = encode_basestring(text)
    return escaped


def _decimal(item: object) -> str:
    if type(item) is not Decimal:
        raise Unencodable("not a Decimal")
    return '"' + str(item) + '"'


class _LastStamp:
    """The last datetime written and its text: a flow's DTOs repeat the tick's time
    (the same object), and ``isoformat`` of an aware datetime is the dearest value
    here. Identity, not equality: equal datetimes in two zones print differently, and
    the cache holds the object, so its id cannot be reused while cached."""

    def __init__(self) -> None:
        self.stamp: object = None
        self.text = ""


_LAST: Final = _LastStamp()


def _datetime(item: object) -> str:
    last = _LAST
    if item is last.stamp:
        return last.text
    if type(item) is not datetime:
        raise Unencodable("not a datetime")
    text = _stamp_text(item)
    last.stamp = item
    last.text = text
    return text


def _stamp_text(stamp: datetime) -> str:
    zone = stamp.tzinfo
    if zone is None:
        return '"' + stamp.isoformat() + '"'
    if zone is UTC:
        return '"' + stamp.isoformat()[:-6] + 'Z"'
    if type(zone) is not timezone:
        raise Unencodable("not a fixed offset")
    offset = stamp.utcoffset()
    if offset is None or offset % _MINUTE != _ZERO:
        raise Unencodable("an offset in seconds")
    text = stamp.isoformat()
    if offset == _ZERO:
        return '"' + text[:-6] + 'Z"'
    return '"' + text + '"'


def _int(item: object) -> str:
    if type(item) is not int:
        raise Unencodable("not an int")
    number: int = item
    if not -_INT_LIMIT <= number < _INT_LIMIT:
        raise Unencodable("a big int")
    return str(number)


def _scalar(item: object) -> str:
    """A metadata value (pydantic infers its type): scalars only."""
    if item is None:
        return "null"
    kind = type(item)
    if kind is str:
        return _str(item)
    if kind is bool:
        return "true" if item else "false"
    if kind is int:
        return _int(item)
    if type(item) is float:
        text = repr(item)
        if not math.isfinite(item) or "e-" in text:
            raise Unencodable("a float pydantic writes its own way")
        return text
    if kind is Decimal:
        return _decimal(item)
    raise Unencodable(f"a {kind.__name__} in metadata")


def _checked_tables() -> None:
    """Every table names exactly its class's fields (a field added to a DTO and not
    here would otherwise make every instance fall back, silently slow)."""
    for cls, table in _TABLES.items():
        model: type[BaseModel] = cls
        if [spec.name for spec in table.specs] != list(model.model_fields):
            raise TypeError(f"trusted_json: the table of {cls.__name__} does not match its fields")


_checked_tables()
