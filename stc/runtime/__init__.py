"""The runtime: the SDK plugins are written against, and the executor of compiled plans.

Importing it first checks the compiled hot path (see :mod:`stc.runtime._native`): a build
that no longer matches its sources is bypassed, never run.
"""

from stc.runtime import _native

_native.guard()


def native_status() -> str:
    """``compiled`` or ``pure Python (why)``: which implementation of the hot path runs."""
    return _native.status()
