"""Did-you-mean hints: a typo in a key or plugin name should point at the fix.

A hint comes with a literal fix (a ``Suggestion``) when the diagnostic knows the
span of the misspelt name: ``stc check --fix`` then applies it (docs/diagnostics.md,
"Suggestions and --fix").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from stc.compiler.diagnostics import Applicability, Suggestion

if TYPE_CHECKING:
    from stc.compiler.sources import Mark, SourceFile

_CUTOFF = 0.6
"""difflib's own default: below it, suggestions are more confusing than helpful."""

_SURE = 0.8
"""A match this close, with no rival above the cutoff, is applied by ``--fix``."""


def _scores(word: str, candidates: Iterable[str]) -> list[tuple[float, str]]:
    """(similarity, candidate) of every candidate above the cutoff, best first, ties
    alphabetical (so the hint is the same on every run and machine)."""
    from difflib import SequenceMatcher  # only on an error path: a clean check never asks

    target = word.lower()
    found: list[tuple[float, str]] = []
    matcher = SequenceMatcher(b=target, autojunk=False)
    for candidate in sorted(set(candidates)):
        matcher.set_seq1(candidate.lower())
        if matcher.real_quick_ratio() < _CUTOFF or matcher.quick_ratio() < _CUTOFF:
            continue
        score = 2.0 if candidate.lower() == target else matcher.ratio()
        if score >= _CUTOFF:
            found.append((score, candidate))
    found.sort(key=lambda pair: (-pair[0], pair[1]))
    return found


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word`` (case-insensitive), or None if none is close."""
    found = _scores(word, candidates)
    return found[0][1] if found else None


def closest(word: str, candidates: Iterable[str]) -> tuple[str, Applicability] | None:
    """The closest candidate and how sure it is.

    Machine-applicable when it differs only in case, or is a typo away (at most two
    edits, a third of the word at most) while every other candidate is at least two
    edits further: ``--fix`` must never pick one of two plausible names for the user.
    Maybe-incorrect otherwise.
    """
    found = _scores(word, candidates)
    if not found:
        return None
    score, best = found[0]
    if score == 2.0:
        return best, Applicability.MACHINE_APPLICABLE
    target = word.lower()
    distance = edit_distance(target, best.lower())
    rivals = (edit_distance(target, other.lower()) for _, other in found[1:])
    sure = distance <= min(2, max(1, len(word) // 3)) and all(d >= distance + 2 for d in rivals)
    return best, Applicability.MACHINE_APPLICABLE if sure else Applicability.MAYBE_INCORRECT


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and
    swaps of two neighbours (the four ways fingers mistype) each count one."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


def help_for(word: str, candidates: Iterable[str]) -> str | None:
    """A ready-made ``help`` text such as "did you mean `workforce`?", or None."""
    match = did_you_mean(word, candidates)
    return f"did you mean `{match}`?" if match is not None else None


def replace_at(
    file: str | None,
    mark: Mark | None,
    source: SourceFile | None,
    replacement: str,
    message: str,
    applicability: Applicability,
) -> tuple[Suggestion, ...]:
    """A one-line scalar's text replaced by ``replacement`` (inside its quotes when it
    is quoted, so the file keeps its style); no suggestion without a one-line span."""
    if file is None or mark is None or mark.end_line != mark.line:
        return ()
    start, end = mark.column, mark.end_column
    text = source.line_text(mark.line)[start - 1 : end - 1] if source is not None else ""
    if len(text) >= 2 and text[0] in "'\"" and text[-1] == text[0]:
        start, end = start + 1, end - 1
    return (
        Suggestion(
            message=message,
            file=file,
            line=mark.line,
            column=start,
            end_line=mark.line,
            end_column=end,
            replacement=replacement,
            applicability=applicability,
        ),
    )


def insert_line(
    file: str, line: int, text: str, message: str, applicability: Applicability
) -> tuple[Suggestion, ...]:
    """A fix that inserts ``text`` (a whole line, with its newline) before ``line``."""
    return (
        Suggestion(
            message=message,
            file=file,
            line=line,
            column=1,
            end_line=line,
            end_column=1,
            replacement=text,
            applicability=applicability,
        ),
    )


def rename(
    word: str,
    candidates: Iterable[str],
    file: str | None,
    mark: Mark | None,
    source: SourceFile | None,
) -> tuple[str | None, tuple[Suggestion, ...]]:
    """``did you mean `X`?`` and the fix that writes ``X`` over ``word`` at ``mark``."""
    match = closest(word, candidates)
    if match is None:
        return None, ()
    name, applicability = match
    help = f"did you mean `{name}`?"
    return help, replace_at(
        file, mark, source, name, f"replace `{word}` with `{name}`", applicability
    )
