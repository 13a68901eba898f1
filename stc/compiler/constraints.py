"""Cross-field parameter rules of a manifest (``constraints:``), checked at compile time.

JSON Schema bounds each parameter alone; ``fast < slow`` relates two. A manifest
declares such rules as small expressions with the message its author wants users to
read::

    constraints:
      - rule: fast < slow
        message: the fast EMA must be shorter than the slow one

An expression is parsed with Python's ``ast`` and *interpreted* here, never passed to
``eval``: parameter names (bare, or ``params.NAME``), numbers, ``true``/``false``,
comparisons (chains too: ``0 < a <= b``), ``and``/``or``/``not``, ``+ - * /`` and
``len``/``min``/``max``/``abs``. Anything else is refused where the manifest is read.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"len": len, "min": min, "max": max, "abs": abs}
_NAMED = {"true": True, "false": False, "True": True, "False": False}


class RuleError(ValueError):
    """A rule that is not in the allowed form, or cannot be evaluated on these params."""


@lru_cache(maxsize=512)
def parse_rule(rule: str) -> ast.expr:
    """The checked syntax tree of ``rule``; RuleError names what is not allowed."""
    try:
        tree = ast.parse(rule.strip(), mode="eval").body
    except SyntaxError as exc:
        raise RuleError(f"`{rule}` is not a valid expression ({exc.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise RuleError(f"`{ast.unparse(node)}` is not allowed in a rule")
        if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords
        ):
            raise RuleError(f"`{ast.unparse(node)}`: only len, min, max and abs may be called")
        if isinstance(node, ast.Attribute) and not (
            isinstance(node.value, ast.Name) and node.value.id == "params"
        ):
            raise RuleError(f"`{ast.unparse(node)}`: write a parameter as `NAME` or `params.NAME`")
    return tree


_ALLOWED = (
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Name, ast.Attribute, ast.Constant,
    ast.Call, ast.Load, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.cmpop, ast.operator,
)  # fmt: skip


def names_in(rule: str) -> list[str]:
    """The parameters a rule reads, in order of first use."""
    found: list[str] = []
    for node in ast.walk(parse_rule(rule)):
        name = _param_name(node)
        if name is not None and name not in found:
            found.append(name)
    return found


def _param_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    plain = isinstance(node, ast.Name) and node.id not in (*_FUNCTIONS, *_NAMED, "params")
    return node.id if plain and isinstance(node, ast.Name) else None


def holds(rule: str, params: Mapping[str, Any]) -> bool:
    """Whether ``rule`` is true for ``params`` (defaults applied); RuleError when it
    reads a parameter that has no value or mixes types that do not compare."""
    try:
        return bool(_eval(parse_rule(rule), params))
    except (TypeError, ZeroDivisionError) as exc:
        raise RuleError(f"`{rule}` cannot be evaluated: {exc}") from None


def _eval(node: ast.expr, params: Mapping[str, Any]) -> Any:
    name = _param_name(node)
    if name is not None:
        if name not in params:
            raise RuleError(f"`{name}` has no value (not given and no default)")
        return params[name]
    if isinstance(node, ast.Name):
        return _NAMED[node.id]
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float):
            raise RuleError(f"`{node.value!r}`: only numbers are allowed as constants")
        return node.value
    if isinstance(node, ast.Compare):
        left = _eval(node.left, params)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, params)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, params) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, params)
        return (
            not value
            if isinstance(node.op, ast.Not)
            else (-value if isinstance(node.op, ast.USub) else value)
        )
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        return _ARITHMETIC[type(node.op)](_eval(node.left, params), _eval(node.right, params))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _FUNCTIONS[node.func.id](*(_eval(a, params) for a in node.args))
    raise RuleError(f"`{ast.unparse(node)}` is not allowed in a rule")
