"""Root cause first, and once: drop what an earlier diagnostic makes meaningless.

Rules (docs/diagnostics.md, "Suppression rules"):

1. A worker whose plugin is unresolved (STC003 unknown, STC005 wrong slot, or the
   second of a duplicate id) has no inputs, outputs, events or triggers the checks
   could know. While any worker is unresolved, the whole-graph checks (STC010-012
   data flow, STC020-023 topology, STC030-031 publishers) are skipped; the
   per-worker ones (STC013, STC032, STC040-041) only for the workers concerned.
   The root diagnostic says so in a note.
2. A worker with an invalid trigger key (STC002 in its ``triggers``) takes no part in
   the trigger-range checks (STC040/041) of its kind: gaps and overlaps built on a
   typo are noise.
3. Diagnostics that say the same thing (same code, file, position and help) are one
   diagnostic; their notes are kept together.
"""

from __future__ import annotations

from stc.compiler.diagnostics import Diagnostic, Related
from stc.compiler.unit import CompileUnit

GRAPH_WIDE = frozenset(
    {"STC010", "STC011", "STC012", "STC020", "STC021", "STC022", "STC023", "STC030", "STC031"}
)
"""Checks over the whole graph: one missing worker can cause or hide any of them."""

PER_WORKER = frozenset({"STC013", "STC032", "STC040", "STC041"})
"""Checks about named workers (their ``subjects``)."""

TRIGGER_CHECKS = frozenset({"STC040", "STC041"})

_ROOTS = frozenset({"STC003", "STC005", "STC004"})

SKIPPED_NOTE = "topology, trigger and data-flow checks were skipped for this worker"


def suppress(
    unit: CompileUnit, resolved: list[Diagnostic], checked: list[Diagnostic]
) -> list[Diagnostic]:
    """``resolved`` (the resolve pass's diagnostics) plus what of ``checked`` (the
    check passes') still means something, with notes on the roots that stopped checks."""
    unresolved = {w.id for w in unit.workers if w.record is None}
    bad_triggers = {
        s for d in resolved if d.code == "STC002" and "trigger" in d.message for s in d.subjects
    }
    kept = []
    for diagnostic in checked:
        subjects = set(diagnostic.subjects)
        if unresolved and diagnostic.code in GRAPH_WIDE:
            continue
        if diagnostic.code in PER_WORKER and subjects & unresolved:
            continue
        if diagnostic.code in TRIGGER_CHECKS and subjects & bad_triggers:
            continue
        kept.append(diagnostic)
    roots = [
        _noted(d) if d.code in _ROOTS and set(d.subjects) & unresolved else d for d in resolved
    ]
    return [*roots, *kept]


def _noted(diagnostic: Diagnostic) -> Diagnostic:
    """The root diagnostic with the one-line note that dependent checks were skipped."""
    if any(r.message == SKIPPED_NOTE for r in diagnostic.related):
        return diagnostic
    related = (*diagnostic.related, Related(message=SKIPPED_NOTE))
    return diagnostic.model_copy(update={"related": related})


def merge_identical(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per (code, file, position, help): the first, with every note of
    the others that it lacks (rule 3)."""
    merged: dict[tuple[object, ...], Diagnostic] = {}
    for diagnostic in diagnostics:
        key = (
            diagnostic.code,
            diagnostic.file,
            diagnostic.line,
            diagnostic.column,
            diagnostic.help,
        )
        first = merged.get(key)
        if first is None:
            merged[key] = diagnostic
            continue
        extra = tuple(r for r in diagnostic.related if r not in first.related)
        if diagnostic.message != first.message:
            extra = (Related(message=diagnostic.message), *extra)
        merged[key] = first.model_copy(update={"related": (*first.related, *extra)})
    return list(merged.values())
