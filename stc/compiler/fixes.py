"""``stc check --fix`` / ``--diff``: apply the literal fixes diagnostics carry.

The file's text is edited at the suggestions' spans, nothing else: comments, blank
lines, quoting and key order stay as the user wrote them (the YAML is never dumped
again). Fixes are applied in passes — a fixed plugin name can reveal the next fix,
e.g. a misspelt parameter of that plugin — until none is left or ``MAX_PASSES``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stc.compiler.diagnostics import Applicability, Diagnostic, Suggestion
from stc.compiler.sources import split_lines

if TYPE_CHECKING:
    pass

MAX_PASSES = 5
"""Fix passes per command: each pass re-checks every file, so this bounds the cost."""

SAFE = frozenset({Applicability.MACHINE_APPLICABLE})
UNSAFE = frozenset({Applicability.MACHINE_APPLICABLE, Applicability.MAYBE_INCORRECT})


def applicable(
    diagnostics: Iterable[Diagnostic], levels: frozenset[Applicability]
) -> dict[str, list[Suggestion]]:
    """The first suggestion of each diagnostic whose level is allowed, by file."""
    chosen: dict[str, list[Suggestion]] = {}
    for diagnostic in diagnostics:
        for suggestion in diagnostic.suggestions:
            if suggestion.applicability in levels:
                chosen.setdefault(suggestion.file, []).append(suggestion)
                break
    return chosen


def _offsets(text: str) -> list[int]:
    """The offset at which each (1-based) line starts, YAML's line breaks counted."""
    starts = [0]
    for line in split_lines(text)[:-1]:
        start = starts[-1] + len(line)
        starts.append(start + (2 if text.startswith("\r\n", start) else 1))
    return starts


def apply_suggestions(text: str, suggestions: Iterable[Suggestion]) -> tuple[str, int]:
    """``text`` with every non-overlapping suggestion applied, and how many were.

    Spans are converted to offsets on the original text and applied from the end, so
    one edit never moves another. Of two overlapping edits the first (in file order)
    wins; the other is left for the next pass, which re-checks the edited text.
    """
    starts = _offsets(text)

    def offset(line: int, column: int) -> int | None:
        if not 1 <= line <= len(starts):
            return None
        return starts[line - 1] + column - 1

    edits: list[tuple[int, int, str]] = []
    for s in suggestions:
        start, end = offset(s.line, s.column), offset(s.end_line, s.end_column)
        if start is None or end is None or not 0 <= start <= end <= len(text):
            continue
        edits.append((start, end, s.replacement))
    applied: list[tuple[int, int, str]] = []
    for edit in sorted(set(edits)):
        if applied and edit[0] < applied[-1][1]:
            continue
        if applied and edit[0] == applied[-1][0] == applied[-1][1] == edit[1]:
            continue  # two insertions at one place: their order would be a guess
        applied.append(edit)
    for start, end, replacement in reversed(applied):
        text = text[:start] + replacement + text[end:]
    return text, len(applied)


@dataclass
class FixResult:
    """What the fix passes did: new text per file and how many fixes were applied."""

    original: dict[str, str]
    fixed: dict[str, str]
    count: int


Check = Callable[[Mapping[str, str]], list[Diagnostic]]
"""Checks every file, reading the given texts (by display name) instead of the disk."""


def fix_files(check: Check, levels: frozenset[Applicability]) -> FixResult:
    """Run ``check``, apply its fixes in memory, check the new texts, repeat."""
    result = FixResult({}, {}, 0)
    for _ in range(MAX_PASSES):
        chosen = applicable(check(result.fixed), levels)
        changed = 0
        for file, suggestions in sorted(chosen.items()):
            if file not in result.fixed and not os.path.isfile(file):
                continue
            if file not in result.original:
                with open(file, encoding="utf-8", newline="") as handle:
                    result.original[file] = handle.read()
            text = result.fixed.get(file, result.original[file])
            new, count = apply_suggestions(text, suggestions)
            if count and new != text:
                result.fixed[file] = new
                changed += count
        result.count += changed
        if not changed:
            break
    return result


def write_back(result: FixResult) -> None:
    """Write each fixed file as text, exactly (CRLF files stay CRLF)."""
    for file, text in sorted(result.fixed.items()):
        with open(file, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)


def unified_diff(result: FixResult) -> str:
    """A unified diff of every fixed file (``--diff``)."""
    parts: list[str] = []
    for file in sorted(result.fixed):
        before = result.original[file].splitlines(keepends=True)
        after = result.fixed[file].splitlines(keepends=True)
        parts.extend(difflib.unified_diff(before, after, f"a/{file}", f"b/{file}"))
    return "".join(parts)
