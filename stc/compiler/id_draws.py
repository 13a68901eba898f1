"""Whether a batchable context worker's per-bar handler can draw an id (issue 23).

Why it matters: the fast engine does not call a batched context worker's handler on
the bars it skips (nothing can happen on them), and its batch output carries no ids.
Ids come from one run-scoped counter every worker shares, so a handler that drew one
on a bar the fast engine skips would shift every later id of the run: the modes'
journals would differ. A context worker that draws ids is therefore not batchable.

How it is found: by reading the class's code, as :mod:`stc.compiler.callees` reads the
checks'. From the handler method, every method of the class (inherited ones included)
and every plain function the code names by a global name (``helper(self)``, also one
imported from another module) is followed; a code object that names ``new_id``
(``Worker.new_id``) or ``_ids`` (the bound id factory) draws. It over-approximates (any
attribute of that name counts), which costs a worker its batch form, never a wrong
result; what it cannot see (an id drawn through ``getattr`` with a computed name, or a
helper reached as ``module.helper``) the runtime refuses when it happens
(:mod:`stc.runtime.batch_ids`).
"""

from __future__ import annotations

import inspect
from types import FunctionType

from stc.compiler.callees import global_names

ID_NAMES = frozenset({"new_id", "_ids"})
"""Names through which a worker draws an id (``Worker.new_id`` reads ``self._ids``)."""


def id_draw_site(cls: type, method: str) -> str | None:
    """The qualified name of the first function (in a deterministic walk from
    ``cls.method``) whose code names an id-drawing attribute, or None."""
    start = inspect.getattr_static(cls, method, None)
    seen: set[int] = set()
    todo: list[object] = [start]
    while todo:
        current = todo.pop(0)
        if isinstance(current, (staticmethod, classmethod)):
            current = current.__func__
        elif isinstance(current, property):
            current = current.fget
        if not isinstance(current, FunctionType) or id(current) in seen:
            continue
        seen.add(id(current))
        names = global_names(current.__code__)
        if names & ID_NAMES:
            return current.__qualname__
        for name in sorted(names):
            found = inspect.getattr_static(cls, name, None)
            if found is None:
                value = current.__globals__.get(name)
                found = value if inspect.isfunction(value) else None
            todo.append(found)
    return None
