"""YAML loading with a source position on every node, under hard input limits.

Why not ``yaml.safe_load``: it throws positions away, silently keeps the last of two
duplicate keys and expands aliases before anyone can count them. Here PyYAML only
*composes* the node graph (aliases stay shared node objects, so nothing is expanded),
and our own walker builds plain values plus marks while counting every node visit
against ``LoadLimits``. Bad input never raises: it becomes ``STC001`` (syntax),
``STC002`` (duplicate / non-string keys) or ``STC009`` (input refused) diagnostics.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stc.compiler.diagnostics import Diagnostic, Related, Severity
from stc.compiler.rules import Rule

STC001 = Rule(
    "STC001",
    Severity.ERROR,
    "YAML syntax error",
    """Why it is bad: nothing after a syntax error can be read reliably. Example: an
    unclosed ``[`` or a tab used for indentation. Fix: correct the YAML at the caret;
    the help line says what the parser expected.""",
    bad="timeframes: [1h, 4h\ntick_timeframe: 1h",
    fixed="timeframes: [1h, 4h]\ntick_timeframe: 1h",
)

STC002 = Rule(
    "STC002",
    Severity.ERROR,
    "document does not match its schema",
    """The document does not match its schema: an unknown key (with a did-you-mean),
    a wrong type, a missing required key, a duplicate key (reported at its second
    occurrence), or a trigger key that is not a directive field.

    Why it is bad: YAML would silently keep the last of two duplicate keys, and an
    unknown key is a setting that is silently ignored. Example: ``workfroce:``. Fix:
    use the key the help line suggests; ``stc schema NAME`` prints every key.""",
    bad="workfroce:\n  context_workers: []",
    fixed="workforce:\n  context_workers: []",
)

STC009 = Rule(
    "STC009",
    Severity.ERROR,
    "input refused (limit, encoding, unsafe tag, unreadable file)",
    """Input refused: a file over the size limit, not UTF-8 or binary, nested too
    deeply, too many nodes or an alias bomb, a string over the length limit, an
    unsafe tag such as ``!!python/object``, more worker instances than
    ``limits.max_workers``, or a file/folder that does not exist.

    Why it is bad: such input is either hostile or a mistake, and loading it would
    hang, exhaust memory or execute code. Fix: the message names the limit and the
    place; limits are set in ``platform.yaml`` (``limits:``; docs/robustness.md says
    which platform file applies to what).""",
    bad="symbol: !!python/object/apply:os.system [echo]",
    fixed="symbol: EURUSD",
)


def _memo_loader(base: type[Any]) -> type[Any]:
    """``base`` with a memo of implicit scalar tags, shared by every document.

    PyYAML resolves the tag of every plain scalar in Python (a regex per candidate
    type), even under libyaml: ~5 µs a node, 3.7 s of a 2 MB list of 700,000 items.
    With no path resolvers registered (``base``'s are checked here), a node's tag
    depends only on its kind and, for a plain scalar, its text: the same few texts
    repeat within a file and across the 29 manifests of a check, so a bounded dict
    removes most of that cost, and collections and quoted scalars get their default
    tag without a call into the resolver.
    """
    if base.yaml_path_resolvers:  # pragma: no cover - PyYAML's safe loaders have none
        raise TypeError(f"{base.__name__} has path resolvers: tags depend on the path")
    memo: dict[str, str] = {}

    class MemoLoader(base):  # type: ignore[misc]
        def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
            if kind is not ScalarNode:
                return _SEQ if kind is SequenceNode else _MAP
            if not implicit[0]:
                return _STR  # quoted (or `!`): a plain string
            tag = memo.get(value)
            if tag is None:
                tag = core_tag(value)
                if len(memo) < 4096 and len(value) <= 64:  # a bounded memo, kept for good
                    memo[value] = tag
            return tag

    return MemoLoader


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT = _TAG + "str", _TAG + "int", _TAG + "float"
_BOOL, _NULL, _TIMESTAMP = _TAG + "bool", _TAG + "null", _TAG + "timestamp"
_MAP, _SEQ, _MERGE = _TAG + "map", _TAG + "seq", _TAG + "merge"
_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP})
_CORE_SCHEMA = (
    (_NULL, re.compile(r"~|null|Null|NULL|")),
    (_BOOL, re.compile(r"true|True|TRUE|false|False|FALSE")),
    (_INT, re.compile(r"[-+]?[0-9]+(?:_[0-9]+)*|0o[0-7]+|0x[0-9a-fA-F]+")),
    (
        _FLOAT,
        re.compile(
            r"[-+]?(?:\.[0-9]+|[0-9]+(?:_[0-9]+)*(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
        ),
    ),
)
"""YAML 1.2's core schema (spec 1.2.2 §10.3.2), the tags of plain scalars: no base-60
numbers (``1:30``), no ``yes``/``no``/``on``/``off`` booleans, no ``017`` octal. Each
of those is a string, so a value that is not what the user meant meets a type check
with a position instead of compiling as 62.5 or True (docs/decisions.md). Like
ruamel.yaml (the reference the tests compare with), ``10_000`` stays a number."""


def core_tag(text: str) -> str:
    """The YAML 1.2 core-schema tag of a plain scalar's text (``<<`` stays a merge key)."""
    if text == "<<":
        return _MERGE
    for tag, pattern in _CORE_SCHEMA:
        if pattern.fullmatch(text):
            return tag
    return _STR


_LOADER: type[Any] = _memo_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
"""libyaml's composer is ~10x faster; the pure loader is only a fallback."""


_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
"""What YAML counts as a line break, so what every mark's line number counts.
``str.splitlines`` also splits at form feeds and other controls: a snippet cut that
way would show another line than the one the mark (and the caret) points at."""


def split_lines(text: str) -> list[str]:
    """``text`` cut into lines exactly where YAML sees line breaks."""
    return _BREAK.split(text)


class Mark(NamedTuple):
    """A node's span: 1-based line/column, end exclusive (as editors count).

    A NamedTuple, not a frozen dataclass: the same immutable record, built without
    the six ``exec``-generated methods a frozen dataclass costs at import (~0.7 ms)."""

    line: int
    column: int
    end_line: int
    end_column: int


def document_start(source: SourceFile | None) -> Mark:
    """Where the document's content begins: the first line that is not blank, a
    comment, a directive or a ``---`` marker (1:1 for an empty file).

    Whole-document problems (the root is not a mapping, the kind is unknown, there is
    nothing at all) point here, so every diagnostic about a file has a position.
    """
    lines = split_lines(source.text) if source is not None else []
    for number, line in enumerate(lines, 1):
        content = line.lstrip(" \t\ufeff")
        marker = content.rstrip() in ("---", "...")
        if content and not marker and not content.startswith(("#", "%")):
            return Mark(number, len(line) - len(content) + 1, number, len(line.rstrip()) + 1)
    return Mark(1, 1, 1, 1)


class SourceFile:
    """The text of one input file, kept for rendering snippets under diagnostics."""

    __slots__ = ("_lines", "display_name", "text")

    def __init__(self, display_name: str, text: str) -> None:
        self.display_name = display_name
        """The path as the user gave it: diagnostics must never show absolute paths."""
        self.text = text
        self._lines: list[str] | None = None

    def line_text(self, n: int) -> str:
        """Line ``n`` (1-based) without its newline; ``""`` outside the file."""
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines[n - 1] if 1 <= n <= len(self._lines) else ""


class PMap(dict[str, Any]):
    """A YAML mapping that still knows where it, its keys and its values stand.

    Marks are computed lazily from the composed nodes: building ~20k ``Mark`` objects
    for a large blueprint would cost more than composing it, while diagnostics only
    ever need a handful.
    """

    __slots__ = ("_key_marks", "_mark", "_node", "_pairs", "_value_marks")

    def __init__(self, mark: Mark | None = None) -> None:
        super().__init__()
        self._mark = mark
        self._node: Node | None = None
        self._pairs: dict[str, tuple[Node, Node]] = {}
        self._key_marks: dict[str, Mark] | None = None
        self._value_marks: dict[str, Mark] | None = None

    @property
    def mark(self) -> Mark | None:
        """The span of the whole mapping."""
        if self._mark is None and self._node is not None:
            self._mark = _mark(self._node)
        return self._mark

    @property
    def key_marks(self) -> dict[str, Mark]:
        """Where each key is written (for "unknown key" and duplicate diagnostics)."""
        if self._key_marks is None:
            self._key_marks = {k: _mark(pair[0]) for k, pair in self._pairs.items()}
        return self._key_marks

    @property
    def value_marks(self) -> dict[str, Mark]:
        """Where each value is written (for type and value errors)."""
        if self._value_marks is None:
            self._value_marks = {k: _mark(pair[1]) for k, pair in self._pairs.items()}
        return self._value_marks

    def has(self, key: str) -> bool:
        """True when ``key`` is written in this mapping (or merged into it)."""
        return key in self._pairs

    def mark_of(self, key: str, *, of_key: bool = False) -> Mark:
        """One key's (or its value's) mark, without computing every other one: a
        diagnostic in a mapping of 100,000 keys must not cost 100,000 marks."""
        return _mark(self._pairs[key][0 if of_key else 1])


class PSeq(list[Any]):
    """A YAML sequence that still knows where it and each of its items stand (lazily)."""

    __slots__ = ("_item_marks", "_items", "_mark", "_node")

    def __init__(self, mark: Mark | None = None) -> None:
        super().__init__()
        self._mark = mark
        self._node: Node | None = None
        self._items: list[Node] = []
        self._item_marks: list[Mark] | None = None

    @property
    def mark(self) -> Mark | None:
        """The span of the whole sequence."""
        if self._mark is None and self._node is not None:
            self._mark = _mark(self._node)
        return self._mark

    @property
    def item_marks(self) -> list[Mark]:
        """Where each item is written."""
        if self._item_marks is None:
            self._item_marks = [_mark(item) for item in self._items]
        return self._item_marks

    def mark_of(self, index: int) -> Mark:
        """One item's mark (see ``PMap.mark_of``)."""
        return _mark(self._items[index])


class LoadLimits(NamedTuple):
    """Ceilings that make hostile input cheap to refuse (SPEC §8)."""

    max_file_bytes: int = 2 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 500_000
    max_string_length: int = 65536


DEFAULT_LIMITS = LoadLimits()


@dataclass
class Loaded:
    """The result of loading one file: values with marks, or diagnostics saying why not."""

    source: SourceFile | None
    data: Any
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing went wrong badly enough to be an error."""
        return not any(d.is_error for d in self.diagnostics)


class _Refused(Exception):
    """Aborts the walk: the input breaks a limit, so no value is built at all."""

    def __init__(self, message: str, mark: Mark | None, help: str) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.help = help


def _mark(node: Node) -> Mark:
    """PyYAML marks are 0-based; ours are 1-based like every editor's."""
    start, end = node.start_mark, node.end_mark
    return Mark(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _diag(
    rule: Rule, file: str, message: str, mark: Mark | None, help: str | None, **extra: Any
) -> Diagnostic:
    """A diagnostic of ``rule`` at ``mark`` (argument order kept for the loader's call
    sites)."""
    return rule.at(message, file, mark, help, **extra)


def _refuse(file: str, message: str, help: str, mark: Mark | None = None) -> Loaded:
    """A ``Loaded`` carrying only an ``STC009`` (input refused)."""
    return Loaded(None, None, [_diag(STC009, file, message, mark, help)])


# --------------------------------------------------------------------------- loading


def load_yaml_file(
    path: Path, display_name: str | None = None, limits: LoadLimits = DEFAULT_LIMITS
) -> Loaded:
    """Load one YAML file; its size is checked with ``stat`` before a byte is read."""
    name = display_name if display_name is not None else str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return _refuse(name, f"`{name}` is not a regular file", "pass a YAML file")
        if info.st_size > limits.max_file_bytes:
            return _refuse(name, *_too_big(info.st_size, limits))
        with path.open("rb") as handle:
            raw = handle.read(limits.max_file_bytes + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return _refuse(name, f"cannot read `{name}`: {reason}", "check the path and permissions")
    if len(raw) > limits.max_file_bytes:  # grew between stat and read
        return _refuse(name, *_too_big(len(raw), limits))
    text_or_refusal = _decode(raw, name)
    if isinstance(text_or_refusal, Loaded):
        return text_or_refusal
    return _load_checked(text_or_refusal, name, limits)


def load_yaml_text(text: str, display_name: str, limits: LoadLimits = DEFAULT_LIMITS) -> Loaded:
    """Load YAML already in memory (tests, stdin); the same limits as for files apply."""
    if len(text) > limits.max_file_bytes:
        return _refuse(display_name, *_too_big(len(text), limits))
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        line, column = _line_col(text, exc.start)
        mark = Mark(line, column, line, column + 1)
        msg = f"the text is not valid Unicode (lone surrogate at character {exc.start})"
        return _refuse(display_name, msg, "save the file as UTF-8", mark)
    if size > limits.max_file_bytes:
        return _refuse(display_name, *_too_big(size, limits))
    nul = text.find("\x00")
    if nul >= 0:
        return _nul_refusal(display_name, nul, *_line_col(text, nul))
    return _load_checked(text.removeprefix("\ufeff"), display_name, limits)


def _too_big(size: int, limits: LoadLimits) -> tuple[str, str]:
    """Message and help for a file over the size limit."""
    return (
        f"the file is {size} bytes; the limit is {limits.max_file_bytes} bytes",
        "a strategy input file should be small: split it, or check that this is the right file",
    )


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset, counting lines as YAML does."""
    breaks = list(_BREAK.finditer(text, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - line_start + 1


def _nul_refusal(name: str, offset: int, line: int, column: int) -> Loaded:
    """NUL bytes mean a binary file: YAML can never contain them."""
    mark = Mark(line, column, line, column + 1)
    msg = f"the file contains a NUL byte at offset {offset} (line {line}); it looks binary"
    return _refuse(name, msg, "pass a YAML text file", mark)


def _decode(raw: bytes, name: str) -> str | Loaded:
    """Strict UTF-8 (BOM tolerated), refusing binary files with the offending offset."""
    wide = next((n for bom, n in _WIDE_BOMS if raw.startswith(bom)), None)
    if wide is not None:  # else refused as binary: its ASCII characters have NUL bytes
        msg, at = f"the file is {wide}; save it as UTF-8", Mark(1, 1, 1, 2)
        return _refuse(name, msg, "save the file as UTF-8", at)
    nul = raw.find(b"\x00")
    if nul >= 0:
        before = raw[:nul].decode("utf-8", errors="replace")
        return _nul_refusal(name, nul, *_line_col(before, len(before)))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", errors="replace")
        line, column = _line_col(before, len(before))
        mark = Mark(line, column, line, column + 1)
        msg = f"the file is not valid UTF-8: byte {raw[exc.start]:#04x} at offset {exc.start}"
        return _refuse(name, f"{msg} (line {line})", "save the file as UTF-8", mark)
    return text.removeprefix("\ufeff")


_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)  # fmt: skip
"""Byte-order marks of encodings an editor may save a file in (longest first)."""


def _load_checked(text: str, name: str, limits: LoadLimits) -> Loaded:
    """Compose, then walk: the text is known to be decoded and within the size limit."""
    source = SourceFile(name, text)
    if len(text) > _COUNT_EVENTS_ABOVE:
        refused = _count_nodes(text, name, limits)
        if refused is not None:
            return Loaded(source, None, [refused])
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        return Loaded(source, None, [_syntax_error(exc, source, limits)])
    except yaml.reader.ReaderError as exc:
        line, column = _line_col(text, _char_offset(text, exc))
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        msg = f"the file contains a character YAML does not allow (U+{code:04X})"
        mark = Mark(line, column, line, column + 1)
        return Loaded(source, None, [_diag(STC009, name, msg, mark, "remove it")])
    except RecursionError:  # only the pure-Python composer recurses per level
        return Loaded(source, None, [_depth_diag(name, None, limits)])
    except Exception as exc:  # a composer bug must still not become a traceback
        msg = f"the YAML parser failed: {type(exc).__name__}: {exc}"
        return Loaded(source, None, [_diag(STC001, name, msg, None, "check the YAML syntax")])
    if root is None:
        return Loaded(source, None, [])
    walker = _Walker(name, limits)
    try:
        if "&" in text:  # anchors exist, so aliases may multiply nodes: count first
            walker.precount(root)
        data = walker.value(root, 1)
    except _Refused as refused:
        return Loaded(
            source, None, [_diag(STC009, name, refused.message, refused.mark, refused.help)]
        )
    except RecursionError:  # only with a max_depth beyond what the platform model allows
        msg, help = "the document nests too deeply to be read", "flatten the structure"
        return Loaded(source, None, [_diag(STC009, name, msg, document_start(source), help)])
    return Loaded(source, data, walker.diagnostics)


_COUNT_EVENTS_ABOVE = 64 * 1024
"""Texts longer than this have their nodes counted from parser events before they are
composed. Composing costs ~300 bytes a node: the 700,000 one-character items a 2 MB
file can hold took 200 MB before the walker's count could refuse them; events are
counted in constant memory (~1 µs each)."""

_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _count_nodes(text: str, name: str, limits: LoadLimits) -> Diagnostic | None:
    """STC009 when the document has more than ``max_nodes`` nodes (aliases counted once:
    their expansion is the walker's to count); None otherwise or on a syntax error,
    which the composer then reports with its position and help."""
    count = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            count += isinstance(event, _NODE_EVENTS)
            if count > limits.max_nodes:
                at = event.start_mark
                mark = Mark(at.line + 1, at.column + 1, at.line + 1, at.column + 2) if at else None
                msg = f"the document has more than {limits.max_nodes} nodes"
                help = "split the file, or raise `limits.max_nodes` in platform.yaml"
                return _diag(STC009, name, msg, mark, help)
    except yaml.YAMLError:
        return None
    return None


def _char_offset(text: str, exc: yaml.reader.ReaderError) -> int:
    """The character offset of a reader error: libyaml reports a byte offset into the
    UTF-8 text (every é before the character moved the caret one column right)."""
    if exc.encoding == "unicode":  # the pure-Python reader counts characters
        return int(exc.position)
    return len(text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore"))


def _depth_diag(name: str, mark: Mark | None, limits: LoadLimits) -> Diagnostic:
    """Deep nesting is refused: it is never legitimate and can exhaust the stack."""
    msg = f"the document nests deeper than {limits.max_depth} levels"
    return _diag(STC009, name, msg, mark, "flatten the structure")


_SYNTAX_HELP: tuple[tuple[str, str], ...] = (
    (
        "mapping values are not allowed",
        "check the indentation of this line, or quote a value that contains `: `",
    ),
    ("tab", "YAML does not allow tabs for indentation: use spaces"),
    ("could not find expected ':'", "a key is missing its `:`, or a quote is not closed"),
    ("did not find expected key", "entries of one mapping must start in the same column"),
    ("expected <block end>", "entries of one mapping must start in the same column"),
    ("did not find expected '-'", "items of one list must start in the same column"),
    ("undefined alias", "define the anchor `&name` before using `*name`"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("flow", "a `[`/`{` is not closed, or a `,` is missing"),
)


def _syntax_error(exc: yaml.MarkedYAMLError, source: SourceFile, limits: LoadLimits) -> Diagnostic:
    """STC001 at the problem mark, with the parser's wording and a concrete fix."""
    name = source.display_name
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    context = exc.context or ""
    mark_src = exc.problem_mark or exc.context_mark
    unclosed = _unclosed_opener(exc, source)
    if unclosed is not None:
        mark_src = exc.context_mark  # point at the opener the parser never saw closed
    mark = None
    if mark_src is not None:
        mark = Mark(mark_src.line + 1, mark_src.column + 1, mark_src.line + 1, mark_src.column + 2)
    if "maximum nesting depth" in problem:
        return _depth_diag(name, mark, limits)  # libyaml's own ceiling (1000) was hit
    if "expected a single document" in context + problem:
        help = "keep one document per file: remove the `---` separator or split the file"
        return _diag(STC001, name, "more than one YAML document in this file", mark, help)
    if mark is not None and "\t" in source.line_text(mark.line):
        help = "YAML does not allow tabs for indentation: use spaces"
    else:
        help = next(
            (text for needle, text in _SYNTAX_HELP if needle in problem + " " + context),
            "check the indentation and quoting near this position",
        )
    message = problem.replace(" in this context", " here")
    if context and context != problem:
        message = f"{message} ({context})"
    if unclosed is not None:
        closer = {"[": "]", "{": "}", '"': '"', "'": "'"}[unclosed]
        message = f"this `{unclosed}` is never closed ({problem})"
        help = f"add the closing `{closer}` where the value ends"
    return _diag(STC001, name, f"YAML syntax error: {message}", mark, help)


def _unclosed_opener(exc: yaml.MarkedYAMLError, source: SourceFile) -> str | None:
    """The bracket or quote a flow collection / quoted scalar opened and never closed."""
    context, mark = exc.context or "", exc.context_mark
    if mark is None or not any(k in context for k in ("flow sequence", "flow mapping", "quoted")):
        return None
    char = source.line_text(mark.line + 1)[mark.column : mark.column + 1]
    return char if char in "[{\"'" else None


# --------------------------------------------------------------------------- walking


class _Walker:
    """Builds PMap/PSeq/scalars from composed nodes, counting every visit."""

    __slots__ = ("diagnostics", "limits", "name", "visits")

    def __init__(self, name: str, limits: LoadLimits) -> None:
        self.name = name
        self.limits = limits
        self.visits = 0
        self.diagnostics: list[Diagnostic] = []

    def precount(self, root: Node) -> None:
        """Refuse an alias bomb from the *shared* graph, before expanding anything.

        Each distinct node's expanded size is memoised, so the billion-laughs file costs
        a few dozen steps. A recursive alias never terminates in depth, so the depth
        ceiling (which also bounds this recursion) catches it.
        """
        sizes: dict[int, int] = {}
        limit = self.limits.max_nodes

        def size(node: Node, depth: int) -> int:
            if depth > self.limits.max_depth:
                raise _Refused(*self._depth_args(node))
            known = sizes.get(id(node))
            if known is not None:
                return known
            total = 1
            if type(node) is MappingNode:
                for key, value in node.value:
                    total += size(key, depth + 1) + size(value, depth + 1)
                    if total > limit:
                        raise _Refused(*self._bomb_args(node))
            elif type(node) is SequenceNode:
                for item in node.value:
                    total += size(item, depth + 1)
                    if total > limit:
                        raise _Refused(*self._bomb_args(node))
            sizes[id(node)] = total
            return total

        size(root, 1)

    def _depth_args(self, node: Node) -> tuple[str, Mark, str]:
        msg = f"the document nests deeper than {self.limits.max_depth} levels"
        return msg, _mark(node), "flatten the structure (or remove a recursive alias)"

    def _bomb_args(self, node: Node) -> tuple[str, Mark, str]:
        msg = f"the document expands to more than {self.limits.max_nodes} nodes (alias bomb?)"
        return msg, _mark(node), "reduce the use of `*alias` references"

    def value(self, node: Node, depth: int) -> Any:
        """The plain value of ``node``; ``depth`` counts nesting from the root (1)."""
        self.visits += 1
        if self.visits > self.limits.max_nodes:
            raise _Refused(*self._bomb_args(node))
        if depth > self.limits.max_depth:
            raise _Refused(*self._depth_args(node))
        kind = type(node)
        if type(node) is ScalarNode:
            return self.scalar(node)
        if node.tag not in (_MAP, _SEQ):
            self._bad_tag(node)
        if kind is MappingNode:
            return self.mapping(node, depth)
        if kind is SequenceNode:
            seq = PSeq()
            seq._node = node
            seq._items = node.value
            for item in node.value:
                seq.append(self.value(item, depth + 1))
            return seq
        raise _Refused("unsupported YAML node", _mark(node), "use plain YAML")  # pragma: no cover

    def scalar(self, node: ScalarNode) -> Any:
        """YAML 1.2 core-schema values (see ``core_tag``); explicit timestamps stay strings."""
        text: str = node.value
        if len(text) > self.limits.max_string_length:
            msg = (
                f"a string of {len(text)} characters; the limit is {self.limits.max_string_length}"
            )
            raise _Refused(msg, _mark(node), "shorten it")
        tag = node.tag
        if tag in (_STR, _TIMESTAMP):
            return text
        if tag not in _SCALAR_TAGS:
            self._bad_tag(node)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text in ("true", "True", "TRUE")
        try:
            number: int | float = _int(text) if tag == _INT else _float(text)
        except (ValueError, OverflowError):
            # ValueError: not a core-schema number, or a decimal past Python's 4,300 digits
            kind = "an integer" if tag == _INT else "a number"
            msg = f"`{_shown_number(text)}` is not {kind}"
            self.diagnostics.append(_diag(STC001, self.name, msg, _mark(node), "fix the value"))
            return text
        if isinstance(number, int) and not -MAX_INT < number < MAX_INT:
            msg = (
                f"`{_shown_number(text)}` is too large a number (the limit is ±10^{MAX_INT_DIGITS})"
            )
            help = "write a smaller number, or quote it if it is meant as text"
            self.diagnostics.append(_diag(STC001, self.name, msg, _mark(node), help))
            return text
        return number

    def _bad_tag(self, node: Node) -> None:
        """Only the plain safe tags are allowed: ``!!python/...`` must never get near code."""
        tag = str(node.tag)
        shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        raise _Refused(
            f"the YAML tag `{shown}` is not allowed",
            _mark(node),
            "remove the tag: stc accepts plain YAML values only",
        )

    def mapping(self, node: Node, depth: int) -> PMap:
        """Build a PMap; duplicates and non-string keys are reported, merges honoured."""
        result = PMap()
        result._node = node
        pairs = result._pairs
        max_len = self.limits.max_string_length
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.visits += 1
                merges.append(value_node)
                continue
            if (
                key_node.tag == _STR
                and type(key_node) is ScalarNode  # `? !!str [1, 2]` is a tagged list
                and len(key_node.value) <= max_len
            ):  # the common case
                self.visits += 1
                key: str | None = key_node.value
            else:
                key = self.key(key_node, depth)
            value = self.value(value_node, depth + 1)
            if key is None:
                continue
            if key in pairs:
                self._duplicate(key, _mark(key_node), _mark(pairs[key][0]))
            result[key] = value
            pairs[key] = (key_node, value_node)
        for merge_node in merges:
            self._merge(result, merge_node, depth)
        return result

    def key(self, node: Node, depth: int) -> str | None:
        """Keys are strings; scalar keys such as ``1`` or ``null`` keep their text."""
        if type(node) is not ScalarNode:
            self.value(node, depth + 1)  # still counted and limit-checked
            msg = "keys must be strings; this key is a " + (
                "mapping" if type(node) is MappingNode else "list"
            )
            self.diagnostics.append(
                _diag(STC002, self.name, msg, _mark(node), "use a plain word as the key")
            )
            return None
        self.visits += 1
        self.scalar(node)  # limits and tag checks apply to keys too
        text: str = node.value
        return text

    def _duplicate(self, key: str, mark: Mark, first: Mark) -> None:
        """Reported at the second occurrence: that is the line the user must look at."""
        related = Related(
            message="first defined here", file=self.name, line=first.line, column=first.column
        )
        self.diagnostics.append(
            _diag(
                STC002,
                self.name,
                f"duplicate key `{key}`",
                mark,
                "remove one of them; YAML would silently keep the last",
                related=(related,),
            )
        )

    def _merge(self, result: PMap, node: Node, depth: int) -> None:
        """``<<: *base``: explicit keys win, earlier merge sources win over later ones."""
        sources = node.value if type(node) is SequenceNode else [node]
        for source in sources:
            merged = self.value(source, depth + 1)
            if not isinstance(merged, PMap):
                msg = "`<<` (merge) needs a mapping or a list of mappings"
                self.diagnostics.append(
                    _diag(STC002, self.name, msg, _mark(source), "merge an `&anchor` mapping")
                )
                continue
            for key, value in merged.items():
                if key not in result:
                    result[key] = value
                    result._pairs[key] = merged._pairs[key]


MAX_INT_DIGITS = 100
MAX_INT = 10**MAX_INT_DIGITS
"""Integers in a document stay below 10^100 (a float's range ends near 1.8e308): a
3,600-digit hex number or a long base-60 one is refused at its position, and no later
``str()`` of a value meets Python's 4,300-digit conversion limit."""


def _shown_number(text: str) -> str:
    """A number's spelling for a message, cut in the middle past 40 characters."""
    return text if len(text) <= 40 else f"{text[:20]}…{text[-12:]} ({len(text)} characters)"


def _int(text: str) -> int:
    """A core-schema int: decimal (``017`` is 17), ``0o17`` octal, ``0x1F`` hex."""
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _float(text: str) -> float:
    """A core-schema float: what Python's ``float`` reads, plus ``.inf`` and ``.nan``."""
    bare = text.lstrip("+-").lower()
    if bare in (".inf", ".nan"):
        return float(text.replace(".", "", 1))
    return float(text)


# --------------------------------------------------------------------------- locating


def locate(root: Any, loc: Sequence[str | int], *, key: bool = False) -> Mark | None:
    """Mark of the deepest node that exists along ``loc`` (a pydantic/jsonschema path).

    A missing step stops the walk, so a missing key points at its parent mapping. With
    ``key=True`` and the last step present in a mapping, the *key's* mark is returned —
    where an "unknown key" must be underlined.
    """
    node = root
    mark: Mark | None = getattr(root, "mark", None)
    last = len(loc) - 1
    for index, step in enumerate(loc):
        if isinstance(node, PMap) and isinstance(step, str) and node.has(step):
            if key and index == last:
                return node.mark_of(step, of_key=True)
            mark, node = node.mark_of(step), node[step]
        elif isinstance(node, PSeq) and isinstance(step, int) and -len(node) <= step < len(node):
            mark, node = node.mark_of(step), node[step]
        else:
            break
    return mark


def to_plain(value: Any) -> Any:
    """Plain dicts/lists (no marks) for consumers such as ``yaml.safe_dump``."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value
