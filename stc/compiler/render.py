"""Renderers for diagnostics: rustc-style text for people, JSON and SARIF for machines.

All three sort with ``sort_diagnostics`` (file, line, column, code — SPEC §5.2) so the
output is identical on every run, whatever order the passes reported in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from stc.compiler.diagnostics import Diagnostic, Severity, Suggestion, sort_diagnostics
from stc.compiler.rule_docs import DOCS_URL, examples_markdown, examples_text, explanation
from stc.compiler.rules import rule_for
from stc.compiler.sources import SourceFile

TAB_WIDTH = 4
"""Tabs are expanded to this width in snippets; carets are placed on the expanded text."""

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_STYLE = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.NOTE: "\x1b[1;32m",
}
_GUTTER_STYLE = "\x1b[1;34m"


def use_color(stream: Any) -> bool:
    """Colour only for a terminal; ``NO_COLOR`` turns it off, ``FORCE_COLOR`` forces it.

    See https://no-color.org and https://force-color.org: ``FORCE_COLOR`` wins so CI
    logs that understand ANSI can opt in.
    """
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if os.environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):  # closed or detached stream
        return False


# --------------------------------------------------------------------------- human


def render_human(
    diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile], *, color: bool
) -> str:
    """rustc/Elm-style report, each diagnostic followed by a blank line, then a summary.

    The summary is the last line: ``error: aborting due to 2 errors; 1 warning emitted``
    when there are errors, ``warning: 1 warning emitted`` when there are only warnings,
    and ``ok: no problems found`` when there is nothing to report (notes alone add
    ``(1 note)``). Without a source line (no file, no position or an unknown file) the
    snippet is left out and only the ``-->`` location is shown.
    """
    ordered = sort_diagnostics(list(diagnostics))
    painter = _Painter(color)
    blocks = [_render_one(d, sources, painter) for d in ordered]
    return "".join(blocks) + _summary(ordered, painter) + "\n"


class _Painter:
    """Applies ANSI styles only when colour is on (so tests can assert plain text)."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if self.color and text else text


def _render_one(diag: Diagnostic, sources: Mapping[str, SourceFile], paint: _Painter) -> str:
    """One diagnostic block: header, location, snippet with carets, help and notes."""
    source = sources.get(diag.file) if diag.file is not None else None
    diag = _printable(diag)
    style = _SEVERITY_STYLE[diag.severity]
    lines = [
        paint(style, f"{diag.severity.value}[{diag.code}]") + paint(_BOLD, f": {diag.message}")
    ]
    snippet = diag.line is not None and source is not None and diag.line >= 1
    width = len(str(diag.line)) if snippet and diag.line is not None else 1
    pad = " " * width
    bar = paint(_GUTTER_STYLE, f"{pad} |")
    if diag.file is not None:
        lines.append(paint(_GUTTER_STYLE, f"{pad}-->") + f" {_position(diag)}")
    if snippet and source is not None and diag.line is not None:
        text, caret_at, caret_len = _caret(source.line_text(diag.line), diag)
        number = paint(_GUTTER_STYLE, f"{diag.line} |")
        lines += [
            bar,
            f"{number} {text}".rstrip(),
            f"{bar} {' ' * caret_at}" + paint(style, "^" * caret_len),
        ]
    tail = [f"help: {diag.help}"] if diag.help else []
    tail += [
        f"note: {r.message}" + _related_position(r.file, r.line, r.column) for r in diag.related
    ]
    if tail:
        if snippet:
            lines.append(bar)
        lines += [paint(_GUTTER_STYLE, f"{pad} =") + " " + _label(t, paint) for t in tail]
    return "\n".join(lines) + "\n\n"


def _label(text: str, paint: _Painter) -> str:
    """Bold ``help:``/``note:`` prefix, rest plain."""
    head, _, rest = text.partition(": ")
    return paint(_BOLD, f"{head}:") + f" {rest}"


def _position(diag: Diagnostic) -> str:
    """``file:line:column`` with whatever parts exist."""
    return (diag.file or "") + _related_position(None, diag.line, diag.column).removeprefix(": ")


def _related_position(file: str | None, line: int | None, column: int | None) -> str:
    """``: file:3:1`` for a related note (empty when it has no position at all)."""
    place = file or ""
    if line is not None:
        place += f":{line}"
        if column is not None:
            place += f":{column}"
    return f": {place}" if place else ""


def _caret(raw: str, diag: Diagnostic) -> tuple[str, int, int]:
    """Tab-expanded line, caret offset and caret width (end-start on one line, else 1)."""
    raw = _visible(raw)
    column = max(diag.column or 1, 1)
    start = len(raw[: column - 1].expandtabs(TAB_WIDTH))
    width = 1
    if diag.end_column is not None and diag.end_column > column:
        width = max(len(raw[: diag.end_column - 1].expandtabs(TAB_WIDTH)) - start, 1)
    return _window(raw.expandtabs(TAB_WIDTH), start, width)


SNIPPET_WIDTH = 120
"""Longer source lines are cut around the caret (see ``_window``)."""


def _window(text: str, start: int, width: int) -> tuple[str, int, int]:
    """A long line (minified or generated YAML) cut to ``SNIPPET_WIDTH`` characters
    around the caret, with ``…`` where it was cut: quoting a 60 kB line under each of
    thousands of diagnostics would print gigabytes."""
    if len(text) <= SNIPPET_WIDTH:
        return text, start, width
    left = max(0, min(start - SNIPPET_WIDTH // 3, len(text) - SNIPPET_WIDTH))
    right = left + SNIPPET_WIDTH
    shown = ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")
    return shown, start - left + (1 if left else 0), max(1, min(width, right - start))


_VISIBLE = {
    **{code: 0x2400 + code for code in range(0x20) if code != 0x09},  # ␀ … ␟ (tabs stay)
    0x7F: 0x2421,  # ␡
    **dict.fromkeys((*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)), 0xFFFD),
}
"""Control characters (C0, DEL, C1) and bidi overrides as one visible character each.

They reach messages and snippets from the user's own text (a quoted value, the line
of a refused file). Raw, they would drive the terminal (``ESC [2J`` clears it, a CR
overwrites the line, a bidi override reorders what the message says); one
character for one keeps every caret under its column."""


def _visible(text: str) -> str:
    """``text`` safe to print: see ``_VISIBLE``."""
    return text.translate(_VISIBLE)


def _printable(diag: Diagnostic) -> Diagnostic:
    """The diagnostic with every text a terminal shows passed through ``_visible``."""
    related = tuple(
        r.model_copy(update={"message": _visible(r.message), "file": r.file and _visible(r.file)})
        for r in diag.related
    )
    update: dict[str, object] = {"message": _visible(diag.message), "related": related}
    update["help"] = diag.help and _visible(diag.help)
    update["file"] = diag.file and _visible(diag.file)
    return diag.model_copy(update=update)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _summary(diagnostics: list[Diagnostic], paint: _Painter) -> str:
    """The final line; see ``render_human`` for the three forms."""
    counts = {s: sum(1 for d in diagnostics if d.severity is s) for s in Severity}
    errors, warnings, notes = (
        counts[Severity.ERROR],
        counts[Severity.WARNING],
        counts[Severity.NOTE],
    )
    if errors:
        text = f"aborting due to {_plural(errors, 'error')}"
        if warnings:
            text += f"; {_plural(warnings, 'warning')} emitted"
        return paint(_SEVERITY_STYLE[Severity.ERROR], "error") + paint(_BOLD, f": {text}")
    if warnings:
        label = paint(_SEVERITY_STYLE[Severity.WARNING], "warning")
        return label + paint(_BOLD, f": {_plural(warnings, 'warning')} emitted")
    extra = f" ({_plural(notes, 'note')})" if notes else ""
    return paint(_SEVERITY_STYLE[Severity.NOTE], "ok") + f": no problems found{extra}"


# --------------------------------------------------------------------------- machine


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    """One JSON array with the SPEC §5.2 keys, sorted, with a trailing newline; a
    diagnostic with literal fixes adds ``suggestions`` (the ``Suggestion`` fields)."""
    items = []
    for d in sort_diagnostics(list(diagnostics)):
        item: dict[str, Any] = {
            "code": d.code,
            "severity": d.severity.value,
            "message": d.message,
            "file": d.file,
            "line": d.line,
            "column": d.column,
            "help": d.help,
        }
        if d.suggestions:
            item["suggestions"] = [s.model_dump(mode="json") for s in d.suggestions]
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
"""The ``uriBaseId`` of every relative artifact URI: the directory stc ran in."""


def render_sarif(
    diagnostics: Iterable[Diagnostic], tool_version: str, root: str | None = None
) -> str:
    """SARIF 2.1.0 with one run, so CI systems (e.g. GitHub code scanning) annotate files.

    Shaped to pass the SARIF multitool's GitHub rules (``--rule-kind "Gh;Sarif"``):
    every rule has a short and full description, help as text and markdown and a
    ``helpUri`` into ``docs/diagnostics.md``; a file under ``root`` (default: the
    current directory) is a relative URI with ``uriBaseId: %SRCROOT%``, declared in
    ``originalUriBaseIds``; a file outside it is an absolute ``file://`` URI, never a
    bare ``/path`` (SARIF1004).
    """
    base = os.path.abspath(root if root is not None else os.getcwd())
    ordered = sort_diagnostics(list(diagnostics))
    codes = sorted({d.code for d in ordered})
    index = {code: i for i, code in enumerate(codes)}
    results = [_sarif_result(d, index[d.code], base) for d in ordered]
    driver = {
        "name": "stc",
        "version": tool_version,
        "informationUri": DOCS_URL,
        "rules": [_sarif_rule(code) for code in codes],
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(base)}},
        "results": results,
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(code: str) -> dict[str, Any]:
    """A ``reportingDescriptor`` from the code's rule: its title, its explanation, its
    bad and fixed examples, its default level and its page."""
    rule = rule_for(code)
    if rule is None:  # not a code of ours: still a valid descriptor
        return {"id": code, "shortDescription": {"text": code}, "fullDescription": {"text": code}}
    full = explanation(rule)
    return {
        "id": code,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": rule.severity.value},
        "help": {
            "text": f"{full}\n\n{examples_text(rule)}\n\nSee {rule.help_uri}",
            "markdown": f"{full}\n\n{examples_markdown(rule)}\n\n"
            f"[{code} in docs/diagnostics.md]({rule.help_uri})",
        },
        "helpUri": rule.help_uri,
    }


def _sarif_result(diag: Diagnostic, rule_index: int, base: str) -> dict[str, Any]:
    """One SARIF ``result``; location only when the diagnostic has a file."""
    text = diag.message + (f"\nhelp: {diag.help}" if diag.help else "")
    result: dict[str, Any] = {
        "ruleId": diag.code,
        "ruleIndex": rule_index,
        "level": diag.severity.value,
        "message": {"text": text},
    }
    if diag.file is not None:
        result["locations"] = [
            _sarif_location(diag.file, diag.line, diag.column, diag.end_column, base)
        ]
    related = [
        {**_sarif_location(r.file, r.line, r.column, None, base), "message": {"text": r.message}}
        for r in diag.related
        if r.file is not None
    ]
    if related:
        result["relatedLocations"] = [{"id": i, **loc} for i, loc in enumerate(related)]
    if diag.suggestions:
        result["fixes"] = [_sarif_fix(s, base) for s in diag.suggestions]
    return result


def _sarif_fix(suggestion: Suggestion, base: str) -> dict[str, Any]:
    """A SARIF ``fix``: one replacement of a region by the suggestion's text (SARIF
    §3.55-3.57; columns are 1-based and end-exclusive there too). The applicability,
    which SARIF has no field for, travels in the fix's property bag."""
    region = {
        "startLine": suggestion.line,
        "startColumn": suggestion.column,
        "endLine": suggestion.end_line,
        "endColumn": suggestion.end_column,
    }
    change = {
        "artifactLocation": _artifact_location(suggestion.file, base),
        "replacements": [
            {"deletedRegion": region, "insertedContent": {"text": suggestion.replacement}}
        ],
    }
    return {
        "description": {"text": suggestion.message},
        "artifactChanges": [change],
        "properties": {"applicability": suggestion.applicability.value},
    }


def _sarif_location(
    file: str | None, line: int | None, column: int | None, end_column: int | None, base: str
) -> dict[str, Any]:
    """A ``physicalLocation`` with a region when a 1-based line is known."""
    physical: dict[str, Any] = {"artifactLocation": _artifact_location(file or "", base)}
    if line is not None and line >= 1:
        region: dict[str, Any] = {"startLine": line}
        if column is not None and column >= 1:
            region["startColumn"] = column
            if end_column is not None and end_column > column:
                region["endColumn"] = end_column
        physical["region"] = region
    return {"physicalLocation": physical}


def _artifact_location(file: str, base: str) -> dict[str, Any]:
    """A relative, percent-encoded URI against ``%SRCROOT%`` for a file under ``base``
    (as given or absolute); an absolute ``file://`` URI for one outside it."""
    posix = file.replace("\\", "/")
    absolute = os.path.normpath(os.path.join(base, posix))
    try:
        relative = os.path.relpath(absolute, base).replace(os.sep, "/")
    except ValueError:  # Windows: another drive than the working directory's
        relative = absolute
    if relative == ".." or relative.startswith("../") or os.path.isabs(relative):
        return {"uri": PurePath(absolute).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _directory_uri(path: str) -> str:
    """``file:///dir/`` — a base URI must end with a slash (SARIF §3.14.14)."""
    uri = PurePath(path).as_uri()
    return uri if uri.endswith("/") else uri + "/"
