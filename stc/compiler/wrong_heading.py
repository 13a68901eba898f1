"""A worker under the wrong heading whose keys then look unknown (issue 20, rule 4 of
docs/diagnostics.md "Suppression rules").

A threat worker left under ``opportunity_workers:`` (its heading line lost) carries a
``trigger:`` that opportunity workers do not have, so shape validation reports
"unknown key `trigger`" — and its help, delete the key, makes things worse. When the
entry's plugin is known and belongs to another slot, the slot is the root cause: the
unknown-key errors of that entry become one STC005.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stc.compiler.diagnostics import Applicability, Diagnostic, Suggestion
from stc.compiler.registry import PluginRegistry
from stc.compiler.resolve import STC005
from stc.compiler.sources import Loaded, PMap, locate
from stc.compiler.suggest import insert_line
from stc.compiler.unit import SLOT_TYPES

_UNKNOWN_IN_ENTRY = re.compile(r"unknown key `([^`]+)` in `workforce\.([a-z_.]+)\[(\d+)\]`")


def reslot(
    problems: list[Diagnostic], loaded: Loaded, registry: Callable[[], PluginRegistry]
) -> list[Diagnostic]:
    """``problems`` with the unknown keys of misplaced workers replaced by STC005."""
    found = [(d, _UNKNOWN_IN_ENTRY.match(d.message)) for d in problems]
    if not any(match for _, match in found):
        return problems
    plugins = registry()
    result: list[Diagnostic] = []
    done: set[tuple[str, int]] = set()
    for diagnostic, match in found:
        misplaced = _misplaced(loaded, plugins, match) if match else None
        if misplaced is None:
            result.append(diagnostic)
            continue
        key = (match.group(2), int(match.group(3))) if match else ("", 0)
        if key not in done:
            done.add(key)
            result.append(misplaced)
    return result


def _misplaced(loaded: Loaded, plugins: PluginRegistry, match: re.Match[str]) -> Diagnostic | None:
    slot_path, index = match.group(2), int(match.group(3))
    slot = slot_path.rsplit(".", 1)[-1]
    loc: tuple[str | int, ...] = ("workforce", *slot_path.split("."), index)
    entry: Any = loaded.data
    for step in loc:
        entry = entry[step] if _has(entry, step) else None
    plugin = entry.get("plugin") if isinstance(entry, dict) else None
    record = plugins.get(plugin) if isinstance(plugin, str) else None
    if record is None or slot not in SLOT_TYPES:
        return None
    actual = record.manifest.identification.type
    if actual == SLOT_TYPES[slot]:
        return None
    right = next((s for s, t in SLOT_TYPES.items() if t == actual), None)
    right_path = f"workforce.{'planning_workers.' if right in _PLANNING else ''}{right}"
    display = loaded.source.display_name if loaded.source else None
    fixes = _heading_fix(loaded, display, loc, slot, right)
    return STC005.at(
        f"`{plugin}` is a {actual}, but it is placed in `workforce.{slot_path}` (which takes "
        f"{SLOT_TYPES[slot]}s); its key `{match.group(1)}` belongs to {actual}s",
        display,
        locate(loaded.data, (*loc, "plugin")),
        f"move this entry under `{right_path}:` (was its heading line lost?)",
        suggestions=fixes,
    )


def _heading_fix(
    loaded: Loaded, display: str | None, loc: tuple[str | int, ...], slot: str, right: str | None
) -> tuple[Suggestion, ...]:
    """Insert the lost ``right:`` heading above the entry (maybe-incorrect: the entries
    after it move under the new heading too, which is right only if its line was lost)."""
    workforce = loaded.data.get("workforce") if isinstance(loaded.data, dict) else None
    if display is None or right not in _LISTS or slot not in _LISTS or len(loc) != 3:
        return ()
    if not isinstance(workforce, PMap) or workforce.has(right):
        return ()
    key = workforce.mark_of(slot, of_key=True)
    entry = locate(loaded.data, loc)
    if entry is None:
        return ()
    heading = " " * (key.column - 1) + f"{right}:\n"
    message = f"insert the heading `{right}:` above this entry"
    return insert_line(display, entry.line, heading, message, Applicability.MAYBE_INCORRECT)


_LISTS = ("context_workers", "opportunity_workers", "threat_workers")


_PLANNING = ("entry", "size", "exit", "routing")


def _has(container: Any, step: str | int) -> bool:
    if isinstance(container, dict):
        return step in container
    return isinstance(container, list) and isinstance(step, int) and 0 <= step < len(container)
