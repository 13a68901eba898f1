"""Code actions: the fixes a diagnostic carries, as edits the editor can apply.

:func:`fixes_of` is the one adapter between a compiler diagnostic and its fixes: the
diagnostic's suggestions (span, replacement, applicability — the same ones
``stc check --fix`` applies), each one code action, preferred when machine-applicable;
a diagnostic without suggestions falls back to its ``did you mean `X`?`` help.

Beyond the adapter, :func:`provider_fixes` computes "add the missing provider" for
``STC010`` (a DTO nobody upstream provides) from the registry: one action per
installed plugin that provides the DTO, inserted where it runs before the consumer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stc.compiler.diagnostics import Applicability, Diagnostic, Suggestion
from stc.compiler.lsp.analysis import normal
from stc.compiler.lsp.symbols import Place
from stc.compiler.sources import Mark, PMap, PSeq
from stc.compiler.unit import CompileUnit

_DID_YOU_MEAN = re.compile(r"^did you mean `([^`]+)`\?$")

SAFE_CODES = frozenset({"STC002", "STC003", "STC006", "STC050"})
"""Codes whose did-you-mean replaces exactly the misspelt token, nothing else: the
fix is preferred (an editor may apply it with one key)."""


@dataclass(frozen=True)
class Fix:
    """One applicable edit: replace ``place`` with ``new_text``."""

    title: str
    place: Place
    new_text: str
    preferred: bool


def fixes_of(diagnostic: Diagnostic, path: str, token: Mark) -> list[Fix]:
    """The machine-applicable fixes ``diagnostic`` carries. ``token`` is the span it
    underlines in ``path`` (what a did-you-mean replaces).

    The adapter: read the diagnostic's suggestion data here, and only here.
    """
    if diagnostic.suggestions:
        return [_suggested(diagnostic, s, path) for s in diagnostic.suggestions
                if s.applicability != Applicability.HAS_PLACEHOLDERS]  # fmt: skip
    match = _DID_YOU_MEAN.match(diagnostic.help or "")
    if match is None:
        return []
    replacement = match.group(1)
    return [
        Fix(
            title=f"{diagnostic.code}: replace with `{replacement}`",
            place=Place(path, token),
            new_text=replacement,
            preferred=diagnostic.code in SAFE_CODES,
        )
    ]


def _suggested(diagnostic: Diagnostic, suggestion: Suggestion, path: str) -> Fix:
    """One suggestion as an edit: in the open file when it names the diagnostic's file,
    else in the file it names (an operation's line, a manifest's)."""
    same = suggestion.file == diagnostic.file or normal(suggestion.file) == normal(path)
    mark = Mark(suggestion.line, suggestion.column, suggestion.end_line, suggestion.end_column)
    return Fix(
        title=f"{diagnostic.code}: {suggestion.message}",
        place=Place(path if same else normal(suggestion.file), mark),
        new_text=suggestion.replacement,
        preferred=suggestion.applicability == Applicability.MACHINE_APPLICABLE,
    )


def provider_fixes(unit: CompileUnit, diagnostic: Diagnostic, text: str) -> list[Fix]:
    """``STC010``: add a plugin that provides the missing DTO, as a context worker
    before the consumer (or at the end of ``context_workers`` for later phases)."""
    if diagnostic.code != "STC010" or not diagnostic.subjects:
        return []
    dto = _missing_dto(diagnostic.message)
    consumer = unit.worker(diagnostic.subjects[0])
    if dto is None or consumer is None:
        return []
    providers = [
        name
        for name in unit.registry.names()
        if dto in unit.registry.plugins[name].manifest.dependencies.provides_dtos
        and unit.registry.plugins[name].manifest.identification.type == "context_worker"
    ]
    where = _insertion(unit, consumer.loc, text)
    if where is None:
        return []
    mark, indent = where
    path = normal(unit.blueprint_file)
    return [
        Fix(
            title=f"add the missing provider `{name}` (provides `{dto}`)",
            place=Place(path, mark),
            new_text=f"{indent}- plugin: {name}\n",
            preferred=False,
        )
        for name in providers
    ]


def _missing_dto(message: str) -> str | None:
    found = re.search(r"requires `([^`]+)`, but no worker upstream provides it", message)
    return found.group(1) if found else None


def _insertion(
    unit: CompileUnit, consumer: tuple[str | int, ...], text: str
) -> tuple[Mark, str] | None:
    """Where a new context worker goes (a zero-width mark at a line start) and the
    indentation of its ``- `` (block-style ``context_workers`` only)."""
    data = unit.blueprint_loaded.data
    workforce = data.get("workforce") if isinstance(data, PMap) else None
    workers = workforce.get("context_workers") if isinstance(workforce, PMap) else None
    if not isinstance(workers, PSeq) or not workers:
        return None
    lines = text.split("\n")
    first = workers.mark_of(0)
    dash = lines[first.line - 1].rfind("-", 0, first.column - 1) if first.line <= len(lines) else -1
    if dash < 0:
        return None  # a flow list: no block line to insert
    if len(consumer) == 3 and consumer[1] == "context_workers":
        at = workers.mark_of(int(consumer[2])).line
    else:
        after = workers.mark_of(len(workers) - 1)  # a block item ends where the next
        ends = lines[after.end_line - 1] if after.end_line <= len(lines) else ""  # token starts
        before_content = after.end_column - 1 <= len(ends) - len(ends.lstrip())
        at = after.end_line if before_content else after.end_line + 1
    return Mark(at, 1, at, 1), " " * dash
