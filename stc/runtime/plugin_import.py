"""Import a plugin module from a file inside a plugin root, once per process.

Both the compiler (to type-check a plugin) and the runtime (to run it) import plugins
from extra roots by file path. They share this function so a module is executed once
and both see the same classes. The module name is derived from the resolved path,
so two plugins with a ``worker.py`` each never collide.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def import_plugin_file(file: Path) -> ModuleType:
    """The module at ``file`` (imported now, or earlier in this process).

    Raises ``ImportError`` when the file cannot be loaded and lets the module's own
    exception propagate when executing it fails (callers turn both into diagnostics).
    """
    resolved = file.resolve()
    name = f"_stc_plugin_{resolved.stem}_{hashlib.sha256(str(resolved).encode()).hexdigest()[:12]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load `{file.name}`")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pydantic look their module up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
