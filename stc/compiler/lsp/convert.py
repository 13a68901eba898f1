"""Compiler diagnostics, marks and paths as LSP types.

Columns: the compiler counts code points from 1 (as PyYAML does); LSP counts from 0.
Everything here is 0-based *code points*; the server maps each range to the
client's units (UTF-16 unless negotiated otherwise) with pygls' position codec, from
the line's text, so a character outside the BMP before a token moves it by two.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rule_docs import help_uri
from stc.compiler.sources import Mark, split_lines

SEVERITIES = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.NOTE: lsp.DiagnosticSeverity.Information,
}
SOURCE = "stc"
_TOKEN = re.compile(r"[^\s:,\[\]{}#]+|\S")
"""A YAML token as a diagnostic underlines it: a plain scalar or one punctuation mark."""


def path_of_uri(uri: str) -> str:
    """``file:///a/b.yaml`` → ``/a/b.yaml`` (other schemes keep their path)."""
    return unquote(urlparse(uri).path)


def uri_of_path(path: str) -> str:
    """An absolute path as a ``file://`` URI."""
    return Path(path).as_uri()


def position(lines: list[str], line: int, column: int) -> lsp.Position:
    """A 1-based (line, code-point column) as an LSP position."""
    del lines  # code points: the server maps them to the client's units
    return lsp.Position(line=max(line - 1, 0), character=max(column - 1, 0))


def mark_range(lines: list[str], mark: Mark) -> lsp.Range:
    """A compiler mark (1-based, end exclusive) as an LSP range."""
    return lsp.Range(
        start=position(lines, mark.line, mark.column),
        end=position(lines, mark.end_line, mark.end_column),
    )


def token_range(lines: list[str], line: int | None, column: int | None) -> lsp.Range:
    """The range of the token starting at (line, column), 1-based; the first
    non-blank token of the line when the column is unknown; 0:0 without a line."""
    if line is None:
        return lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(0, 0))
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    start = (column - 1) if column else len(text) - len(text.lstrip())
    match = _TOKEN.match(text, start) if start < len(text) else None
    end = match.end() if match else start
    if match and text[start] in "\"'":  # a quoted scalar: to its closing quote
        close = text.find(text[start], start + 1)
        end = close + 1 if close > 0 else len(text.rstrip())
    return lsp.Range(
        start=lsp.Position(line=line - 1, character=start),
        end=lsp.Position(line=line - 1, character=end),
    )


def diagnostic_range(lines: list[str], diagnostic: Diagnostic) -> lsp.Range:
    """Start and end of what the diagnostic underlines: its own span when it has one
    (``end_column``), else the token at its position."""
    line, column = diagnostic.line, diagnostic.column
    if line is not None and column is not None and diagnostic.end_column is not None:
        return lsp.Range(
            start=position(lines, line, column), end=position(lines, line, diagnostic.end_column)
        )
    return token_range(lines, line, column)


def to_lsp(
    diagnostic: Diagnostic,
    lines: list[str],
    lines_for: Callable[[str], list[str]],
    path_of: Callable[[str | None], str],
) -> lsp.Diagnostic:
    """One compiler diagnostic as the editor shows it: the same code, message, help,
    severity and related locations as ``stc check``. ``path_of`` turns a display name
    into a path (None: the unit's owner); ``lines_for`` reads a file's lines."""
    message = diagnostic.message
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    related = []
    for note in diagnostic.related:
        file = path_of(note.file)
        where = token_range(lines_for(file), note.line, note.column)
        related.append(
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=uri_of_path(file), range=where), message=note.message
            )
        )
    return lsp.Diagnostic(
        range=diagnostic_range(lines, diagnostic),
        message=message,
        severity=SEVERITIES[diagnostic.severity],
        code=diagnostic.code,
        code_description=lsp.CodeDescription(href=help_uri(diagnostic.code)),
        source=SOURCE,
        related_information=related or None,
    )


def lines_of(text: str | None) -> list[str]:
    """The text's lines as YAML (and the compiler's marks) count them."""
    return split_lines(text) if text is not None else []
