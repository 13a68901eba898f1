"""``validated(cls, **values)``: the DTO ``cls(**values)`` builds, built cheaper when
every value already has the exact type its field keeps (issue 23, item 3).

Why: a plugin's output is validated by pydantic when the plugin builds it (a
StrategyDirective ~35 k instructions, a plan ~16-24 k, a signal ~25 k), and a round-trip
trade builds ~10 of them. Most of that work converts and copies: a Decimal field
given a Decimal, a ``str`` given a ``str``, a ``datetime`` given a ``datetime`` come
out of pydantic-core unchanged. This builder checks those exact types and each
field's constraints itself (compiled), then builds the model as :func:`trusted` does
and runs the model's ``after`` validators on it. The result equals what the
constructor returns: the same ``__dict__`` (values, field order, defaults),
``model_fields_set``, JSON and hash.

**It is validation, not trust.** A value it does not recognise as already canonical
(a float or a string for a Decimal, a subclass, a ``dict`` for a nested model, an
unknown or missing field, a NaN, a bound broken, an id of another shape, a validator
that objects) sends the whole call to ``cls(**values)``: the constructor converts what
it converts and raises what it raises, with its own ``ValidationError``, from the
same place. A class with anything this module does not model (a field or ``before``
validator, an alias, a custom ``__init__``, other config, an unknown constraint) always
takes the constructor. tests/runtime/test_quick_dtos.py compares both on hypothesis
inputs, valid and not.

What it buys: see docs/performance.md, "Session 17, flowcut"; how a plugin uses it:
docs/writing-plugins.md, "Building a DTO cheaply". The contract check at publish time
(:mod:`stc.runtime.contracts`) is unchanged: it runs on every published result
whichever way it was built.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from stc.runtime.dtos.ids import ID_PREFIXES
from stc.runtime.dtos.trusted import trusted

M = TypeVar("M", bound=BaseModel)

_ANY, _STR, _ID, _LITERAL, _DECIMAL, _INT, _DATETIME, _MODEL, _DICT, _TUPLE = range(10)

_ID_TAIL = r"_\d{8}_\d{6}_[0-9a-f]{5,}$"
"""The tail of the id fields' pattern (``stc.runtime.dtos.ids``); a pattern of another
shape is not recognised, and its class takes the constructor."""

_ASCII_ID: dict[str, re.Pattern[str]] = {
    f"^{prefix}{_ID_TAIL}": re.compile(f"{prefix}_[0-9]{{8}}_[0-9]{{6}}_[0-9a-f]{{5,}}", re.ASCII)
    for prefix in ID_PREFIXES
}
"""Per id pattern, an ASCII-only form: a string it matches in full also matches the
field's pattern (``[0-9]`` is within ``\\d``, and a full match ends at the string's
end); a string it does not match goes to the constructor, which decides."""

_CONFIG_KEYS = frozenset({"frozen", "extra", "allow_inf_nan", "defer_build"})
"""The model config keys this builder models (FrozenDTO's); any other key: the
constructor."""


class _Rule:
    """What a value must be for pydantic to keep it unchanged in one field."""

    def __init__(self, kind: int, optional: bool = False) -> None:
        self.kind = kind
        self.optional = optional
        self.min_length = 0
        self.choices: frozenset[str] = frozenset()
        self.low: Decimal | int | None = None
        self.low_closed = False
        self.high: Decimal | int | None = None
        self.high_closed = False
        self.model: type | None = None
        self.item: _Rule | None = None
        self.pattern: re.Pattern[str] | None = None


class _Plan:
    """One class's rules by field, its required fields, its ``after`` validators."""

    def __init__(
        self,
        rules: dict[str, _Rule],
        required: tuple[str, ...],
        copied: tuple[str, ...],
        after: tuple[Callable[[Any], Any], ...],
    ) -> None:
        self.rules = rules
        self.required = required
        self.copied = copied
        """Fields whose value the constructor copies (a ``dict``): copied here too."""
        self.after = after


_PLANS: dict[type, _Plan | None] = {}
"""Per class, its plan, or None: the class always takes the constructor."""


def validated(cls: type[M], /, **values: Any) -> M:
    """``cls(**values)``: the same DTO (equal, same field order and fields set), without
    pydantic's conversions when every value already has its field's exact type and
    meets its constraints; anything else is exactly ``cls(**values)`` (the module
    docstring says when)."""
    if cls in _PLANS:
        plan = _PLANS[cls]
    else:
        plan = _PLANS[cls] = _plan(cls)
    if plan is None:
        return cls(**values)
    rules = plan.rules
    for name, value in values.items():
        rule = rules.get(name)
        if rule is None or not _fits(rule, value):
            return cls(**values)
    for name in plan.required:
        if name not in values:
            return cls(**values)
    for name in plan.copied:
        if name in values:
            values[name] = dict(values[name])
    model = trusted(cls, **values)
    for check in plan.after:
        try:
            if check(model) is not model:
                return cls(**values)
        except Exception:  # the constructor raises it, as its ValidationError or as is
            return cls(**values)
    return model


def _fits(rule: _Rule, value: Any) -> bool:
    """True when pydantic would keep ``value`` unchanged (a ``dict`` copied) in a
    field of ``rule``; False when it would convert or refuse it, or might."""
    if value is None:
        return rule.optional
    kind = rule.kind
    if kind == _STR:
        return type(value) is str and len(value) >= rule.min_length
    if kind == _ID:
        pattern = rule.pattern
        assert pattern is not None
        return type(value) is str and pattern.fullmatch(value) is not None
    if kind == _LITERAL:
        return type(value) is str and value in rule.choices
    if kind == _DECIMAL:
        return type(value) is Decimal and value.is_finite() and _inside(rule, value)
    if kind == _DATETIME:
        return type(value) is datetime
    if kind == _MODEL:
        return type(value) is rule.model
    if kind == _INT:
        return type(value) is int and _inside(rule, value)
    if kind == _DICT:
        if type(value) is not dict:
            return False
        return all(type(key) is str for key in value)
    if kind == _TUPLE:
        item = rule.item
        assert item is not None
        if type(value) is not tuple:
            return False
        return all(_fits(item, one) for one in value)
    return kind == _ANY


def _inside(rule: _Rule, value: Any) -> bool:
    """``value`` within the rule's bounds (a number that compares)."""
    low, high = rule.low, rule.high
    if low is not None and not (value >= low if rule.low_closed else value > low):
        return False
    return high is None or bool(value <= high if rule.high_closed else value < high)


# ---------------------------------------------------------------------- plans
def _plan(cls: type[BaseModel]) -> _Plan | None:
    """``cls``'s plan, or None when it has anything this module does not model."""
    if not isinstance(cls, type) or not issubclass(cls, BaseModel):
        return None
    config = cls.model_config
    if (
        not set(config) <= _CONFIG_KEYS
        or config.get("extra") != "forbid"
        or config.get("allow_inf_nan") is not False
        or cls.__init__ is not BaseModel.__init__
        or cls.__pydantic_post_init__
        or cls.__private_attributes__
    ):
        return None
    decorators = cls.__pydantic_decorators__
    if decorators.validators or decorators.field_validators or decorators.root_validators:
        return None
    after: list[Callable[[Any], Any]] = []
    for decorator in decorators.model_validators.values():
        if decorator.info.mode != "after" or not _one_argument(decorator.func):
            return None
        after.append(decorator.func)
    rules: dict[str, _Rule] = {}
    required: list[str] = []
    copied: list[str] = []
    for name, info in cls.model_fields.items():
        rule = _field_rule(info)
        if rule is None:
            return None
        rules[name] = rule
        if info.is_required():
            required.append(name)
        if rule.kind == _DICT:
            copied.append(name)
    try:
        trusted(cls, **dict.fromkeys(cls.model_fields))  # its template builds
    except TypeError:
        return None
    return _Plan(rules, tuple(required), tuple(copied), tuple(after))


def _one_argument(func: Any) -> bool:
    """An ``after`` validator called as ``func(model)`` (no ``info`` argument)."""
    code = getattr(func, "__code__", None)
    return code is not None and code.co_argcount == 1 and not code.co_kwonlyargcount


def _field_rule(info: FieldInfo) -> _Rule | None:
    """The rule of one field, or None (not modelled)."""
    if (
        info.alias is not None
        or info.validation_alias is not None
        or info.discriminator is not None
        or info.validate_default
    ):
        return None
    return _type_rule(info.annotation, list(info.metadata))


def _type_rule(annotation: Any, metadata: list[Any]) -> _Rule | None:
    """The rule of a value of ``annotation`` with the constraints ``metadata``."""
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):  # X | None
        options = [a for a in get_args(annotation) if a is not type(None)]
        if len(options) != 1 or len(get_args(annotation)) != 2:
            return None
        optional, annotation = True, options[0]
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        for item in extra:
            if isinstance(item, FieldInfo):
                if item.alias is not None or item.default is not PydanticUndefined:
                    return None
                metadata.extend(item.metadata)
            else:
                metadata.append(item)
    rule = _base_rule(annotation, metadata)
    if rule is not None:
        rule.optional = optional
    return rule


def _base_rule(annotation: Any, metadata: list[Any]) -> _Rule | None:
    origin = get_origin(annotation)
    if annotation is Any:
        return None if metadata else _Rule(_ANY)
    if annotation is str:
        return _str_rule(metadata)
    if origin is Literal:
        choices = get_args(annotation)
        if metadata or not all(type(choice) is str for choice in choices):
            return None
        rule = _Rule(_LITERAL)
        rule.choices = frozenset(choices)
        return rule
    if annotation is Decimal or annotation is int:
        return _number_rule(_DECIMAL if annotation is Decimal else _INT, metadata)
    if annotation is datetime:
        return None if metadata else _Rule(_DATETIME)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if metadata or annotation.model_config.get("revalidate_instances", "never") != "never":
            return None
        rule = _Rule(_MODEL)
        rule.model = annotation
        return rule
    if origin is dict and get_args(annotation) == (str, Any) and not metadata:
        return _Rule(_DICT)
    if origin is tuple and not metadata:
        args = get_args(annotation)
        if len(args) != 2 or args[1] is not Ellipsis:
            return None
        item = _type_rule(args[0], [])
        if item is None or item.optional:
            return None
        rule = _Rule(_TUPLE)
        rule.item = item
        return rule
    return None


def _str_rule(metadata: list[Any]) -> _Rule | None:
    rule = _Rule(_STR)
    for item in metadata:
        if isinstance(item, MinLen):
            rule.min_length = max(rule.min_length, int(item.min_length))
        elif isinstance(item, StringConstraints) and _only_pattern(item):
            pattern = _ASCII_ID.get(str(item.pattern))
            if pattern is None or rule.kind == _ID:
                return None
            rule.kind, rule.pattern = _ID, pattern
        else:
            return None
    if rule.kind == _ID and rule.min_length:
        return None
    return rule


def _only_pattern(item: StringConstraints) -> bool:
    """A StringConstraints that sets a pattern and nothing else."""
    return item.pattern is not None and all(
        getattr(item, name) is None
        for name in ("strip_whitespace", "to_upper", "to_lower", "strict", "min_length",
                     "max_length", "ascii_only")
    )  # fmt: skip


def _number_rule(kind: int, metadata: list[Any]) -> _Rule | None:
    rule = _Rule(kind)
    for bound in metadata:
        if isinstance(bound, Gt | Ge):
            low: Any = bound.gt if isinstance(bound, Gt) else bound.ge
            if rule.low is not None or type(low) not in (Decimal, int):
                return None
            rule.low, rule.low_closed = low, isinstance(bound, Ge)
        elif isinstance(bound, Lt | Le):
            high: Any = bound.lt if isinstance(bound, Lt) else bound.le
            if rule.high is not None or type(high) not in (Decimal, int):
                return None
            rule.high, rule.high_closed = high, isinstance(bound, Le)
        else:
            return None
    return rule
