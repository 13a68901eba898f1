"""A lazy stand-in for pydantic's plugin loader, for the compiler-only commands.

The first time a process builds a pydantic validator, pydantic imports
``pydantic.plugin._loader``, whose first line imports ``importlib.metadata`` — with
``email``, ``zipfile`` and ``csv`` that is ~81 M instructions (~25 ms), a quarter of
what ``stc check`` may spend above the interpreter and pydantic themselves — only to
look up plugins that ``stc check`` switches off (``PYDANTIC_DISABLE_PLUGINS``, see
``stc.commands.cli``). The stand-in answers ``get_plugins()`` with no plugins while they
are switched off, exactly as the real loader does; in any other case it imports the
real loader, puts it in its place and asks it. pydantic imports nothing else from
that module (``tests/compiler/test_cli.py`` checks its source, so an upgrade that
changes this fails a test instead of going unnoticed).
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Iterable
from typing import Any

LOADER = "pydantic.plugin._loader"
_OFF = ("__all__", "1", "true")
"""The values with which pydantic's own ``get_plugins`` returns no plugins."""


def install() -> None:
    """Put the stand-in in ``sys.modules`` unless the real loader is already there."""
    if LOADER in sys.modules:
        return
    stand_in = types.ModuleType(LOADER, __doc__)
    stand_in.get_plugins = _get_plugins  # type: ignore[attr-defined]
    sys.modules[LOADER] = stand_in


def _get_plugins() -> Iterable[Any]:
    """No plugins while they are switched off; else the real loader's answer."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") in _OFF:
        return ()
    module = sys.modules.get(LOADER)
    if module is not None and getattr(module, "get_plugins", None) is _get_plugins:
        del sys.modules[LOADER]
    real = importlib.import_module(LOADER)
    plugins: Iterable[Any] = real.get_plugins()
    return plugins
