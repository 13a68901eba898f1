"""The cyclic garbage collector paused while a compile builds its objects.

Why: CPython 3.11 runs a collection every ~700 net container allocations, and every
tenth of those walks the older objects too. A compile allocates hundreds of thousands
of containers (marks, models, graph attributes) that all stay alive until it is done,
so the collector walks an ever larger heap and finds nothing: a 5,000-worker blueprint
compiled in 782 ms with the collector and 386 ms without it, at the same peak RSS
(docs/performance.md). Reference counting still frees everything outside a cycle; the
few cyclic objects a compile leaves behind are collected after it, as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state restored after it
    (nested blocks, or a caller who disabled it, are left as they are)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
