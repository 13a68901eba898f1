"""Bounded evaluation of plugin ``config_schema``s: linear-time regexes and a step budget.

Why: a manifest's ``config_schema`` is code from whoever wrote the plugin, evaluated
by jsonschema against every worker's ``params``. Python's ``re`` backtracks, so
``pattern: '^(a+)+$'`` against 28 characters ran for minutes; ``uniqueItems`` compared
all pairs; ``anyOf`` over nested ``unevaluatedProperties`` multiplies. Here:

- every regex of a schema (``pattern``, the keys of ``patternProperties``) runs on
  RE2 (``google-re2``), whose matching time is linear in the text; a pattern RE2
  cannot compile (backreferences, lookaround, a repetition over 1,000, a program over
  its memory budget) is refused when the manifest is checked (``pattern_problems``),
  so no pattern ever reaches Python's ``re``. ``unevaluatedProperties`` in a schema
  that also has ``patternProperties`` is refused too: jsonschema's implementation of
  the former matches the latter's patterns with ``re`` internally;
- ``uniqueItems`` hashes a canonical form of each item (linear, with jsonschema's
  equality: ``1 == 1.0``, ``true != 1``);
- every keyword evaluation spends one step (plus the number of items or options it
  walks) of a per-document budget, ``MAX_STEPS``; past it ``SchemaBudgetExceeded``
  stops the evaluation deterministically (a count, not a clock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

MAX_STEPS = 200_000
"""Keyword evaluations (weighted by the items they walk) allowed per params document:
the 29 packaged plugins need at most a few hundred; 200,000 is about a second."""

RE2_MAX_MEM = 8 << 20
"""Memory RE2 may use for one compiled pattern (its default; a bigger program is refused)."""


class SchemaBudgetExceeded(Exception):
    """Evaluating one document took more than ``MAX_STEPS`` steps."""


class _Budget:
    """The steps left for the document being evaluated (the compiler is one thread)."""

    left = MAX_STEPS

    @classmethod
    def spend(cls, steps: int) -> None:
        cls.left -= steps
        if cls.left < 0:
            raise SchemaBudgetExceeded(f"more than {MAX_STEPS:,} evaluation steps")


def reset_budget() -> None:
    """A fresh budget for the next document."""
    _Budget.left = MAX_STEPS


# --------------------------------------------------------------------------- regexes


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> Any:
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.max_mem = RE2_MAX_MEM
    options.log_errors = False  # RE2 would print to stderr through absl
    return re2.compile(pattern, options)


def regex_problem(pattern: str) -> str | None:
    """Why RE2 cannot run ``pattern`` (None when it can)."""
    try:
        _compiled(pattern)
    except ImportError:  # pragma: no cover - google-re2 is a dependency
        return "google-re2 is not installed, and stc runs no pattern on a backtracking engine"
    except Exception as exc:  # re2.error, and TypeError/ValueError for odd text
        reason = exc.args[0] if exc.args else type(exc).__name__
        if isinstance(reason, bytes):  # re2.error carries RE2's own message as bytes
            reason = reason.decode("utf-8", "replace")
        return f"RE2 cannot run it ({reason})"
    return None


def search(pattern: str, text: str) -> bool:
    """``re.search`` on RE2 (the pattern was accepted by ``regex_problem`` at load)."""
    compiled = _compiled(pattern)
    try:
        return compiled.search(text) is not None
    except UnicodeEncodeError:  # a lone surrogate (`"\ud800"` in YAML): RE2 reads UTF-8
        return compiled.search(text.encode("utf-8", "replace").decode("utf-8")) is not None


def pattern_problems(schema: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """(location inside the schema, reason) of every regex RE2 cannot run, and of an
    ``unevaluatedProperties`` beside ``patternProperties`` (see the module docstring)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    has_patterns = any("patternProperties" in node for node, _ in _nodes(schema, ()))
    for node, path in _nodes(schema, ()):
        value = node.get("pattern")
        if isinstance(value, str) and (why := regex_problem(value)) is not None:
            found.append(((*path, "pattern"), f"pattern `{_cut(value)}`: {why}"))
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict):
            for key in patterns:
                if isinstance(key, str) and (why := regex_problem(key)) is not None:
                    found.append(
                        ((*path, "patternProperties", key), f"pattern `{_cut(key)}`: {why}")
                    )
        if has_patterns and "unevaluatedProperties" in node:
            reason = (
                "`unevaluatedProperties` together with `patternProperties` is not "
                "supported (its patterns would run on a backtracking engine)"
            )
            found.append(((*path, "unevaluatedProperties"), reason))
    return found


def _nodes(
    node: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[dict[str, Any], tuple[str | int, ...]]]:
    """Every mapping below ``node`` (itself included) with its location."""
    if isinstance(node, dict):
        yield node, path
        for key, value in node.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, (*path, index))


def _cut(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


# --------------------------------------------------------------------------- keywords


def canonical(value: Any) -> Any:
    """A hashable stand-in equal exactly when jsonschema's ``equal`` says so."""
    if value is True or value is False:
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list | tuple):
        return ("array", tuple(canonical(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((key, canonical(item)) for key, item in value.items()))
    if value is None:
        return ("null",)
    return ("other", id(value))


def all_unique(items: list[Any]) -> bool:
    """No two items equal (linear: one hash per item, not all pairs)."""
    seen: set[Any] = set()
    for item in items:
        key = canonical(item)
        if key in seen:
            return False
        seen.add(key)
    return True


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            _Budget.spend(1)
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def extra_keys(instance: dict[str, Any], schema: Any) -> list[str]:
    """Keys neither in ``properties`` nor matched by a ``patternProperties`` pattern."""
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return [
        key
        for key in instance
        if key not in properties and not any(search(p, key) for p in patterns)
    ]


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = extra_keys(instance, schema)
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            shown = ", ".join(map(repr, sorted(extras)))
            patterns = ", ".join(map(repr, sorted(schema["patternProperties"])))
            yield ValidationError(f"{shown} {verb} not match any of the regexes: {patterns}")
        else:
            was = "was" if len(extras) == 1 else "were"
            shown = ", ".join(map(repr, extras))
            yield ValidationError(
                f"Additional properties are not allowed ({shown} {was} unexpected)"
            )


def _unique_items(validator: Any, on: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if on and validator.is_type(instance, "array") and not all_unique(instance):
        yield ValidationError(f"{instance!r} has non-unique elements")


_OWN: dict[str, Callable[..., Any]] = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "uniqueItems": _unique_items,
}


def _counted(keyword: Callable[..., Any]) -> Callable[..., Any]:
    """``keyword`` spending a step, plus one per item or option it walks."""

    def run(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        walked = len(value) if isinstance(value, list) else 0  # enum, anyOf, prefixItems...
        if isinstance(instance, list | dict):
            walked += len(instance)
        _Budget.spend(1 + walked)
        return keyword(validator, value, instance, schema)

    return run


@lru_cache(maxsize=1)
def validator_class() -> Any:
    """Draft 2020-12 with RE2 regexes, linear ``uniqueItems`` and every keyword counted."""
    from jsonschema import Draft202012Validator, validators

    keywords = {**Draft202012Validator.VALIDATORS, **_OWN}
    counted = {name: _counted(function) for name, function in keywords.items()}
    return validators.extend(Draft202012Validator, validators=counted)  # type: ignore[no-untyped-call]
