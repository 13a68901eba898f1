"""Run-time contract checks on what workers return (issue 8, fault isolation).

A worker is bus-agnostic: it returns ``None``, a DispositionEnvelope or a DTO, and the
engine publishes it. Three things can go wrong that pydantic cannot see from inside
the worker, so the engine checks them at the boundary, when a result is published:

- **wrong type**: the result is not the payload DTO of an event the worker declares
  (a context worker returning a ``str``, an opportunity worker a ``dict`` or a
  ThreatSignal, a sizer an EntryPlan);
- **bad numbers**: a DTO built with ``model_construct``, ``model_copy(update=...)`` or
  mutated with ``object.__setattr__`` skips validation, so a NaN, infinite, zero or
  negative price or size would reach the ledger; each numeric field is re-checked
  against its own pydantic bounds (``gt``/``ge``/``lt``/``le``) and for finiteness;
- **undeclared event**: a PUBLISH envelope (or a bare DTO's default event) naming an
  event the worker does not declare: neither its type's default event
  (:data:`TYPE_EVENTS`, read from ``stc/runtime/base_wiring.yaml``) nor an event the
  wiring map lists it as a publisher of (its manifest's ``publishes``).

Each raises :class:`PluginContractError`, which the engine handles exactly like a
plugin exception: the flow is aborted, its staged orders rolled back, the fault
journaled. The checks cost a few dictionary look-ups per *published* result; quiet
ticks never reach them.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from stc.runtime.base_wiring import TYPE_EVENTS as TYPE_EVENTS
from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.plans import (
    EntryPlan,
    ExecutionDirective,
    ExitPlan,
    RoutingPlan,
    RoutingRequest,
    SizePlan,
)
from stc.runtime.dtos.signals import AggregatedContextAssessment, OpportunitySignal, ThreatSignal
from stc.runtime.envelope import DispositionEnvelope
from stc.runtime.errors import PluginContractError as PluginContractError
from stc.runtime.events import PLATFORM_COMPONENTS, PLATFORM_EVENTS
from stc.runtime.plan import Plan

_PIPELINE_DTOS: tuple[type, ...] = (
    AggregatedContextAssessment, OpportunitySignal, ThreatSignal, StrategyDirective,
    EntryPlan, SizePlan, ExitPlan, RoutingRequest, RoutingPlan, ExecutionDirective,
    DispositionEnvelope,
)  # fmt: skip
"""Platform DTOs that are never a context worker's contribution to the TradingContext."""

_PLAIN_VALUES = (str, bytes, int, float, complex, bool, dict, list, tuple, set, frozenset)
"""Built-in values that are never a DTO (a context worker returning ``"ok"``)."""


# ---------------------------------------------------------------------- numbers
_NO_LOW = Decimal("-Infinity")
_NO_HIGH = Decimal("Infinity")


class _NumberRule(NamedTuple):
    """One numeric field of a DTO and the open or closed range it must lie in; the
    default range is (-inf, inf) open, so infinities always fail. A plain tuple: the
    check loop unpacks it (this runs for every published DTO)."""

    field: str
    many: bool  # a tuple of numbers (EntryPlan.layers)
    decimal: bool  # a Decimal field: a float or int there is a contract fault
    low: Decimal = _NO_LOW
    low_closed: bool = False
    high: Decimal = _NO_HIGH
    high_closed: bool = False


_Rule = tuple[str, bool, bool, Decimal, bool, Decimal, bool]
"""A :class:`_NumberRule` as a plain tuple: what the check loop unpacks (compiled,
a plain tuple of known shape unpacks without a look-up per item)."""

_RULES: dict[type, tuple[_Rule, ...]] = {}


def number_problem(dto: object) -> str | None:
    """Why a numeric field of the pydantic ``dto`` is invalid, or None when all are fine.

    Re-checks what validation would have enforced (finite, within the field's bounds),
    because a DTO that skipped validation looks exactly like a validated one. Only the
    DTO's own fields are checked, not those of nested models (a StrategyDirective's
    sub-directive hints): every number that reaches the ledger is a field of a plan,
    and plans are checked when published, so a bad hint is caught in the plan it
    produced; skipping the nested hints keeps the check at ~1 µs per DTO. The fields
    are read from the model's ``__dict__`` (where validation, ``model_construct``,
    ``model_copy`` and ``object.__setattr__`` all put them; a field missing there
    reads as None, as ``getattr`` with a default did).
    """
    rules = _RULES.get(type(dto))
    if rules is None:
        if not isinstance(dto, BaseModel):
            return None
        rules = _RULES[type(dto)] = tuple(_plain(r) for r in _rules(type(dto)))
    fields: dict[str, Any] = dto.__dict__
    for rule in rules:
        field, many, decimal, low, low_closed, high, high_closed = rule
        value = fields.get(field)
        if value is None:
            continue
        if many and isinstance(value, tuple):
            for item in value:
                if not _fits(item, decimal, low, low_closed, high, high_closed):
                    return f"{field}={item} {_problem(_NumberRule(*rule), item)}"
        elif not _fits(value, decimal, low, low_closed, high, high_closed):
            return f"{field}={value} {_problem(_NumberRule(*rule), value)}"
    return None


def _plain(rule: _NumberRule) -> _Rule:
    """``rule`` as the plain tuple the loop unpacks."""
    return (rule.field, rule.many, rule.decimal, rule.low, rule.low_closed, rule.high,
            rule.high_closed)  # fmt: skip


def _fits(
    item: Any, decimal: bool, low: Decimal, low_closed: bool, high: Decimal, high_closed: bool
) -> bool:
    """One number against its rule: a Decimal by :func:`_decimal_fits`, anything else
    must compare inside the bounds, be allowed as a non-Decimal and convert to a finite
    float (a NaN float compares False; a value that cannot compare or convert fails)."""
    if type(item) is Decimal:
        return _decimal_fits(item, low, low_closed, high, high_closed)
    try:
        return bool(
            (item >= low if low_closed else item > low)
            and (item <= high if high_closed else item < high)
            and not decimal
            and math.isfinite(float(item))
        )
    except (TypeError, ValueError, InvalidOperation, OverflowError):
        return False  # (an int beyond 1e308 does not convert: _problem says so)


def _decimal_fits(
    item: Decimal, low: Decimal, low_closed: bool, high: Decimal, high_closed: bool
) -> bool:
    """The rule's test for a Decimal, without the work that cannot fail: a finite
    Decimal always lies inside an absent bound (±Infinity), and one below 10^308 always
    converts to a finite float (``float(Decimal)`` formats and parses a string: 1E+400
    is a Decimal no float holds, so larger ones still convert). A NaN or an infinity
    fails, as its comparison or conversion did."""
    if not item.is_finite():
        return False
    if low is not _NO_LOW and not (item >= low if low_closed else item > low):
        return False
    if high is not _NO_HIGH and not (item <= high if high_closed else item < high):
        return False
    return item.adjusted() < 308 or math.isfinite(float(item))


def _problem(rule: _NumberRule, value: Any) -> str:
    """Why ``value`` breaks ``rule`` (only called when it does)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | float | int):
        return f"is a {type(value).__name__}, not a number"
    if not _finite(value):
        return "is not a finite number"
    if not (value >= rule.low if rule.low_closed else value > rule.low):
        return f"must be {'>=' if rule.low_closed else '>'} {rule.low}"
    if not (value <= rule.high if rule.high_closed else value < rule.high):
        return f"must be {'<=' if rule.high_closed else '<'} {rule.high}"
    if not _converts(value):
        return "is too large to book (beyond the float range the ledger marks in)"
    return f"is a {type(value).__name__}, not a Decimal (money is exact)"


def _finite(value: Decimal | float | int) -> bool:
    """Not NaN nor an infinity (an int always is: it may be too large for a float,
    which :func:`_converts` tells)."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int) or math.isfinite(value)


def _converts(value: Decimal | float | int) -> bool:
    """True when ``value`` becomes a finite float (the ledger marks in floats)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond the float range
        return False


def _rules(cls: type[BaseModel]) -> tuple[_NumberRule, ...]:
    """The numeric rules of ``cls``, derived from its pydantic fields."""
    found = (_rule(name, info) for name, info in cls.model_fields.items())
    return tuple(r for r in found if r is not None)


def _rule(name: str, info: FieldInfo) -> _NumberRule | None:
    annotation: Any = info.annotation
    bounds: list[Any] = list(info.metadata)
    if get_origin(annotation) in (Union, types.UnionType):  # X | None
        options = [a for a in get_args(annotation) if a is not type(None)]
        if len(options) != 1:
            return None
        annotation = options[0]
    many = get_origin(annotation) is tuple and get_args(annotation)[1:] == (Ellipsis,)
    if many:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        for item in extra:
            bounds.extend(item.metadata if isinstance(item, FieldInfo) else (item,))
    if annotation not in (Decimal, float, int):
        return None
    rule = _NumberRule(name, many, annotation is Decimal)
    for bound in bounds:
        if isinstance(bound, Gt | Ge):
            low = bound.gt if isinstance(bound, Gt) else bound.ge
            rule = rule._replace(low=Decimal(str(low)), low_closed=isinstance(bound, Ge))
        elif isinstance(bound, Lt | Le):
            high = bound.lt if isinstance(bound, Lt) else bound.le
            rule = rule._replace(high=Decimal(str(high)), high_closed=isinstance(bound, Le))
    return rule


# ---------------------------------------------------------------------- results
Method = str | Callable[[Any], Any] | None
"""A handler named in faults: its name, or the handler (None: unknown, ``?``)."""


def method_name(method: Method) -> str:
    """The handler method's name, for contract faults (a name is kept as it is)."""
    if isinstance(method, str):
        return method
    return str(getattr(method, "__name__", "?"))


def _is_a(value: object, type_name: str) -> bool:
    """True when ``value``'s class (or a base) is called ``type_name`` (DTOs are named
    by class name in manifests and wiring maps)."""
    return any(cls.__name__ == type_name for cls in type(value).__mro__)


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "nothing"


class Contracts:
    """Per-worker contracts, precomputed from the plan at bootstrap.

    ``declared[worker]`` holds its type's default events plus every event the wiring
    map lists it as a publisher of; ``payloads[event]`` is the DTO each event carries.
    A (worker, event, payload type) that passed the type and event checks is
    remembered, so a repeated result costs one set look-up plus its number check.
    """

    def __init__(self, plan: Plan) -> None:
        self.payloads: dict[str, str] = dict(PLATFORM_EVENTS)
        declared: dict[str, set[str]] = {}
        for spec in plan.events:
            if spec.payload not in ("", "?"):
                self.payloads[spec.event] = spec.payload
            for publisher in spec.publishers:
                declared.setdefault(publisher, set()).add(spec.event)
        self.declared: dict[str, frozenset[str]] = {
            w.id: frozenset(declared.get(w.id, ())).union(TYPE_EVENTS.get(w.type, ()))
            for w in plan.workers
        }
        self.provides: dict[str, frozenset[str] | None] = {
            w.id: None if w.provides is None else frozenset(w.provides) for w in plan.workers
        }
        self._passed: set[tuple[str, str | None, type, bool]] = set()

    def check_context(self, worker: str, method: str, result: object) -> None:
        """A context worker's non-envelope result must be a DTO it provides."""
        provides = self.provides.get(worker)
        if provides is not None:
            if not any(_is_a(result, name) for name in provides):
                raise PluginContractError(
                    worker, method, f"returned {_kind(result)}; expected {_expect(provides)}"
                )
        elif isinstance(result, _PLAIN_VALUES + _PIPELINE_DTOS):
            raise PluginContractError(
                worker, method, f"returned {_kind(result)}; expected {_expect(['a context DTO'])}"
            )

    def check_publish(
        self, worker: str, method: Method, event: str | None, payload: object, envelope: bool
    ) -> None:
        """``worker`` publishes ``payload`` as ``event``: the event must be declared, the
        payload of the event's type and its numbers valid. ``method`` names the handler
        in faults: its name, or the handler itself (named only when a check fails or a
        first check runs: reading ``__name__`` of every published result's handler was
        ~40 instructions of ``getattr`` a result for a name no passing check uses)."""
        if worker in PLATFORM_COMPONENTS:
            return
        key = (worker, event, type(payload), envelope)
        if key not in self._passed:
            self._check_types(worker, method_name(method), event, payload, envelope)
            self._passed.add(key)
        problem = number_problem(payload)
        if problem is not None:
            raise PluginContractError(
                worker, method_name(method), f"returned {_kind(payload)} whose {problem}"
            )

    def _check_types(
        self, worker: str, method: str, event: str | None, payload: object, envelope: bool
    ) -> None:
        declared = self.declared.get(worker, frozenset())
        expected = self.payloads.get(event or "")
        if envelope:
            if event not in declared:
                raise PluginContractError(
                    worker, method, f"published event {event!r}, which it does not declare "
                    f"(its manifest's `publishes`; declared: {_names(declared)})",
                )  # fmt: skip
            if expected is not None and not _is_a(payload, expected):
                raise PluginContractError(
                    worker, method, f"published {event} with {_kind(payload)}; "
                    f"the event carries {_article(expected)}",
                )  # fmt: skip
        else:
            self._check_bare(worker, method, event, payload, declared, expected)

    def _check_bare(
        self,
        worker: str,
        method: str,
        event: str | None,
        result: object,
        declared: frozenset[str],
        expected: str | None,
    ) -> None:
        accepted = {self.payloads[e] for e in declared if e in self.payloads}
        if (
            event is None
            or (expected is not None and not _is_a(result, expected))
            or not any(_is_a(result, name) for name in accepted)
        ):
            raise PluginContractError(
                worker, method, f"returned {_kind(result)}; expected {_expect(accepted)}"
            )
        if event not in declared:
            raise PluginContractError(
                worker, method, f"returned {_kind(result)}, which publishes {event}; "
                f"it does not declare that event (declared: {_names(declared)})",
            )  # fmt: skip


def _kind(value: object) -> str:
    """``a dict``, ``an ExitPlan``, ``None``: what came back, for messages."""
    return "None" if value is None else _article(type(value).__name__)


def _article(name: str) -> str:
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _expect(names: Iterable[str]) -> str:
    """What a worker may return: its DTOs (sorted), a DispositionEnvelope or None."""
    listed = sorted(names)
    if not listed:
        return "None or a DispositionEnvelope (it declares no DTO)"
    return f"{', '.join(listed)}, a DispositionEnvelope or None"
