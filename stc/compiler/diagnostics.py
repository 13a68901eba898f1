"""The Diagnostic model: every problem the compiler reports, with a stable code.

A coded diagnostic is made only by ``stc.compiler.rules.Rule.at`` (the rule gives
the code and the severity); this module holds the shapes, not the codes.

Renderers (human/rustc style, JSON, SARIF) live in ``stc.compiler.render``. Passes return
lists of diagnostics; nothing in the compiler raises for user errors.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """How bad a diagnostic is; ``--strict`` promotes warnings to errors."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Related(BaseModel):
    """A secondary location that explains a diagnostic (e.g. the first duplicate)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None


class Applicability(StrEnum):
    """How sure a suggestion is (rustc's and ruff's levels).

    ``stc check --fix`` applies only machine-applicable suggestions; ``--unsafe-fixes``
    adds the maybe-incorrect ones; a suggestion with placeholders is never applied (its
    replacement holds a ``<...>`` the user must fill in).
    """

    MACHINE_APPLICABLE = "machine-applicable"
    MAYBE_INCORRECT = "maybe-incorrect"
    HAS_PLACEHOLDERS = "has-placeholders"


class Suggestion(BaseModel):
    """A literal fix: put ``replacement`` in place of the text of one span of ``file``.

    Positions are 1-based, ``end_line``/``end_column`` exclusive, counted in characters
    of the file as read (as every Diagnostic position). An empty span (start == end)
    inserts. This is the public shape the ``--fix`` applier, the JSON/SARIF renderers
    and editor code actions (``stc lsp``) consume.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    message: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str
    applicability: Applicability


class Diagnostic(BaseModel):
    """One problem: code, severity, message, 1-based position and a fix hint.

    ``file`` is the path as the user gave it on the command line (never made
    absolute). ``line``/``column`` are 1-based and None only where no position
    exists. ``end_column`` (exclusive) lets renderers underline a whole node.

    ``defer_build``: the validator is built with the first diagnostic, so a clean
    ``stc check`` never pays for it.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    end_column: int | None = None
    help: str | None = None
    related: tuple[Related, ...] = ()
    subjects: tuple[str, ...] = ()
    """Graph node ids this diagnostic is about (for highlighting in diagrams)."""
    suggestions: tuple[Suggestion, ...] = ()
    """Literal fixes, best first (see ``Suggestion``)."""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order of SPEC §5.2: file, line, column, code (message breaks ties)."""
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message)

    @property
    def is_error(self) -> bool:
        """True for error severity."""
        return self.severity is Severity.ERROR


class Span(Protocol):
    """A source span (``stc.compiler.sources.Mark``): 1-based, end exclusive."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def end_column(self) -> int: ...


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order, duplicates (same code, place and message) removed."""
    unique = {(d.sort_key(), d.help): d for d in diagnostics}
    return [unique[key] for key in sorted(unique, key=lambda k: (k[0], k[1] or ""))]
