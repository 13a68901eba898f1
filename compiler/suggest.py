"""Did-you-mean hints: a typo in a key or plugin name should point at the fix."""

from __future__ import annotations

from collections.abc import Iterable

_CUTOFF = 0.6
"""difflib's own default: below it, suggestions are more confusing than helpful."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word`` (case-insensitive), or None if none is close.

    Ties are broken alphabetically so the hint is the same on every run and machine.
    """
    from difflib import SequenceMatcher  # only on an error path: a clean check never asks

    target = word.lower()
    best: tuple[float, str] | None = None
    matcher = SequenceMatcher(b=target, autojunk=False)
    for candidate in sorted(set(candidates)):
        matcher.set_seq1(candidate.lower())
        if matcher.real_quick_ratio() < _CUTOFF or matcher.quick_ratio() < _CUTOFF:
            continue
        score = matcher.ratio()
        if score >= _CUTOFF and (best is None or score > best[0]):
            best = (score, candidate)
    return best[1] if best else None


def help_for(word: str, candidates: Iterable[str]) -> str | None:
    """A ready-made ``help`` text such as "did you mean `workforce`?", or None."""
    match = did_you_mean(word, candidates)
    return f"did you mean `{match}`?" if match is not None else None
