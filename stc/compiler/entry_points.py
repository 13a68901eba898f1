"""The entry points of one group, found the way ``importlib.metadata`` finds them,
without importing it.

Why: a first ``stc check`` asks for the ``stc.plugins`` entry points, and importing
``importlib.metadata`` (with ``email``, ``zipfile``, ``csv`` …) costs ~15 ms of that
check before it lists a single folder; the reading itself is ~1 ms (docs/performance.md).

What it reproduces: ``importlib.metadata.entry_points(group=…)`` of CPython 3.11–3.13
for the layout every ordinary environment has —

- ``sys.meta_path``'s only distribution finder is the standard ``PathFinder``;
- each ``sys.path`` entry is a folder (or does not exist);
- each distribution is a ``*.dist-info`` / ``*.egg-info`` entry of such a folder, and
  its name yields a non-empty normalised distribution name;
- a distribution found again later on ``sys.path`` (same normalised name) is
  shadowed, exactly as ``importlib.metadata`` keeps the first one;
- ``entry_points.txt`` is read with the same section/``name = value`` rules.

Anything else — a zip or egg on ``sys.path``, another distribution finder (a
custom or vendored importer), a name only the ``METADATA`` file can tell, a malformed
or undecodable ``entry_points.txt`` — makes :func:`read_group` answer ``None``, and
the caller asks ``importlib.metadata`` itself. Tests compare both on built layouts.
"""

from __future__ import annotations

import os
import re
import sys
from importlib.machinery import PathFinder

Pair = tuple[str, str]
"""(entry point name, value), e.g. ``("myplugins", "myplugins:register")``."""

_INFO_SUFFIXES = (".dist-info", ".egg-info")
_SEPARATORS = re.compile(r"[-_.]+")
_UNREADABLE = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)
"""What ``PathDistribution.read_text`` treats as "no such file" (it returns None)."""


class _Unsupported(Exception):
    """A layout this reader does not reproduce: use ``importlib.metadata``."""


def read_group(group: str) -> list[Pair] | None:
    """(name, value) of every entry point in ``group``, in ``importlib.metadata``'s
    order; None when the environment needs ``importlib.metadata`` itself."""
    try:
        _require_plain_finders()
        return _read(group)
    except _Unsupported:
        return None


def normalize(name: str) -> str:
    """A distribution name as ``importlib.metadata`` compares them (PEP 503, ``_``)."""
    return _SEPARATORS.sub("-", name).lower().replace("-", "_")


def _require_plain_finders() -> None:
    """Only the standard path finder may contribute distributions."""
    for finder in sys.meta_path:
        if getattr(finder, "find_distributions", None) is None:
            continue
        if finder is not PathFinder:
            raise _Unsupported(f"distribution finder {finder!r}")


def _read(group: str) -> list[Pair]:
    """The first distribution of each normalised name, in ``sys.path`` order."""
    seen: set[str] = set()
    found: list[Pair] = []
    for entry in sys.path:
        for normalized, folder in _distributions_in(entry):
            if normalized in seen:
                continue  # shadowed by the one found first
            seen.add(normalized)
            found.extend(_group_entries(folder, group))
    return found


def _distributions_in(entry: object) -> list[tuple[str, str]]:
    """(normalised name, path) of the first distribution of each name in one ``sys.path``
    entry, names in order of first appearance in the folder listing (the order of
    ``importlib.metadata``'s ``Lookup``; the later ones of a name are shadowed)."""
    if not isinstance(entry, str):
        raise _Unsupported(f"sys.path entry {entry!r}")
    root = entry or "."
    if os.path.basename(entry).lower().endswith(".egg"):
        raise _Unsupported(f"egg {entry}")
    try:
        children = os.listdir(root)
    except OSError:
        if os.path.isfile(root):
            raise _Unsupported(f"zip {entry}") from None
        return []
    first: dict[str, str] = {}
    for child in children:
        if not child.lower().endswith(_INFO_SUFFIXES):
            continue
        stem, suffix = os.path.splitext(child)
        normalized = normalize(stem.partition("-")[0])
        if suffix not in _INFO_SUFFIXES or not normalized:
            raise _Unsupported(f"name of {child} needs its METADATA")
        first.setdefault(normalized, os.path.join(root, child))
    return list(first.items())


def _group_entries(folder: str, group: str) -> list[Pair]:
    """The entries of ``group`` in ``folder``'s ``entry_points.txt``."""
    try:
        with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as handle:
            text = handle.read()
    except _UNREADABLE:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise _Unsupported(str(exc)) from exc
    return [pair for section, pair in _sections(text) if section == group]


def _sections(text: str) -> list[tuple[str, Pair]]:
    """(section, (name, value)) of every entry, as ``importlib.metadata.Sectioned``
    reads them: stripped lines, ``#`` comments and blank lines skipped, lines before
    the first ``[section]`` ignored, ``name = value`` split at the first ``=``."""
    section: str | None = None
    entries: list[tuple[str, Pair]] = []
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section is None:
            continue
        name, equals, value = line.partition("=")
        if not equals:
            raise _Unsupported(f"entry without '=': {line!r}")
        entries.append((section, (name.strip(), value.strip())))
    return entries
