"""Carets in plugin code: where in ``worker.py`` a fault is, not only which manifest.

An import that fails inside the plugin's module (a syntax error, a missing package, an
exception at import time) is reported at the module's own line; a handler whose
signature is wrong at its ``def``. The manifest and blueprint lines become notes. The
module's text is registered with the registry's sources so the snippet can be shown.
"""

from __future__ import annotations

import inspect
import os
import traceback
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from stc.compiler.registry import PluginRecord, PluginRegistry
from stc.compiler.sources import Mark, SourceFile


class CodePlace(NamedTuple):
    """A line of a plugin's Python file, by the display path diagnostics use."""

    display: str
    mark: Mark


def _module_file(record: PluginRecord) -> Path:
    relative = record.manifest.entrypoint.split(":", 1)[0].split(".")
    return record.folder.joinpath(*relative).with_suffix(".py")


def _display(record: PluginRecord, file: Path) -> str:
    """``file`` shown beside the manifest's display path (relative, never absolute)."""
    folder = PurePosixPath(record.display_file.replace("\\", "/")).parent
    try:
        inner = file.resolve().relative_to(record.folder.resolve()).as_posix()
    except ValueError:
        inner = file.name
    return (folder / inner).as_posix()


def failed_import(
    record: PluginRecord, registry: PluginRegistry, exc: BaseException
) -> CodePlace | None:
    """The line of the plugin's module where importing it failed, if it failed there."""
    module = _module_file(record).resolve()
    cause = exc.__cause__
    if cause is None:
        return None
    line, column = None, 1
    if isinstance(cause, SyntaxError) and cause.filename and _same(cause.filename, module):
        line, column = cause.lineno, max(cause.offset or 1, 1)
    else:
        for frame, number in traceback.walk_tb(cause.__traceback__):
            if _same(frame.f_code.co_filename, module):
                line = number
    if line is None:
        return None
    return _place(record, registry, module, line, column)


def handler_def(record: PluginRecord, registry: PluginRegistry, function: Any) -> CodePlace | None:
    """The ``def`` line of a handler, when it is written in the plugin's own folder."""
    try:
        file = inspect.getsourcefile(function)
        _, line = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return None
    if file is None or not Path(file).resolve().is_relative_to(record.folder.resolve()):
        return None
    text = Path(file).read_text(encoding="utf-8", errors="replace").splitlines()
    while line <= len(text) and not text[line - 1].lstrip().startswith(("def ", "async def ")):
        line += 1  # past decorators
    return _place(record, registry, Path(file).resolve(), line, 1)


def _same(name: str, module: Path) -> bool:
    return os.path.exists(name) and Path(name).resolve() == module


def _place(
    record: PluginRecord, registry: PluginRegistry, file: Path, line: int, column: int
) -> CodePlace | None:
    display = _display(record, file)
    if display not in registry.sources:
        try:
            registry.sources[display] = SourceFile(display, file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None
    text = registry.sources[display].line_text(line)
    if not text.strip():
        return None
    indent = len(text) - len(text.lstrip())
    start = max(column, indent + 1)
    return CodePlace(display, Mark(line, start, line, len(text.rstrip()) + 1))
