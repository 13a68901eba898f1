"""Which worker a fault is blamed on: the id travels with the call that raised.

Every place the engine calls a plugin (a route, a context or signal worker, a planner,
the execution handler) wraps the call *and the handling of its result* in a
``try``/``except`` that tags the escaping exception with that caller's worker id and
re-raises it untouched (same object, same traceback). Calls nest (a worker's result is
published to the next worker inside the first one's handling), so the innermost tag
wins: :func:`blame` never overwrites one. The flow's fault handler reads the tag with
:func:`blamed_worker` and clears it (an exception object a plugin raises again on a
later tick starts untagged). A :class:`PluginContractError` names its worker itself.

This replaces an engine field set before each of eleven call sites: the answer no
longer depends on which call ran last, and a call site cannot forget to set it.
"""

from __future__ import annotations

import contextlib

from stc.runtime.errors import PluginContractError

_TAG = "_stc_worker"
PLATFORM = "platform"
"""The blame of an exception no worker's call raised (the platform's own code)."""


def blame(exc: BaseException, worker: str) -> None:
    """Tag ``exc`` with ``worker`` unless a call nested deeper tagged it already."""
    if getattr(exc, _TAG, None) is None:
        with contextlib.suppress(AttributeError, TypeError):  # a type without a __dict__
            setattr(exc, _TAG, worker)


def blamed_worker(exc: BaseException, default: str = PLATFORM) -> str:
    """The worker ``exc`` is blamed on (its contract error's, else its tag, else
    ``default``); the tag is cleared."""
    if isinstance(exc, PluginContractError):
        return exc.worker
    tag = getattr(exc, _TAG, None)
    if tag is None:
        return default
    with contextlib.suppress(AttributeError, TypeError):
        delattr(exc, _TAG)
    return str(tag)
