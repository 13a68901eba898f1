"""The things a blueprint names, and where each is defined.

A plugin name is defined twice — its manifest (the ``identification.name`` line) and
its worker class (the ``class`` line of the entrypoint module); a DTO by its class
(the runtime's, the reference plugins' shared ``stc.plugins.dtos``, or a plugin module's
own); a worker id by its ``id:`` (or, for a default id, its ``plugin:``) line.
Classes are found the way the compiler imports them (the registry's entrypoint
loader), never by importing a path the blueprint wrote.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from stc.compiler.lsp.analysis import normal
from stc.compiler.registry import PluginRecord
from stc.compiler.sources import Mark, locate
from stc.compiler.unit import CompileUnit

DTO_MODULES = ("stc.runtime.dtos", "stc.plugins.dtos")
"""Modules whose classes are the platform's and the reference plugins' shared DTOs."""


@dataclass(frozen=True)
class Place:
    """A span in a file (1-based, end exclusive, as compiler marks)."""

    path: str
    mark: Mark


def manifest_place(record: PluginRecord) -> Place:
    """The ``name:`` value in the plugin's manifest."""
    mark = locate(record.loaded.data, ("identification", "name"))
    return Place(normal(record.folder / "plugin_manifest.yaml"), mark or Mark(1, 1, 1, 1))


def class_place(record: PluginRecord) -> Place | None:
    """The ``class <Name>`` line of the plugin's entrypoint module (read, not imported:
    a plugin whose module fails to import still has a definition to go to)."""
    module = record.manifest.entrypoint.split(":", 1)[0].split(".")
    return _class_line(record.folder.joinpath(*module).with_suffix(".py"), record.class_name)


def _class_line(file: Path, name: str, after: int = 0) -> Place | None:
    """The first ``class <name>`` statement of ``file`` at or after line ``after``
    (1-based; a decorator's line is where ``inspect`` says a class starts)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"^([ \t]*)class[ \t]+({re.escape(name)})\b", re.MULTILINE)
    offset = sum(len(line) for line in text.splitlines(keepends=True)[: max(after - 1, 0)])
    found = pattern.search(text, offset)
    if found is None:
        return Place(normal(file), Mark(1, 1, 1, 1))
    line = text.count("\n", 0, found.start()) + 1
    column = found.start(2) - found.start() + 1
    return Place(normal(file), Mark(line, column, line, column + len(name)))


def _modules(unit: CompileUnit | None) -> list[ModuleType]:
    found = []
    for name in DTO_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ImportError:  # pragma: no cover - both ship with stc
            continue
    for worker in unit.workers if unit is not None else []:
        module = sys.modules.get(worker.cls.__module__) if worker.cls is not None else None
        if module is not None and module not in found:
            found.append(module)
    return found


def find_dto(name: str, unit: CompileUnit | None) -> type | None:
    """The DTO class called ``name``: shared DTOs first, then the unit's plugin modules."""
    for module in _modules(unit):
        candidate = getattr(module, name, None)
        if isinstance(candidate, type):
            return candidate
    return None


def dto_place(cls: type) -> Place | None:
    """Where a DTO class is written."""
    try:
        file = inspect.getsourcefile(cls)
        _, line = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return None
    return _class_line(Path(file), cls.__name__, line) if file is not None else None


def readable(annotation: Any) -> str:
    """A type as a quant reads it: ``float | None``, ``dict[int, float]``."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("NoneType", "None")


def dto_fields(cls: type) -> list[tuple[str, str]]:
    """(field, readable type) of a dataclass or pydantic DTO, in declaration order."""
    model_fields = getattr(cls, "model_fields", None)
    if isinstance(model_fields, dict):
        return [(name, readable(info.annotation)) for name, info in model_fields.items()]
    if dataclasses.is_dataclass(cls):
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # an unresolvable forward reference: show it as written
            hints = {}
        return [(f.name, readable(hints.get(f.name, f.type))) for f in dataclasses.fields(cls)]
    return [(name, readable(hint)) for name, hint in getattr(cls, "__annotations__", {}).items()]


def worker_place(unit: CompileUnit, worker_id: str) -> Place | None:
    """The declaration of a worker id: its ``id:`` value, or its ``plugin:`` value
    when the id is the plugin's default."""
    worker = unit.worker(worker_id)
    if worker is None or not worker.loc:
        return None
    field = "id" if worker.ref.id is not None else "plugin"
    mark = unit.mark((*worker.loc, field))
    return Place(normal(unit.blueprint_file), mark) if mark else None


@dataclass(frozen=True)
class Symbol:
    """What the cursor is on, as the features ask about it."""

    kind: typing.Literal["plugin", "param", "event", "dto", "worker", "file"]
    name: str
    mark: Mark
    """Where the name is written in the document."""
    plugin: str | None = None
    """For a param: the plugin whose ``config_schema`` defines it."""
    declaration: bool = False
    """For a worker: the cursor is on the ``id:`` that declares it."""


_DTO_LISTS = ("requires_dtos", "provides_dtos")


def symbol_at(data: Any, line: int, column: int) -> Symbol | None:
    """The symbol at 0-based (line, column) of a parsed blueprint, operation or
    manifest, or None."""
    from stc.compiler.lsp.cursor import node_at

    found = node_at(data, line, column)
    if found is None or not isinstance(found.value, str):
        return None
    path, value, mark = found.path, found.value, found.mark
    last = path[-1]
    if found.on_key:
        if len(path) >= 2 and path[-2] == "params":
            return Symbol("param", value, mark, plugin=_plugin_of(data, path[:-2]))
        return None
    if last == "plugin" and path[0] == "workforce":
        return Symbol("plugin", value, mark)
    if last == "trigger" or (last == "event" and path[0] in ("wiring", "dependencies")):
        return Symbol("event", value, mark)
    if last == "payload" or (len(path) >= 2 and path[-2] in _DTO_LISTS):
        return Symbol("dto", value, mark)
    if last == "worker" and path[0] == "wiring":
        return Symbol("worker", value, mark)
    if last == "id" and path[0] == "workforce":
        return Symbol("worker", value, mark, declaration=True)
    if last == "blueprint" and path[0] == "strategy_links":
        return Symbol("file", value, mark)
    if len(path) >= 2 and path[-2] == "params":
        return None
    return None


def _plugin_of(data: Any, path: tuple[str | int, ...]) -> str | None:
    node = data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    plugin = node.get("plugin") if isinstance(node, dict) else None
    return plugin if isinstance(plugin, str) else None
