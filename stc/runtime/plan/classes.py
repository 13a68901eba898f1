"""Import a plan's worker classes.

Worker classes are imported from the ``source`` the compiler recorded: ``builtin`` and
``entry_point`` sources by dotted module name — only modules of the packaged
``plugins`` and of the packages ``stc.plugins`` entry points register — ``root``
sources by file path, and only from inside the plugin roots the caller passes in
(SPEC §8: a plan cannot make the runtime import a module outside the plugin roots and
entry points).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stc.runtime.plan.errors import PlanError
from stc.runtime.plan.model import WorkerSpec
from stc.runtime.plugin_import import import_plugin_file
from stc.runtime.workers import BASE_CLASSES, Worker

_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_CLASS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def load_worker_class(spec: WorkerSpec, plugin_roots: Sequence[Path] = ()) -> type[Worker]:
    """Import the worker class of ``spec`` and check it extends its type's base class."""
    src = spec.source
    if not _MODULE_RE.match(src.module) or not _CLASS_RE.match(src.class_name):
        raise PlanError(f"worker {spec.id!r}: bad module/class {src.module}:{src.class_name}")
    if src.origin == "root":
        module = _import_from_roots(spec, plugin_roots)
    else:
        _refuse_foreign_module(spec)
        try:
            module = importlib.import_module(src.module)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # ImportError, or the module's own failure
            raise PlanError(f"worker {spec.id!r}: cannot import {src.module}: {exc}") from exc
    cls = getattr(module, src.class_name, None)
    base = BASE_CLASSES[spec.type]
    if not isinstance(cls, type) or not issubclass(cls, base):
        raise PlanError(
            f"worker {spec.id!r}: {src.module}:{src.class_name} is not a {base.__name__} subclass"
        )
    return cls


def _refuse_foreign_module(spec: WorkerSpec) -> None:
    """PlanError unless a ``builtin`` source names a module of the packaged ``plugins``
    and an ``entry_point`` source a module of a package an ``stc.plugins`` entry point
    registers: a plan is data, and ``{origin: builtin, module: this}`` must not make the
    runtime import an arbitrary module (issue 26)."""
    module, origin = spec.source.module, spec.source.origin
    if origin == "builtin":
        packages: tuple[str, ...] = ("stc.plugins",)
    else:
        from importlib.metadata import entry_points

        packages = tuple(e.value.split(":", 1)[0] for e in entry_points(group="stc.plugins"))
    if not any(module == p or module.startswith(p + ".") for p in packages):
        where = "the packaged plugins" if origin == "builtin" else "an stc.plugins entry point"
        raise PlanError(f"worker {spec.id!r}: module {module!r} is not a module of {where}")


def _import_from_roots(spec: WorkerSpec, plugin_roots: Sequence[Path]) -> Any:
    src = spec.source
    for root in plugin_roots:
        root_dir = Path(root).resolve()
        folder = (root_dir / src.folder).resolve()
        file = (folder / (src.module.replace(".", "/") + ".py")).resolve()
        if not folder.is_relative_to(root_dir) or not file.is_relative_to(folder):
            raise PlanError(f"worker {spec.id!r}: plugin path escapes its root {root_dir}")
        if file.is_file():
            return _import_file(file)
    raise PlanError(
        f"worker {spec.id!r}: {src.folder}/{src.module}.py not found in plugin roots "
        f"{[str(r) for r in plugin_roots]}"
    )


def _import_file(file: Path) -> Any:
    try:
        return import_plugin_file(file)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # sys.exit at a plugin's top level too: not stc's exit
        raise PlanError(f"importing {file} failed: {type(exc).__name__}: {exc}") from exc
