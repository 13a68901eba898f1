"""A tiny JSON Schema (2020-12) checker for the keywords plugin ``config_schema``s use.

Why: importing jsonschema alone takes ~2/3 of the 300 ms that ``stc check`` may take
(issue 3), yet almost every ``config_schema`` is a flat object of numbers with bounds
and defaults, and almost every ``params`` mapping is valid. So the happy path asks
this module first, and jsonschema is imported only to *explain* a rejection (its
errors are what the diagnostics are built from) or to judge a schema outside the
verified subset.

Soundness is one-sided by design: ``schema_is_valid`` and ``instance_is_valid``
answer True only when jsonschema's ``Draft202012Validator`` would accept too; any
other answer (False, or None for "not in the subset") sends the caller to jsonschema,
which has the last word. ``tests/compiler/test_fastschema.py`` checks that property
with random schemas and instances against jsonschema itself.

The subset: ``type``, ``enum``, ``const``, ``properties``, ``additionalProperties``,
``required``, ``items``, ``minItems``, ``maxItems``, ``uniqueItems``, ``minimum``,
``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``minLength``, ``maxLength``
and the annotations ``title``, ``description``, ``default``, ``examples``,
``$comment``. Anything else (``$ref``, ``pattern``, ``anyOf``, ``format``, unknown
keywords …) makes the schema "not in the subset".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

SIMPLE_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
_SCHEMA_KEYWORDS = ("properties", "additionalProperties", "items")
_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_COUNT_KEYWORDS = ("minItems", "maxItems", "minLength", "maxLength")
_TEXT_KEYWORDS = ("title", "description", "$comment")


def _is_number(value: Any) -> bool:
    """JSON Schema's ``number``: an int or float, never a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    """A non-negative ``int`` (the metaschema's nonNegativeInteger, minus ``1.0``)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_text(value: Any) -> bool:
    """A string (titles, descriptions, comments)."""
    return isinstance(value, str)


def _is_type_keyword(value: Any) -> bool:
    """A simple type name, or a non-empty list of distinct ones."""
    if isinstance(value, str):
        return value in SIMPLE_TYPES
    if not isinstance(value, list) or not value:
        return False
    names = [name for name in value if isinstance(name, str) and name in SIMPLE_TYPES]
    return len(names) == len(value) == len(set(names))


def _is_required_keyword(value: Any) -> bool:
    """A list of distinct strings."""
    if not isinstance(value, list):
        return False
    return all(isinstance(name, str) for name in value) and len(set(value)) == len(value)


_KEYWORD_CHECKS: dict[str, Callable[[Any], bool]] = {
    "type": _is_type_keyword,
    "enum": lambda value: isinstance(value, list),
    "const": lambda value: True,
    "required": _is_required_keyword,
    "uniqueItems": lambda value: isinstance(value, bool),
    "default": lambda value: True,
    "examples": lambda value: isinstance(value, list),
    **dict.fromkeys(_NUMBER_KEYWORDS, _is_number),
    **dict.fromkeys(_COUNT_KEYWORDS, _is_count),
    **dict.fromkeys(_TEXT_KEYWORDS, _is_text),
}
"""Every keyword of the subset but the sub-schema ones, with the shape its value must
have for the 2020-12 metaschema to accept it."""


def schema_is_valid(schema: Any) -> bool:
    """True when ``schema`` uses only the subset and each keyword's value has the form
    the 2020-12 metaschema requires (so ``check_schema`` would pass); False means
    "not known", not "invalid"."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword == "properties":
            if not isinstance(value, dict) or not all(map(schema_is_valid, value.values())):
                return False
        elif keyword in _SCHEMA_KEYWORDS:
            if not schema_is_valid(value):
                return False
        else:
            check = _KEYWORD_CHECKS.get(keyword)
            if check is None or not check(value):
                return False
    return True


def instance_is_valid(schema: Any, instance: Any) -> bool | None:
    """jsonschema's verdict on ``instance`` for a subset schema; None when ``schema``
    is outside the subset (the caller must ask jsonschema)."""
    if not schema_is_valid(schema):
        return None
    return _valid(schema, instance)


def valid_in_subset(schema: Any, instance: Any) -> bool:
    """``instance_is_valid`` for a schema that ``schema_is_valid`` already accepted
    (callers that validate many instances against one schema check it once)."""
    return _valid(schema, instance)


def _valid(schema: Any, instance: Any) -> bool:
    """Validate against a schema already known to be in the subset."""
    if isinstance(schema, bool):
        return schema
    for keyword, value in schema.items():
        check = _INSTANCE_CHECKS.get(keyword)
        if check is not None and not check(value, instance, schema):
            return False
    return True


def _type_of(name: str, instance: Any) -> bool:
    """jsonschema's draft 6+ type checker (``1.0`` is an integer; bools are no numbers)."""
    if name == "integer":
        if isinstance(instance, float):
            return instance.is_integer()
        return isinstance(instance, int) and not isinstance(instance, bool)
    return _TYPE_TESTS[name](instance)


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def equal(one: Any, two: Any) -> bool:
    """jsonschema's ``equal``: like ``==``, but ``True`` is not ``1``, at every depth."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    """Stand-ins that make ``True``/``False`` differ from ``1``/``0``."""
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value


def _unique(items: list[Any]) -> bool:
    """No two items are ``equal``: one hash of a canonical form per item (all pairs
    took 6 s over 3,000 items)."""
    from stc.compiler.schema_guard import all_unique

    return all_unique(items)


def _type(types: Any, instance: Any, _: Any) -> bool:
    names = [types] if isinstance(types, str) else types
    return any(_type_of(name, instance) for name in names)


def _properties(properties: dict[str, Any], instance: Any, _: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(_valid(sub, instance[key]) for key, sub in properties.items() if key in instance)


def _additional(extra: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    known = schema.get("properties", {})
    return all(_valid(extra, value) for key, value in instance.items() if key not in known)


def _required(names: list[str], instance: Any, _: Any) -> bool:
    return not isinstance(instance, dict) or all(name in instance for name in names)


def _items(sub: Any, instance: Any, _: Any) -> bool:
    return not isinstance(instance, list) or all(_valid(sub, item) for item in instance)


def _bounded(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any, Any], bool]:
    """A numeric bound: ignored for non-numbers, as in jsonschema."""
    return lambda bound, instance, _: not _is_number(instance) or test(instance, bound)


def _sized(
    kind: type[list[Any]] | type[str], test: Callable[[int, Any], bool]
) -> Callable[[Any, Any, Any], bool]:
    """A length bound on lists or strings: ignored for other values."""
    return lambda bound, instance, _: not isinstance(instance, kind) or test(len(instance), bound)


_INSTANCE_CHECKS: dict[str, Callable[[Any, Any, Any], bool]] = {
    "type": _type,
    "enum": lambda options, instance, _: any(equal(option, instance) for option in options),
    "const": lambda value, instance, _: equal(instance, value),
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "uniqueItems": lambda on, instance, _: (
        not (on and isinstance(instance, list)) or _unique(instance)
    ),
    "minimum": _bounded(lambda value, bound: not value < bound),
    "maximum": _bounded(lambda value, bound: not value > bound),
    "exclusiveMinimum": _bounded(lambda value, bound: not value <= bound),
    "exclusiveMaximum": _bounded(lambda value, bound: not value >= bound),
    "minItems": _sized(list, lambda size, bound: not size < bound),
    "maxItems": _sized(list, lambda size, bound: not size > bound),
    "minLength": _sized(str, lambda size, bound: not size < bound),
    "maxLength": _sized(str, lambda size, bound: not size > bound),
}
"""How each keyword judges an instance (annotations are absent: they never fail)."""
