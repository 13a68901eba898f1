"""Evaluate a manifest's ``warmup.bars`` expression against a worker's params.

Manifests may say ``bars: "max(params.periods)"`` or ``"params.period * 2 + 1"``.
This is a tiny, safe evaluator over Python's ``ast``: integers, ``params.NAME``,
``+ - * //``, and ``max``/``min``/``sum``/``len`` — nothing else can run.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

_FUNCTIONS: dict[str, Callable[..., Any]] = {"max": max, "min": min, "sum": sum, "len": len}
_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
}


class WarmupError(ValueError):
    """The expression is not allowed or does not evaluate to a non-negative integer."""


def evaluate_warmup(expression: int | str, params: Mapping[str, Any]) -> int:
    """The number of warm-up bars for ``params``; raises WarmupError with a reason."""
    if isinstance(expression, int):
        return expression
    value = _eval(_parse(expression).body, params)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise WarmupError(f"`{expression}` gives {value!r}; expected a whole number >= 0")
    return value


@lru_cache(maxsize=1024)
def _parse(expression: str) -> ast.Expression:
    """Parse once per distinct expression (a manifest's is shared by its instances)."""
    try:
        return ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise WarmupError(f"`{expression}` is not a valid expression ({exc.msg})") from None


def _eval(node: ast.expr, params: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id != "params":
            raise WarmupError(f"only `params.NAME` may be referenced, not `{node.value.id}`")
        if node.attr not in params:
            raise WarmupError(f"`params.{node.attr}` is not a parameter of this plugin")
        return params[node.attr]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _arithmetic(node, _eval(node.left, params), _eval(node.right, params))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        function = _FUNCTIONS.get(node.func.id)
        if function is None:
            raise WarmupError(f"function `{node.func.id}` is not allowed (use max, min, sum, len)")
        args = [_eval(arg, params) for arg in node.args]
        try:
            return function(*args)
        except (TypeError, ValueError) as exc:
            raise WarmupError(f"`{node.func.id}(...)` failed: {exc}") from None
    raise WarmupError(f"`{ast.unparse(node)}` is not allowed in a warm-up expression")


def _arithmetic(node: ast.BinOp, left: Any, right: Any) -> Any:
    """``+ - * //`` on numbers only: on a list param ``+`` raised a TypeError (a
    traceback instead of a diagnostic) and ``*`` could repeat it a billion times."""
    for value in (left, right):
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = type(value).__name__
            raise WarmupError(f"`{ast.unparse(node)}`: arithmetic needs numbers, not a {kind}")
    if isinstance(node.op, ast.FloorDiv) and right == 0:
        raise WarmupError(f"`{ast.unparse(node)}` divides by zero")
    return _BINOPS[type(node.op)](left, right)
