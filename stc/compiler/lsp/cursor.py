"""What is under the cursor.

Two readings, for two moments:

- :func:`node_at` walks the parsed document (the loader's position-carrying
  ``PMap``/``PSeq``) to the scalar under the cursor: its exact path
  (``workforce.context_workers.0.plugin``), whether it is a key or a value, and its
  span. Hover, definition, references and rename use it: they ask about text that
  parses.
- :func:`text_context` reads the lines around the cursor (indentation and flow
  brackets) to tell which key's value, or which mapping's key, is being typed.
  Completion uses it: while a quant types ``plugin: EMA`` the document is often not
  valid YAML at all.

Lines and columns here are 0-based code points; :mod:`stc.compiler.lsp.convert` maps
them from and to the client's units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stc.compiler.sources import Mark, PMap, PSeq

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """The scalar under the cursor in a parsed document."""

    path: Path_
    """Keys and indices from the root; the last is the key itself when ``on_key``."""
    on_key: bool
    value: Any
    mark: Mark


def _contains(mark: Mark, line: int, column: int) -> bool:
    """1-based (line, column) inside the mark, its end included (a cursor right after
    a word is still on it)."""
    start, end = (mark.line, mark.column), (mark.end_line, mark.end_column)
    return start <= (line, column) <= end


def node_at(data: Any, line: int, column: int) -> Located | None:
    """The scalar (key or value) at 0-based (line, column), or None."""
    return _walk(data, line + 1, column + 1, ())


def _walk(data: Any, line: int, column: int, path: Path_) -> Located | None:
    if isinstance(data, PMap):
        for key in list(data):
            key_mark = data.mark_of(key, of_key=True)
            if _contains(key_mark, line, column):
                return Located((*path, key), True, key, key_mark)
            value_mark = data.mark_of(key)
            if _contains(value_mark, line, column):
                found = _walk(data[key], line, column, (*path, key))
                return found or _scalar(data[key], (*path, key), value_mark)
        return None
    if isinstance(data, PSeq):
        for index, item in enumerate(data):
            mark = data.mark_of(index)
            if _contains(mark, line, column):
                return _walk(item, line, column, (*path, index)) or _scalar(
                    item, (*path, index), mark
                )
        return None
    return None


def _scalar(value: Any, path: Path_, mark: Mark) -> Located | None:
    if isinstance(value, PMap | PSeq):
        return None
    return Located(path, False, value, mark)


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class TextContext:
    """What is being typed at the cursor, read from the text alone."""

    parents: tuple[str, ...]
    """Enclosing mapping keys, outermost first (list items are transparent)."""
    key: str | None
    """The key whose value is being typed; None when a key itself is being typed."""
    prefix: str
    """The part of the word before the cursor."""
    start: int
    """Column where that word starts (the completion replaces from here)."""


_WORD = re.compile(r"[A-Za-z0-9_.\-]*$")
_FLOW = re.compile(
    r"(?P<key>[A-Za-z_][\w.-]*)\s*:(?=\s|$)|(?P<open>[\[{])|(?P<close>[\]}])|(?P<comma>,)"
)
_LINE_KEY = re.compile(r"^(?P<indent>\s*)(?P<dashes>(?:-\s+)*)(?P<key>[A-Za-z_][\w.-]*)\s*:")


def text_context(lines: list[str], line: int, column: int) -> TextContext:
    """The context of 0-based (line, column) in ``lines``."""
    text = lines[line] if 0 <= line < len(lines) else ""
    before = _strip_comment(text[:column])
    prefix = _WORD.search(before)
    word = prefix.group(0) if prefix else ""
    start = column - len(word)
    key, flow_parents, in_value = _flow_state(before[: len(before) - len(word)])
    threshold = _threshold(text)
    parents = [*_block_parents(lines, line, threshold), *flow_parents]
    if in_value and key is not None:
        return TextContext(tuple(parents), key, word, start)
    return TextContext(tuple(parents), None, word, start)


def _strip_comment(text: str) -> str:
    hash_at = text.find(" #")
    return text if hash_at < 0 else text[:hash_at]


def _flow_state(before: str) -> tuple[str | None, list[str], bool]:
    """Walk the line up to the word: (current key, keys of open flow collections, is
    the cursor in the current key's value)."""
    stack: list[tuple[str, str | None]] = []
    key: str | None = None
    in_value = False
    for match in _FLOW.finditer(before):
        if match.group("key"):
            key, in_value = match.group("key"), True
        elif match.group("open"):
            stack.append((match.group("open"), key if in_value else None))
            key, in_value = None, match.group("open") == "["
            if in_value:
                key = stack[-1][1]
        elif match.group("close"):
            if stack:
                stack.pop()
            key, in_value = None, False
        else:  # a comma: next comes a key (in a mapping) or an item (in a list)
            inside_list = bool(stack) and stack[-1][0] == "["
            key = stack[-1][1] if inside_list else None
            in_value = inside_list
    owners = [o for i, (_, o) in enumerate(stack) if o and (i == 0 or stack[i - 1][1] != o)]
    if in_value and key is not None and owners and owners[-1] == key:
        owners = owners[:-1]  # a list's items are values of the list's key
    return key, owners, in_value


def _threshold(text: str) -> int:
    """The column below which a line above is this line's parent."""
    stripped = text.lstrip()
    indent = len(text) - len(stripped)
    return indent


def _block_parents(lines: list[str], line: int, threshold: int) -> list[str]:
    """Keys of the lines above that enclose column ``threshold`` by indentation."""
    parents: list[str] = []
    for number in range(min(line, len(lines)) - 1, -1, -1):
        if threshold == 0:
            break
        text = lines[number]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(text) - len(text.lstrip())
        match = _LINE_KEY.match(text)
        key_column = match.start("key") if match else indent
        if key_column < threshold and match is not None:
            parents.append(match.group("key"))
            threshold = indent if match.group("dashes") else key_column
        elif indent < threshold:
            threshold = indent
    parents.reverse()
    return parents


def item_field(lines: list[str], line: int, column: int, name: str) -> str | None:
    """The value of ``name:`` in the mapping that encloses the key being typed at
    ``line`` (e.g. the ``plugin`` of the worker whose ``params`` are being typed),
    from the text alone."""
    pattern = re.compile(rf"(?:^|[\s{{,]){re.escape(name)}:\s*([A-Za-z_][\w.-]*)")
    text = lines[line] if 0 <= line < len(lines) else ""
    found = pattern.search(text)
    if found:
        return found.group(1)
    before = text[:column]
    in_flow = sum(before.count(c) for c in "{[") > sum(before.count(c) for c in "}]")
    indent = len(text) - len(text.lstrip())
    parent = line if in_flow else _parent_line(lines, line, indent)
    if parent is None:
        return None
    level = _key_column(lines[parent])
    for number in range(parent, -1, -1):  # the parent and its siblings above it
        found_value, stop = _sibling(lines[number], level, name, pattern)
        if found_value is not None or stop:
            return found_value
    for number in range(parent + 1, len(lines)):  # and below it
        found_value, stop = _sibling(lines[number], level, name, pattern)
        if found_value is not None or stop:
            return found_value
    return None


def _sibling(body: str, level: int, name: str, pattern: re.Pattern[str]) -> tuple[str | None, bool]:
    """(the value of ``name`` on this line if it is a sibling key, stop scanning)."""
    if not body.strip() or body.lstrip().startswith("#"):
        return None, False
    column, indent = _key_column(body), len(body) - len(body.lstrip())
    match = _LINE_KEY.match(body)
    if column == level and match and match.group("key") == name:
        value = pattern.search(body)
        return (value.group(1) if value else None), True
    item_start = indent < level  # a `- key:` line: the mapping starts (or a new one does)
    return None, column < level or item_start


def _key_column(text: str) -> int:
    match = _LINE_KEY.match(text)
    return match.start("key") if match else len(text) - len(text.lstrip())


def _parent_line(lines: list[str], line: int, indent: int) -> int | None:
    for number in range(min(line, len(lines)) - 1, -1, -1):
        body = lines[number]
        if body.strip() and not body.lstrip().startswith("#") and _key_column(body) < indent:
            return number
    return None
