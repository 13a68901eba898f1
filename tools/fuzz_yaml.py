"""A YAML writer for the fuzzer, and random hostile edits of a value tree.

``yaml.safe_dump`` cannot write what the fuzzer needs most: duplicate and non-string
keys, unsafe tags, anchors and aliases placed by hand, alias bombs, escaped
surrogates. ``Emitter`` writes plain Python values plus four markers (``Raw``,
``Pairs``, ``Anchor``, ``Alias``) in a random mix of block and flow style.
``corrupt`` applies the edits a careless or hostile author makes to a document
that was valid: wrong types, missing and extra keys, out-of-range numbers, unicode,
very long strings, deep nesting, huge lists, NaN/inf, tags, anchors and aliases.

Everything is a pure function of the ``random.Random`` passed in, so a case is
reproduced from its seed and index alone.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Raw:
    """A scalar written verbatim: ``.nan``, ``!!python/name:os.system``, ``"\\ud800"``."""

    text: str


@dataclass(frozen=True)
class Pairs:
    """A mapping that may repeat keys or use non-string keys (a dict cannot)."""

    items: tuple[tuple[Any, Any], ...]


@dataclass(frozen=True)
class Anchor:
    """``&name value``."""

    name: str
    value: Any


@dataclass(frozen=True)
class Alias:
    """``*name``."""

    name: str


# --------------------------------------------------------------------------- emitting

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_YAML11_WORDS = frozenset(
    ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", "inf"]
)  # words YAML 1.1 would read as bool/null: quote them unless the case wants that
_TOP_PREFIXES = ("", "", "", "---\n", "# fuzz ünïcödé comment\n", "\ufeff", "%YAML 1.1\n---\n")


class Emitter:
    """Writes a value tree as YAML text; the style of each node is drawn from ``rng``."""

    def __init__(self, rng: random.Random, *, flow_bias: float = 0.2) -> None:
        self.rng = rng
        self.flow_bias = flow_bias

    def document(self, value: Any) -> str:
        """The whole file: an optional prefix (BOM, ``---``, a comment) and the body."""
        prefix = self.rng.choice(_TOP_PREFIXES)
        if _is_collection(value) and _size(value) > 0 and self.rng.random() > 0.05:
            body = "\n".join(self.block(value, 0)) + "\n"
        else:
            body = self.flow(value) + "\n"
        return prefix + body

    # ---- block style

    def block(self, value: Any, indent: int) -> list[str]:
        """Lines of a non-empty collection in block style at ``indent`` spaces."""
        if isinstance(value, list):
            return self._block_seq(value, indent)
        return self._block_map(_pairs_of(value), indent)

    def _block_map(self, pairs: list[tuple[Any, Any]], indent: int) -> list[str]:
        pad = " " * indent
        lines: list[str] = []
        for key, value in pairs:
            if isinstance(key, str | int | float | bool) or key is None:
                head = f"{pad}{self.scalar(key)}:"
            else:  # a collection as key: YAML's explicit `? key` form
                lines.append(f"{pad}? {self.flow(key)}")
                head = f"{pad}:"
            lines.extend(self._entry(head, value, indent + 2))
        return lines

    def _block_seq(self, items: list[Any], indent: int) -> list[str]:
        pad = " " * indent
        lines: list[str] = []
        for item in items:
            inner = item.value if isinstance(item, Anchor) else item
            if self._wants_block(inner) and not isinstance(item, Anchor):
                nested = self.block(inner, indent + 2)
                nested[0] = pad + "- " + nested[0][indent + 2 :]
                lines.extend(nested)
            else:
                lines.extend(self._entry(f"{pad}-", item, indent + 2))
        return lines

    def _entry(self, head: str, value: Any, indent: int) -> list[str]:
        """``head`` followed by a value: inline, or a nested block on the next lines."""
        anchor = ""
        if isinstance(value, Anchor):
            anchor, value = f" &{value.name}", value.value
        if self._wants_block(value):
            return [head + anchor, *self.block(value, indent)]
        return [f"{head}{anchor} {self.flow(value)}"]

    def _wants_block(self, value: Any) -> bool:
        return _is_collection(value) and _size(value) > 0 and self.rng.random() >= self.flow_bias

    # ---- flow style

    def flow(self, value: Any) -> str:
        """``value`` on one line (flow collections, quoted or plain scalars)."""
        if isinstance(value, Anchor):
            return f"&{value.name} {self.flow(value.value)}"
        if isinstance(value, Alias):
            return f"*{value.name}"
        if isinstance(value, Raw):
            return value.text
        if isinstance(value, list):
            return "[" + ", ".join(self.flow(item) for item in value) + "]"
        if isinstance(value, dict | Pairs):
            return "{" + ", ".join(self._flow_pair(k, v) for k, v in _pairs_of(value)) + "}"
        return self.scalar(value)

    def _flow_pair(self, key: Any, value: Any) -> str:
        if _is_collection(key):
            return f"? {self.flow(key)} : {self.flow(value)}"
        return f"{self.scalar(key)}: {self.flow(value)}"

    # ---- scalars

    def scalar(self, value: Any) -> str:
        """A scalar in a spelling YAML 1.1 reads back as the same value (mostly)."""
        if isinstance(value, Raw):
            return value.text
        if value is None:
            return self.rng.choice(("null", "~", "Null"))
        if isinstance(value, bool):
            return self.rng.choice(
                ("true", "True", "yes", "on") if value else ("false", "no", "off")
            )
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return _float_text(value)
        if isinstance(value, str):
            return self._string(value)
        return self._string(str(value))

    def _string(self, text: str) -> str:
        plain_ok = bool(_PLAIN.match(text)) and text.lower() not in _YAML11_WORDS
        roll = self.rng.random()
        if plain_ok and roll < 0.7:
            return text
        if roll < 0.85 and _single_quotable(text):
            return "'" + text.replace("'", "''") + "'"
        return double_quoted(text, ascii_only=self.rng.random() < 0.3)


def _float_text(value: float) -> str:
    """YAML 1.1 floats need a dot and a signed exponent; NaN/inf have their own words."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _single_quotable(text: str) -> bool:
    """Single quotes cannot escape anything: only printable, non-surrogate text."""
    return all(ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def double_quoted(text: str, *, ascii_only: bool = False) -> str:
    """A YAML double-quoted scalar; control characters and surrogates as escapes."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        elif code in (0x2028, 0x2029, 0xFEFF) or (ascii_only and code > 0x7E):
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _is_collection(value: Any) -> bool:
    return isinstance(value, dict | list | Pairs)


def _size(value: Any) -> int:
    return len(value.items) if isinstance(value, Pairs) else len(value)


def _pairs_of(value: Any) -> list[tuple[Any, Any]]:
    return list(value.items) if isinstance(value, Pairs) else list(value.items())


# --------------------------------------------------------------------------- corrupting

HOSTILE_NUMBERS: tuple[Any, ...] = (
    float("nan"), float("inf"), float("-inf"), -1, 0, -0.0, 10**20, -(10**20), 2**63,
    1e308, 5e-324, 0.1 + 0.2, Raw("1e999"), Raw("0x7FFFFFFFFFFFFFFFF"), Raw("1_000_000"),
    Raw("190:20:30"), Raw("0o17"), Raw("9" * 5000), Raw("-.NaN"), Raw(".Inf"), True,
)  # fmt: skip
"""Out-of-range and oddly spelt numbers (``9``×5000 exceeds Python's int-digit limit)."""

HOSTILE_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",  # RTL script
    "e" + "\u0301" * 50,  # combining marks
    "a\u200bb\u200d",  # zero-width space / joiner
    "\U0001f4c8\U0001f525",  # astral plane
    "\ud800",  # lone surrogate (written as an escape)
    "\udfff\ud800",
    "line1\nline2",
    "tab\there",
    "\x1b[31mred\x1b[0m",  # terminal escape sequence
    "\x00nul",
    "\x7f\x85\u2028\u2029",
    "../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\system32",
    "os.path",
    "evil.Worker",
    "__import__('os').system('touch PWNED')",
    "{{7*7}}",
    "%s%s%s%n",
    "Ω" * 300,
)
"""Strings a parser, a regex, a message formatter or a terminal could choke on."""

UNSAFE_TAGS: tuple[str, ...] = (
    '!!python/object/apply:os.system ["touch PWNED"]',
    "!!python/object/apply:os.system\n  args: [touch PWNED]",
    "!!python/name:os.system",
    '!!python/object/new:os.system ["touch PWNED"]',
    "!!python/module:os",
    "!!python/tuple [1, 2]",
    "!!binary aGVsbG8=",
    "!!set {a: null}",
    "!!omap [a: 1]",
    "!custom 1",
    "!<tag:yaml.org,2002:python/tuple> [1]",
    "!!timestamp 2001-12-14",
    "!!str 5",
    '!!int "7"',
    '!!float "nan"',
    "!!bool yes",
    "!!null ''",
)
"""``!!python/...`` payloads create a marker file ``PWNED`` if ever executed."""


def corrupt(rng: random.Random, value: Any, count: int) -> Any:
    """``value`` (deep-copied) after ``count`` random hostile edits."""
    value = copy.deepcopy(value)
    for _ in range(count):
        value = _corrupt_once(rng, value)
    return value


def _corrupt_once(rng: random.Random, root: Any) -> Any:
    """Replace one node (found by a random walk) with a corrupted version of itself."""
    paths = _node_paths(root)
    path = rng.choice(paths)
    name, edit = rng.choice(_EDITS)
    node = _get(root, path)
    replacement = edit(rng, node)
    if name == "drop" and path:
        parent = _get(root, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
            return root
    return _set(root, path, replacement)


def _node_paths(root: Any, limit: int = 4000) -> list[tuple[Any, ...]]:
    """Paths to every dict/list node and leaf (through plain dicts and lists only)."""
    paths: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), root)]
    while stack and len(paths) < limit:
        path, node = stack.pop()
        paths.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
    return sorted(paths, key=repr)


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        root = root[step]
    return root


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(root, path[:-1])[path[-1]] = value
    return root


def _wrong_type(rng: random.Random, node: Any) -> Any:
    options: list[Any] = [None, 0, 1.5, True, "text", [], {}, [node], {"key": node}, "5"]
    return rng.choice([o for o in options if type(o) is not type(node)] or options)


def _drop(rng: random.Random, node: Any) -> Any:
    return None


def _extra_key(rng: random.Random, node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    existing = sorted(node) or ["key"]
    key = rng.choice(existing)
    extra = rng.choice([key + "s", key[:-1], key.upper(), "bogus", "x" * 200, "__proto__"])
    return {**node, extra: rng.choice([1, "v", None, [1], {}])}


def _number(rng: random.Random, node: Any) -> Any:
    return rng.choice(HOSTILE_NUMBERS)


def _unicode(rng: random.Random, node: Any) -> Any:
    return rng.choice(HOSTILE_STRINGS)


def _long_string(rng: random.Random, node: Any) -> Any:
    length = rng.choice((129, 2001, 4001, 65_536, 65_537, 200_000))
    return rng.choice("xÅ\u0301") * length


def _deep(rng: random.Random, node: Any) -> Any:
    """Nesting around the node: as values up to 63 levels, as flow text beyond (the
    emitter would hit Python's recursion limit long before the loader's depth limit)."""
    depth = rng.choice((10, 40, 63, 64, 65, 200, 1100, 100_000))
    if depth < 64:
        for _ in range(depth):
            node = [node] if rng.random() < 0.5 else {"a": node}
        return node
    opener, closer = rng.choice((("[", "]"), ("{a: ", "}"), ("[{a: ", "}]")))
    return Raw(opener * depth + "1" + closer * depth)


def _huge_list(rng: random.Random, node: Any) -> Any:
    """Many copies of a small scalar (of a 200,000-character string, the emitted file
    would be 30 GB: the generator, not the compiler, would be what runs out)."""
    count = rng.choice((1000, 20_000, 150_000))
    small = isinstance(node, int | float | bool | None) or (
        isinstance(node, str) and len(node) < 32
    )
    return [node if small else 1] * count


def _tag(rng: random.Random, node: Any) -> Any:
    return Raw(rng.choice(UNSAFE_TAGS))


_LENGTHS = (1, 2, 3, 20, 99, 100, 101, 200, 400, 1_000, 3_600, 4_300, 4_301, 5_000)
"""Digit and field counts: short, around the 10^100 integer limit, around Python's
4,300-digit conversion limit, past it."""


def spelled_number(rng: random.Random) -> str:
    """A YAML 1.1 number (or near-number) in one of its spellings, at any length."""
    n = rng.choice(_LENGTHS)
    sign = rng.choice(("", "", "-", "+"))
    digits = "".join(rng.choice("0123456789") for _ in range(min(n, 64))) * (n // 64 + 1)
    digits = digits[:n]
    spellings = (
        lambda: sign + "1" + digits,  # decimal
        lambda: sign + "0x" + "f" * n,  # hex
        lambda: sign + "0o" + "7" * n,  # octal (YAML 1.2)
        lambda: sign + "0" + "7" * n,  # octal (YAML 1.1)
        lambda: sign + "0b" + "1" * n,  # binary
        lambda: sign + "1" + ":59" * min(n, 2_000),  # base 60 integer
        lambda: sign + "1" + ":59" * min(n, 2_000) + ".5",  # base 60 float
        lambda: sign + "1" + digits + "." + digits[:50],  # a long float
        lambda: sign + "1." + digits[:30] + "e" + str(n),  # an exponent past the range
        lambda: sign + "1_" + "_".join(digits[: min(n, 500)]),  # underscores
        lambda: sign + rng.choice(("0x", "0o", "0b", "0", ".", ":", "e", "_", "1:", "1e")),
    )
    return rng.choice(spellings)()


_SCALAR_TAG_NAMES = ("int", "float", "bool", "null", "str", "timestamp", "binary", "map", "seq")
_ODD_VALUES = ('""', "''", "", "-", ".", ":", "0x", "1:", "[1, 2]", "{a: 1}", "~", "null", "é")


def tagged(rng: random.Random) -> str:
    """An explicit tag with an empty, odd, wrongly typed or number-spelt value."""
    value = rng.choice((*_ODD_VALUES, spelled_number(rng)))
    return f"!!{rng.choice(_SCALAR_TAG_NAMES)} {value}".rstrip()


def _spelled(rng: random.Random, node: Any) -> Any:
    return Raw(spelled_number(rng))


def _tagged(rng: random.Random, node: Any) -> Any:
    return Raw(tagged(rng))


def _alias_pair(rng: random.Random, node: Any) -> Any:
    name = f"a{rng.randrange(100)}"
    return [Anchor(name, node), Alias(name), Alias(name)]


def _bomb(rng: random.Random, node: Any) -> Any:
    levels = rng.choice((3, 6, 9, 12))
    width = rng.choice((2, 9, 10))
    chain: list[Any] = [Anchor("l0", ["lol"] * width)]
    for level in range(1, levels):
        chain.append(Anchor(f"l{level}", [Alias(f"l{level - 1}")] * width))
    return chain


def _recursive_alias(rng: random.Random, node: Any) -> Any:
    return Anchor("self", [1, Alias("self")])


def _undefined_alias(rng: random.Random, node: Any) -> Any:
    return Alias("never_defined")


def _merge(rng: random.Random, node: Any) -> Any:
    base = node if isinstance(node, dict) else {"plugin": "EMADetector"}
    source = rng.choice([Alias("m"), Raw("*m"), "scalar", [Alias("m")], Raw("[1, 2]")])
    return [Anchor("m", base), Pairs((("<<", source), ("id", "merged")))]


def _duplicate_key(rng: random.Random, node: Any) -> Any:
    if not isinstance(node, dict) or not node:
        return Pairs((("k", 1), ("k", 2)))
    key = rng.choice(sorted(node))
    return Pairs((*node.items(), (key, node[key])))


def _odd_key(rng: random.Random, node: Any) -> Any:
    key = rng.choice([1, None, True, 1.5, ["a", "b"], {"k": "v"}, Raw("!!python/name:os.system"),
                      Raw(tagged(rng)), Raw("!!str [1, 2]"), Raw(spelled_number(rng))])  # fmt: skip
    items = tuple(node.items()) if isinstance(node, dict) else ()
    return Pairs(((key, "value"), *items))


def _empty(rng: random.Random, node: Any) -> Any:
    return rng.choice([None, "", {}, [], Raw("''"), Raw("|\n  ")])


_EDITS: tuple[tuple[str, Callable[[random.Random, Any], Any]], ...] = (
    ("wrong_type", _wrong_type), ("wrong_type", _wrong_type), ("drop", _drop),
    ("drop", _drop), ("extra_key", _extra_key), ("extra_key", _extra_key),
    ("number", _number), ("number", _number), ("unicode", _unicode),
    ("unicode", _unicode), ("long_string", _long_string), ("deep", _deep),
    ("huge_list", _huge_list), ("tag", _tag), ("alias", _alias_pair), ("bomb", _bomb),
    ("recursive_alias", _recursive_alias), ("undefined_alias", _undefined_alias),
    ("merge", _merge), ("duplicate_key", _duplicate_key), ("odd_key", _odd_key),
    ("empty", _empty), ("spelled_number", _spelled), ("spelled_number", _spelled),
    ("tagged", _tagged), ("tagged", _tagged),
)  # fmt: skip
"""Edit kinds, weighted by repetition (type, key and value edits are the most common)."""
