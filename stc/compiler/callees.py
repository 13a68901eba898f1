"""The functions a function calls within its own module, followed transitively.

Why: two questions about a check are answered by reading its code, not by a second
table kept beside it — which rule codes it reports (``stc.compiler.checks.codes_of``)
and whether it reads the worker classes (the cached verdict's coverage test). Both
follow a check into the helpers of its family module; this walker is that one walk,
and each question is a visit of the functions it yields.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from types import CodeType, FunctionType


def module_callees(function: Callable[..., object]) -> Iterator[FunctionType]:
    """``function`` and every function of its module it names (calls or passes on),
    transitively, each once: found through the global names its code reads."""
    seen: set[int] = set()
    todo: list[Callable[..., object]] = [function]
    while todo:
        current = todo.pop()
        if id(current) in seen or not isinstance(current, FunctionType):
            continue
        seen.add(id(current))
        yield current
        namespace = current.__globals__
        for name in sorted(global_names(current.__code__)):
            value = namespace.get(name)
            if inspect.isfunction(value) and value.__module__ == current.__module__:
                todo.append(value)


def global_names(code: CodeType) -> set[str]:
    """The global and attribute names a code object (and the code objects nested in it:
    comprehensions, lambdas, inner functions) reads."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= global_names(const)
    return names
